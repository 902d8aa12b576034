package com.hrplatform.mailchimp.membership;

import java.util.Objects;

/**
 * How a run's change to our record of an address meets a change someone made while the run was going (a
 * webhook's unsubscribe, the consent worker, an address change, an erasure): the run only replaces what it read.
 */
public final class MembershipMerge {
    private MembershipMerge() {
    }

    /**
     * @param stored what is stored now (null: nothing)
     * @param before what the run read (null: nothing)
     * @param after  what the run wants stored (null: delete)
     * @return what to store (null: nothing)
     */
    public static Membership resolve(Membership stored, Membership before, Membership after) {
        if (Objects.equals(stored, before)) {
            return after;
        }
        if (stored == null || after == null) {
            // Deleted meanwhile (an erasure, an address moved away): it stays deleted. Or the run deletes it anyway.
            return before == null ? after : null;
        }
        // Changed meanwhile: an opt-out learned meanwhile wins over the run's older view (an archived member keeps
        // it: Mailchimp keeps its compliance state); the run's tags, digest and placement (only the run writes
        // those) still land.
        String status = !stored.isOptedOutInMailchimp() ? after.status()
                : after.isArchivedByUs() ? Membership.archivedFrom(stored.status()) : stored.status();
        return new Membership(after.orgId(), after.listId(), after.subscriberHash(), stored.email(), after.entityKey(),
                status, after.digest(), after.segments(), after.placedByUs() || stored.placedByUs(), after.updatedAt());
    }
}
