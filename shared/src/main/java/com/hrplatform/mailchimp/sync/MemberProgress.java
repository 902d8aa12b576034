package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.sync.AddressPlan.Write;
import com.hrplatform.mailchimp.sync.AudiencePort.MemberOutcome;
import com.hrplatform.mailchimp.sync.AudiencePort.MemberWrite;
import com.hrplatform.mailchimp.sync.SyncStores.MembershipChange;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** One address going through a batch: the steps still to do, and our record as Mailchimp's answers shape it. */
final class MemberProgress {
    final AddressFacts facts;
    final AddressPlan plan;
    private final SyncPass pass;
    private final String now;
    /** What is stored as far as the run knows: what it read, then what it wrote itself. */
    private Membership stored;
    /** What will be stored. */
    private Membership current;
    private Write nextWrite;
    private String nextStatus;
    private boolean dropped;
    private boolean failed;
    private boolean joined;
    private boolean fieldsSent;
    private boolean archived;
    private boolean accepted;
    /** The email permission to write after the accepted write (null: none). */
    private Boolean permissionToWrite;
    /** A create found the address already there: its status was not read, so no permission is enabled this run. */
    private boolean foundExisting;
    private boolean permissionHeldBack;

    MemberProgress(BatchExecutor.Item item, SyncPass pass, String now) {
        this.facts = item.facts();
        this.plan = item.plan();
        this.pass = pass;
        this.now = now;
        this.stored = facts.ours();
        this.current = BatchExecutor.start(facts, plan, now);
        this.nextWrite = plan.write();
        this.nextStatus = plan.sendStatus();
    }

    boolean wants(Write write) {
        return !dropped && !failed && nextWrite == write;
    }

    MemberWrite write(String stamp) {
        return new MemberWrite(plan.subscriberHash(), plan.email(), nextStatus, plan.mergeFields(), stamp);
    }

    /**
     * Whether the audience's email permission is to be written, and how: disabled with an unsubscribe, enabled only
     * where the run's segment wants the address and its consent allows it (a write that subscribes, re-adds as
     * pending, or updates a member it keeps); null: not written.
     */
    Boolean emailPermission() {
        if (pass.emailPermissionId() == null) {
            return null;
        }
        if (Membership.UNSUBSCRIBED.equals(nextStatus)) {
            return false;
        }
        return plan.runWants() && plan.sends() ? Boolean.TRUE : null;
    }

    /** The write was accepted: the permission goes next, if there is one to write. */
    boolean writesPermission() {
        return accepted && !dropped && permissionToWrite != null;
    }

    void created(MemberOutcome outcome) {
        switch (outcome.kind()) {
            case CREATED -> {
                notePermission();
                fieldsSent = true;
                become(Membership.SUBSCRIBED, true);
                accepted = true;
                nextWrite = Write.NONE;
            }
            case EXISTS -> {
                // Already there: ours to update and tag; ours to archive only if we placed it before. Its status is
                // not known here (it may have unsubscribed since the snapshot), so no permission is enabled now: the
                // digest is cleared, and the next run, reading Mailchimp again, writes it if the address still may.
                foundExisting = true;
                boolean placed = stored != null && stored.placedByUs();
                become(Membership.SUBSCRIBED, placed);
                current = withDigest(current, null);
                nextWrite = Write.UPDATE;
                nextStatus = null;
            }
            default -> refused(outcome);
        }
    }

    boolean setsPending() {
        return Membership.PENDING.equals(nextStatus);
    }

    void updated(MemberOutcome outcome) {
        if (!outcome.accepted()) {
            refused(outcome);
            return;
        }
        notePermission();
        accepted = true;
        nextWrite = Write.NONE;
        fieldsSent = plan.fields() != null;
        String status = nextStatus != null ? nextStatus : current == null ? Membership.SUBSCRIBED : current.status();
        become(status, current != null && current.placedByUs());
        if (permissionHeldBack) {
            current = withDigest(current, null); // the next run writes the permission, knowing the member's status
        }
    }

    private void notePermission() {
        Boolean permission = emailPermission();
        permissionHeldBack = foundExisting && Boolean.TRUE.equals(permission);
        permissionToWrite = permissionHeldBack ? null : permission;
    }

    Boolean permissionToWrite() {
        return permissionToWrite;
    }

    /**
     * Mailchimp did not take the permission: the member is as written otherwise, but our record forgets what it was
     * sent, so the next run writes it (and its permission) again.
     */
    void permissionNotWritten(String reason) {
        current = current == null ? null : withDigest(current, null);
        fieldsSent = false;
        failReason("permission_refused", reason);
    }

    /** A permanent refusal is remembered so no later run sends the address again unchanged; others are retried. */
    private void refused(MemberOutcome outcome) {
        failed = true;
        nextWrite = Write.NONE;
        switch (outcome.kind()) {
            case COMPLIANCE -> {
                // Refused even pending: cleaned (a bounced address). Refused subscribed: unsubscribed, or cleaned.
                become(Membership.PENDING.equals(nextStatus) ? Membership.CLEANED : Membership.UNSUBSCRIBED,
                        current != null && current.placedByUs());
                failReason("compliance", "Unsubscribed, bounced or under compliance review in Mailchimp; not subscribed");
            }
            case FORGOTTEN -> {
                become(Membership.REJECTED, current != null && current.placedByUs());
                current = withDigest(current, plan.digest());
                failReason("forgotten", "Permanently deleted from this Mailchimp audience; it cannot be added again");
            }
            case INVALID_ADDRESS -> {
                become(Membership.REJECTED, current != null && current.placedByUs());
                current = withDigest(current, plan.digest());
                failReason("invalid_address", "Mailchimp considers this address invalid");
            }
            default -> failReason("refused", "Mailchimp refused this member" + (outcome.field() == null || outcome.field().isBlank()
                    ? "" : " (field " + outcome.field() + (outcome.message() == null ? "" : ": " + outcome.message()) + ")")
                    + "; fix the audience's setup in Mailchimp, the next sync tries again");
        }
    }

