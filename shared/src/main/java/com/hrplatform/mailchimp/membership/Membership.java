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
    /** We sent pending (new consent after an unsubscribe): Mailchimp awaits the person's confirmation. */
    public static final String PENDING = "pending";
    public static final String UNSUBSCRIBED = "unsubscribed";
    public static final String CLEANED = "cleaned";
    /** We archived it (it was subscribed or pending). */
    public static final String ARCHIVED = "archived";
    /** We archived it while it was unsubscribed or cleaned: Mailchimp keeps that compliance state. */
    public static final String ARCHIVED_UNSUBSCRIBED = "archived_unsubscribed";
    public static final String ARCHIVED_CLEANED = "archived_cleaned";
    /** Mailchimp refused the address for good (e.g. it looks fake); not retried until the person changes. */
    public static final String REJECTED = "rejected";

    public Membership {
        segments = Set.copyOf(segments);
    }

    public boolean isOptedOutInMailchimp() {
        return UNSUBSCRIBED.equals(status) || CLEANED.equals(status) || ARCHIVED_UNSUBSCRIBED.equals(status)
                || ARCHIVED_CLEANED.equals(status);
    }

    /** Whether we archived it (in any state). */
    public boolean isArchivedByUs() {
        return ARCHIVED.equals(status) || ARCHIVED_UNSUBSCRIBED.equals(status) || ARCHIVED_CLEANED.equals(status);
    }

    /** The status our record gets when we archive a member that has {@code status}. */
    public static String archivedFrom(String status) {
        return UNSUBSCRIBED.equals(status) || ARCHIVED_UNSUBSCRIBED.equals(status) ? ARCHIVED_UNSUBSCRIBED
                : CLEANED.equals(status) || ARCHIVED_CLEANED.equals(status) ? ARCHIVED_CLEANED : ARCHIVED;
    }

    public Membership with(String newStatus, String newDigest, Set<String> newSegments, boolean newPlacedByUs,
                           String newEmail, String newEntityKey, String at) {
        return new Membership(orgId, listId, subscriberHash, newEmail, newEntityKey, newStatus, newDigest, newSegments,
                newPlacedByUs, at);
    }
}
