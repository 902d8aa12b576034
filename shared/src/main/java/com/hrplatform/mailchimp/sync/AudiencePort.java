package com.hrplatform.mailchimp.sync;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Mailchimp audiences of one connected account, as the sync and the consent worker use them. The Mailchimp
 * adapter ({@link MailchimpAudiences}) holds the paths, the JSON and the classification of refusals; tests use
 * an in-memory model. Failures are {@link com.hrplatform.mailchimp.mailchimp.MailchimpException}s; a transient one
 * thrown by {@link #create} may come after Mailchimp applied the request.
 */
public interface AudiencePort {

    /**
     * One member to write. {@code status} null leaves an existing member's status alone; {@code mergeFields} (merge tag
     * to value, null: none) are the mapped directory fields.
     */
    record MemberWrite(String subscriberHash, String email, String status, Map<String, String> mergeFields,
                       String signupStamp) {
    }

    /** What Mailchimp did with one member of a batch. */
    record MemberOutcome(Kind kind, String field, String message) {
        public enum Kind {
            CREATED, UPDATED,
            /** A create found the address already in the audience. */
            EXISTS,
            /** Unsubscribed, cleaned or under review: Mailchimp will not subscribe it. Permanent. */
            COMPLIANCE,
            /** Permanently deleted from the audience: it cannot be added again. Permanent. */
            FORGOTTEN,
            /** Mailchimp considers the address fake or invalid. Permanent. */
            INVALID_ADDRESS,
            /** Anything else, e.g. a required merge field: fixable in the audience's setup, tried again next run. */
            REFUSED
        }

        public static final MemberOutcome CREATED = new MemberOutcome(Kind.CREATED, null, null);
        public static final MemberOutcome UPDATED = new MemberOutcome(Kind.UPDATED, null, null);
        public static final MemberOutcome EXISTS = new MemberOutcome(Kind.EXISTS, null, null);

        public boolean accepted() {
            return kind == Kind.CREATED || kind == Kind.UPDATED;
        }

        public boolean permanent() {
            return kind == Kind.COMPLIANCE || kind == Kind.FORGOTTEN || kind == Kind.INVALID_ADDRESS;
        }
    }

    /**
     * A stretch of many requests from this container (a slice's batches): the key budget may keep a slot for the
     * next request instead of freeing and taking it again ({@code KeyBudget#session}); closing it frees them.
     */
    default Session session() {
        return () -> { };
    }

    /** See {@link #session()}. */
    interface Session extends AutoCloseable {
        @Override
        void close();
    }

    /** Every member of the audience that is not subscribed. */
    AudienceSnapshot snapshot(String listId);

    /** Adds addresses that are not in the audience ({@code update_existing: false}); answers by subscriber hash. */
    Map<String, MemberOutcome> create(String listId, List<MemberWrite> members);

    /** Changes members that are in the audience ({@code update_existing: true}); answers by subscriber hash. */
    Map<String, MemberOutcome> update(String listId, List<MemberWrite> members);

    /** Adds members to and removes them from a tag; answers the subscriber hashes Mailchimp refused. */
    Set<String> tag(String listId, String tagId, List<String> addEmails, List<String> removeEmails);

    /** What an archive came to. */
    enum Archive {
        ARCHIVED,
        /** Not in the audience: nothing to archive. */
        ABSENT,
        /** Mailchimp would not archive it ("This list member cannot be removed"). */
        REFUSED
    }

    Archive archive(String listId, String subscriberHash);

    /** A member as Mailchimp holds it: its status, its {@code timestamp_signup} ("" when none) and its tags' ids. */
    record MemberView(AudienceStatus status, String signupStamp, Set<String> tagIds) {
    }

    /** The member, or empty when the address is not in the audience. */
    Optional<MemberView> member(String listId, String subscriberHash);

    /** The same, read before moving the member to another address (a preview tells it apart from a recheck). */
    default Optional<MemberView> memberToMove(String listId, String subscriberHash) {
        return member(listId, subscriberHash);
    }

    /**
     * One member's status and {@code last_changed}, as a snapshot would list it (empty: not in the audience). The
     * change path reads a few addresses this way instead of the whole audience's statuses. An adapter that does not
     * know {@code last_changed} answers it null.
     */
    default Optional<AudienceSnapshot.Entry> memberStatus(String listId, String subscriberHash) {
        return member(listId, subscriberHash).map(view -> new AudienceSnapshot.Entry(view.status(), null));
    }

    /** The id of the tag named {@code name}: {@code knownTagId} if it still exists (renamed if need be), found, or created. */
    String ensureTag(String listId, String name, String knownTagId);

    /** Deletes a tag; one that is already gone counts as done. */
    void deleteTag(String listId, String tagId);

    /** Ids of every audience of the account. */
    List<String> audienceIds();

    /** Sets an existing member's status to unsubscribed. */
    void unsubscribe(String listId, String subscriberHash);

    /**
     * Sets an existing member's status to unsubscribed and, where the audience has a marketing permission chosen as
     * email ({@code emailPermissionId} not null), disables it in the same write; a permission Mailchimp refuses never
     * stops the unsubscribe.
     */
    void unsubscribe(String listId, String subscriberHash, String emailPermissionId);

    /**
     * Enables or disables one marketing permission (GDPR field) of an existing member ({@code PATCH} with
     * {@code marketing_permissions}; Mailchimp's batch subscribe takes no permissions).
     */
    void writeEmailPermission(String listId, String subscriberHash, String permissionId, boolean enabled);

    /**
     * Moves a member to another address ({@code PATCH email_address}), keeping its history; false when it is not
     * there, or the new address is in the audience already.
     */
    boolean changeAddress(String listId, String fromHash, String toEmail);

    /**
     * Makes sure the audience has a merge field for each tag of the mapping, of the type its directory field needs
     * ({@code text} or {@code date}): missing ones are created. Throws a {@link com.hrplatform.mailchimp.mailchimp.MailchimpException} of kind
     * REJECTED naming the tag when one exists with another type. A model without merge fields of its own (the
     * property tests' in-memory audience) takes every tag.
     */
    default void ensureMergeFields(String listId, com.hrplatform.mailchimp.mapping.MergeFieldMapping mapping) {
    }

    /** The audience's merge fields, for choosing a tag to map. */
    default List<MergeFieldView> mergeFields(String listId) {
        return List.of();
    }

    /** The value the member holds in a merge field; empty when the member or the value is absent. */
    default Optional<String> mergeFieldValue(String listId, String subscriberHash, String tag) {
        return Optional.empty();
    }

    /** A merge field of an audience: its tag, name and type. */
    record MergeFieldView(String tag, String name, String type) {
    }

    /** Erases the member for good ({@code actions/delete-permanent}): the address can never be added again. */
    void deletePermanently(String listId, String subscriberHash);
}