    private void become(String status, boolean placedByUs) {
        Set<String> segments = current == null ? Set.of() : current.segments();
        String digest = fieldsSent ? plan.digest() : current == null ? null : current.digest();
        String entityKey = facts.records().isEmpty() ? (current == null ? null : current.entityKey())
                : facts.records().get(0).entityKey();
        current = new Membership(pass.orgId(), pass.listId(), plan.subscriberHash(), plan.email(), entityKey, status,
                digest, segments, placedByUs, now);
    }

    private static Membership withDigest(Membership membership, String digest) {
        return membership.with(membership.status(), digest, membership.segments(), membership.placedByUs(),
                membership.email(), membership.entityKey(), membership.updatedAt());
    }

    /** The placement just written is now what is stored. */
    void settle() {
        stored = current;
    }

    boolean mayTag() {
        return !dropped && !failed && current != null && !Membership.REJECTED.equals(current.status());
    }

    void tagged(String segmentId) {
        current = withSegments(segmentId, true);
        accepted = true;
        if (segmentId.equals(pass.runSegmentId())) {
            joined = true;
        }
    }

    void untagged(String segmentId) {
        current = withSegments(segmentId, false);
    }

    private Membership withSegments(String segmentId, boolean add) {
        Set<String> segments = new TreeSet<>(current.segments());
        if (add) {
            segments.add(segmentId);
        } else {
            segments.remove(segmentId);
        }
        return current.with(current.status(), current.digest(), segments, current.placedByUs(), current.email(),
                current.entityKey(), now);
    }

    /** About to archive: an unsubscribed or cleaned member keeps that state in our record (archived, it is still in compliance). */
    void archiving() {
        String status = Membership.archivedFrom(current.status());
        current = current.with(status, current.digest(), current.segments(), current.placedByUs(),
                current.email(), current.entityKey(), now);
    }

    void archived(AudiencePort.Archive outcome) {
        switch (outcome) {
            case ARCHIVED -> archived = true;
            case ABSENT -> current = null; // gone from the audience: nothing of ours is left there
            case REFUSED -> {
                // Mailchimp keeps it: we stop trying, and the next run takes our tags off it as it would for anyone's.
                Membership read = facts.ours();
                current = read.with(read.status(), read.digest(), read.segments(), false, read.email(), read.entityKey(), now);
                fail("archive_refused", "Mailchimp would not archive this member; it stays in the audience without our tags");
            }
        }
    }

    void drop() {
        dropped = true;
    }

    /** @param code what the run's history names the failure by (a short wire name) */
    void fail(String code, String reason) {
        failed = true;
        failReason(code, reason);
    }

    private String failure;
    private String failureCode;

    private void failReason(String code, String reason) {
        failureCode = code;
        failure = reason;
    }

    boolean failed() {
        return failed || dropped;
    }

    /** Whether Mailchimp accepted something that may put the address in front of its senders. */
    boolean sent() {
        return accepted && plan.sends() && !dropped;
    }

    Optional<MembershipChange> change() {
        if (Objects.equals(current, stored)) {
            return Optional.empty();
        }
        return Optional.of(new MembershipChange(plan.subscriberHash(), stored, current));
    }

    void count(RunCounts counts, String runSegmentId) {
        if (dropped) {
            counts.skip(SkipReason.CONSENT_CHANGED, entityKey(), plan.subscriberHash());
            return;
        }
        if (plan.skip() != null) {
            counts.skip(plan.skip(), entityKey(), plan.subscriberHash());
        }
        if (failure != null) {
            counts.fail(entityId(), entityKey(), plan.subscriberHash(), failureCode, failure);
        }
        if (accepted && Membership.PENDING.equals(plan.sendStatus())) {
            counts.pendingConfirmation.incrementAndGet();
        }
        if (accepted && Membership.UNSUBSCRIBED.equals(plan.sendStatus())) {
            counts.unsubscribed.incrementAndGet();
        }
        if (archived) {
            counts.archived.incrementAndGet();
        }
        boolean inSegment = runSegmentId != null && current != null && current.segments().contains(runSegmentId)
                && (Membership.SUBSCRIBED.equals(current.status()) || Membership.PENDING.equals(current.status()));
        if (plan.runWants() && !failed) {
            if (joined) {
                counts.added.incrementAndGet();
            } else if (fieldsSent) {
                counts.updated.incrementAndGet();
            } else if (inSegment && !plan.needsMailchimp()) {
                counts.unchanged.incrementAndGet();
            }
        }
        if (inSegment) {
            counts.inSegment.incrementAndGet();
        }
    }

    /** The person's directory record, or what our record of the address names; null when neither has one. */
    private String entityKey() {
        if (!facts.records().isEmpty()) {
            return facts.records().get(0).entityKey();
        }
        return facts.ours() == null ? null : facts.ours().entityKey();
    }

    private String entityId() {
        return facts.records().isEmpty() ? "address " + plan.subscriberHash().substring(0, 8) : facts.records().get(0).entityId();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
