package com.hrplatform.mailchimp.membership;

import java.util.Set;

/**
 * What we know of one address in one Mailchimp audience: its Mailchimp status as last seen, the digest
 * of what we last sent, the segments (tags) we put it in, and whether we added it to the audience
 * (only then may a sync archive it, design rule 2).
 */
public record Membership(String orgId, String listId, String subscriberHash, String email, String entityKey,
                         String status, String digest, Set<String> segments, boolean placedByUs, String updatedAt) {
    public static final String SUBSCRIBED = "subscribed";
    public static final String UNSUBSCRIBED = "unsubscribed";
    public static final String CLEANED = "cleaned";
    public static final String ARCHIVED = "archived";
    /** Mailchimp refused the address for good (e.g. it looks fake); not retried until the person changes. */
    public static final String REJECTED = "rejected";

    public Membership {
        segments = Set.copyOf(segments);
    }

    public boolean isOptedOutInMailchimp() {
        return UNSUBSCRIBED.equals(status) || CLEANED.equals(status);
    }

    public Membership with(String newStatus, String newDigest, Set<String> newSegments, boolean newPlacedByUs,
                           String newEmail, String newEntityKey, String at) {
        return new Membership(orgId, listId, subscriberHash, newEmail, newEntityKey, newStatus, newDigest, newSegments,
                newPlacedByUs, at);
    }
}
