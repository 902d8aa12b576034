package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.mapping.MergeFieldMapping;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.sync.AddressPlan.Write;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The sync's decision for one address in one audience: a pure function of {@link AddressFacts}, no I/O.
 * <p>
 * Consent is judged per address, because Mailchimp holds one member per address: the address may be sent to
 * through a segment only if no erasure tombstone matches, no record with the address opted out, and, where the
 * segment requires an explicit opt-in, every record with the address opted in. Mailchimp's own state wins over
 * ours: an unsubscribed or cleaned member is never sent {@code subscribed}; a new explicit opt-in given after
 * Mailchimp's unsubscribe brings it back as {@code pending} (Mailchimp asks the person to confirm); pending,
 * transactional and members someone else archived are left as they are. A member leaves only if we placed it
 * and no live segment of the audience selects it any more; a person who said no is unsubscribed, never archived
 * in silence.
 */
public final class AddressDecision {
    private AddressDecision() {
    }

    /** The address's state, from Mailchimp's listing and our record together. */
    enum State { ABSENT_OR_UNKNOWN, SUBSCRIBED, PENDING_OURS, PENDING_THEIRS, UNSUBSCRIBED, CLEANED, TRANSACTIONAL,
        ARCHIVED_BY_US, ARCHIVED_BY_THEM, REFUSED }

    public static AddressPlan decide(AddressFacts facts) {
        return decide(facts, null);
    }

    /**
     * @param emailPermissionId the audience's marketing permission chosen as email, or null: part of what is compared
     *                          with the member's digest, so choosing one updates the members already there once
     */
    public static AddressPlan decide(AddressFacts facts, String emailPermissionId) {
        List<Contact> records = facts.records();
        Membership ours = facts.ours();
        // Indexed by the live segments, not sets of ids: this runs for every person of a sync, and an address
        // belongs to a segment or two.
        List<SegmentRule> live = facts.liveSegments();
        boolean[] wanted = new boolean[live.size()];
        boolean anySelecting = false;
        boolean runSelects = false;
        boolean runWants = false;
        SegmentRule run = null;
        for (int i = 0; i < live.size(); i++) {
            SegmentRule segment = live.get(i);
            boolean isRun = segment.id().equals(facts.runSegmentId());
            if (isRun) {
                run = segment;
            }
            if (anySelected(segment, records)) {
                anySelecting = true;
                wanted[i] = consents(segment, records, facts.erased());
                runSelects |= isRun;
                runWants |= isRun && wanted[i];
            }
        }
        Plan plan = new Plan(facts, runSelects, runWants, pickFields(records, live),
                SegmentRule.audienceMapping(live), emailPermissionId);
        if (ours != null) {
            for (String id : ours.segments()) {
                if (!isLive(live, id)) {
                    plan.forget(id);
                }
            }
        }
        if (facts.erased()) {
            // The erasure removes the address everywhere; a sync only keeps away from it.
            return plan.skipIfSelected(SkipReason.ERASED).build();
        }
        boolean saidNo = anyOptedOut(records);
        boolean placed = ours != null && ours.placedByUs();
        boolean leaves = placed && !anySelecting;
        Unwanted unwanted = new Unwanted(ours, live, wanted);
        switch (state(facts)) {
            case ABSENT_OR_UNKNOWN -> {
                if (runWants) {
                    plan.write(Write.CREATE, Membership.SUBSCRIBED).tag(run.id());
                } else if (leaves) {
                    // Placed by us and left, yet not archived in Mailchimp: back without us (the person re-subscribed),
                    // or our archive never arrived. If it is gone altogether, the archive finds that out.
                    plan.archive = true;
                } else {
                    plan.skipIfSelected(SkipReason.NO_CONSENT);
                    // Back in the audience without us: it keeps no tag of ours it should not.
                    unwanted.removeFrom(plan);
                }
            }
            case SUBSCRIBED, PENDING_OURS -> {
                if (ours.status().equals(Membership.PENDING) && facts.mailchimp() == AudienceStatus.UNKNOWN) {
                    plan.learned = Membership.SUBSCRIBED; // Mailchimp no longer lists it as pending: confirmed
                }
                if (saidNo) {
                    plan.write(Write.UPDATE, Membership.UNSUBSCRIBED).skipIfSelected(SkipReason.NO_CONSENT);
                    plan.fields = null;
                } else if (runWants) {
                    if (!plan.digest.equals(ours.digest())) {
                        plan.write(Write.UPDATE, null);
                    }
                    if (!ours.segments().contains(run.id())) {
                        plan.tag(run.id());
                    }
                } else {
                    plan.skipIfSelected(SkipReason.NO_CONSENT);
                }
                if (leaves) {
                    plan.archive = true;
                } else {
                    unwanted.removeFrom(plan);
                }
            }
            case PENDING_THEIRS -> {
                if (saidNo) {
                    plan.write(Write.UPDATE, Membership.UNSUBSCRIBED).fields = null;
                }
                plan.skipIfSelected(saidNo ? SkipReason.NO_CONSENT : SkipReason.PENDING);
                plan.archive = leaves;
            }
            case UNSUBSCRIBED, CLEANED -> unsubscribedOrCleaned(facts, plan, saidNo, run, unwanted, leaves);
            case TRANSACTIONAL -> {
                plan.skipIfSelected(SkipReason.TRANSACTIONAL);
                plan.archive = leaves;
            }
            case ARCHIVED_BY_THEM -> plan.skipIfSelected(SkipReason.ARCHIVED);
            case ARCHIVED_BY_US -> {
                if (runWants) {
                    plan.write(Write.UPDATE, Membership.SUBSCRIBED).tag(run.id());
                    unwanted.removeFrom(plan);
                } else {
                    plan.skipIfSelected(SkipReason.NO_CONSENT);
                }
            }
            case REFUSED -> {
                if (runWants && !plan.digest.equals(ours.digest())) {
                    plan.write(Write.CREATE, Membership.SUBSCRIBED).tag(run.id());
                } else {
                    plan.skipIfSelected(runWants ? SkipReason.REFUSED : SkipReason.NO_CONSENT);
                }
            }
        }
        return plan.build();
    }

    /**
     * Mailchimp says the address unsubscribed (or bounced). Records whose consent predates that learn it as an
     * opt-out; if every record instead gave a new explicit opt-in after it, the address comes back as pending.
     */
    private static void unsubscribedOrCleaned(AddressFacts facts, Plan plan, boolean saidNo, SegmentRule run,
                                              Unwanted unwanted, boolean leaves) {
        boolean archived = facts.mailchimp() == AudienceStatus.ARCHIVED;
        boolean cleaned = facts.mailchimp() == AudienceStatus.CLEANED
                || archived && Membership.ARCHIVED_CLEANED.equals(facts.ours().status());
        Membership ours = facts.ours();
        boolean newConsent;
        if (archived) {
            // Archived after it unsubscribed: Mailchimp's time is the archive's, not the unsubscribe's. A record that
            // never stated a preference learns the opt-out; an explicit opt-in of every record brings it back.
            facts.records().stream().filter(record -> record.consent() == null).forEach(plan.optOuts::add);
            plan.optOutAt = facts.mailchimpChangedAt();
            newConsent = plan.optOuts.isEmpty() && !saidNo && plan.runWants
                    && facts.records().stream().allMatch(Contact::optedIn);
        } else {
            Instant changedAt = instant(facts.mailchimpChangedAt());
            for (Contact record : facts.records()) {
                if (!record.optedOut() && !optedInAfter(record, changedAt)) {
                    plan.optOuts.add(record);
                }
            }
            plan.optOutAt = facts.mailchimpChangedAt();
            newConsent = plan.optOuts.isEmpty() && !saidNo && plan.runWants;
        }
        if (newConsent && !cleaned) {
            plan.write(Write.UPDATE, Membership.PENDING);
            if (ours == null || !ours.segments().contains(run.id())) {
                plan.tag(run.id());
            }
            unwanted.removeFrom(plan);
            return;
        }
        plan.skipIfSelected(cleaned ? SkipReason.CLEANED : SkipReason.UNSUBSCRIBED);
        String status = cleaned ? Membership.CLEANED : Membership.UNSUBSCRIBED;
        if (ours != null && !archived && !status.equals(ours.status())) {
            plan.learned = status;
        }
        plan.archive = leaves && !archived;
    }

    static State state(AddressFacts facts) {
        Membership ours = facts.ours();
        String known = ours == null ? null : ours.status();
        return switch (facts.mailchimp()) {
            case PENDING -> Membership.PENDING.equals(known) ? State.PENDING_OURS : State.PENDING_THEIRS;
            // Archived by us while unsubscribed or cleaned, the address keeps that compliance state in Mailchimp.
            case ARCHIVED -> Membership.ARCHIVED.equals(known) ? State.ARCHIVED_BY_US
                    : Membership.ARCHIVED_UNSUBSCRIBED.equals(known) ? State.UNSUBSCRIBED
                    : Membership.ARCHIVED_CLEANED.equals(known) ? State.CLEANED : State.ARCHIVED_BY_THEM;
            case UNSUBSCRIBED -> State.UNSUBSCRIBED;
            case CLEANED -> State.CLEANED;
            case TRANSACTIONAL -> State.TRANSACTIONAL;
            case SUBSCRIBED -> ours == null ? State.ABSENT_OR_UNKNOWN : State.SUBSCRIBED;
            // Not listed: subscribed where we know it is (a pending one has been confirmed), else unknown
            // (absent, or added or re-added by someone else).
            case UNKNOWN -> Membership.SUBSCRIBED.equals(known) || Membership.PENDING.equals(known) ? State.SUBSCRIBED
                    : Membership.REJECTED.equals(known) ? State.REFUSED : State.ABSENT_OR_UNKNOWN;
        };
    }

    /** Whether the segment may send to the address: no tombstone, nobody said no, and its opt-in rule holds for all. */
    static boolean consents(SegmentRule segment, List<Contact> records, boolean erased) {
        if (erased || records.isEmpty() || anyOptedOut(records)) {
            return false;
        }
        if (segment.requireOptIn()) {
            for (Contact record : records) {
                if (!record.optedIn()) {
                    return false;
                }
            }
        }
        return true;
    }

    // Loops rather than streams in what runs for every person of a sync: a stream costs far more at tiered level 1.
    private static boolean anyOptedOut(List<Contact> records) {
        for (Contact record : records) {
            if (record.optedOut()) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLive(List<SegmentRule> live, String segmentId) {
        for (SegmentRule segment : live) {
            if (segment.id().equals(segmentId)) {
                return true;
            }
        }
        return false;
    }

    /** Our tags of live segments that no longer want the address: the tags it loses. */
    private record Unwanted(Membership ours, List<SegmentRule> live, boolean[] wanted) {
        void removeFrom(Plan plan) {
            if (ours == null) {
                return;
            }
            for (String id : ours.segments()) {
                if (isLive(live, id) && !wants(id)) {
                    plan.untag(id);
                }
            }
        }

        private boolean wants(String segmentId) {
            for (int i = 0; i < live.size(); i++) {
                if (wanted[i] && live.get(i).id().equals(segmentId)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static boolean anySelected(SegmentRule segment, List<Contact> records) {
        for (Contact record : records) {
            if (segment.selects(record)) {
                return true;
            }
        }
        return false;
    }

    private static boolean optedInAfter(Contact record, Instant changedAt) {
        Instant givenAt = instant(record.consentAt());
        return record.optedIn() && givenAt != null && changedAt != null && givenAt.isAfter(changedAt);
    }

    /**
     * The record whose fields Mailchimp gets: the first (in entity-key order) that a live segment selects, else the
     * first. The same for every segment of the audience, so two segments never take turns rewriting a member.
     */
    private static Contact pickFields(List<Contact> records, List<SegmentRule> live) {
        if (records.isEmpty()) {
            return null;
        }
        for (Contact record : records) {
            for (SegmentRule segment : live) {
                if (segment.selects(record)) {
                    return record;
                }
            }
        }
        return records.get(0);
    }

    /** What we send for a person under the default mapping; a change means their merge fields must be updated. */
    public static String digest(Contact person) {
        return MergeFieldMapping.DEFAULT.digest(person);
    }

    /**
     * What we send for a person under the audience's mapping, and the email permission the member has enabled when one
     * is chosen: a change of either means the member must be written again.
     */
    static String digest(Contact person, MergeFieldMapping mapping, String emailPermissionId) {
        String sent = mapping.digest(person);
        return emailPermissionId == null ? sent : Contact.md5Hex(sent + "\npermission:" + emailPermissionId);
    }

    private static Instant instant(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException e) {
            return java.time.OffsetDateTime.parse(iso).toInstant();
        }
    }

    /** The plan under construction. */
    private static final class Plan {
        private final AddressFacts facts;
        private final boolean runSelects;
        private final boolean runWants;
        private final String digest;
        private Contact fields;
        private final MergeFieldMapping mapping;
        private Write write = Write.NONE;
        private String sendStatus;
        // Made on the first id: most plans of a sync add, remove and forget no tag.
        private Set<String> adds = Set.of();
        private Set<String> removes = Set.of();
        private Set<String> forgets = Set.of();
        private boolean archive;
        private SkipReason skip;
        private final List<Contact> optOuts = new ArrayList<>();
        private String optOutAt;
        private String learned;

        /** @param mapping the audience's: the digest covers the values it sends, so a mapping change rewrites only those that differ */
        Plan(AddressFacts facts, boolean runSelects, boolean runWants, Contact fields, MergeFieldMapping mapping,
             String emailPermissionId) {
            this.facts = facts;
            this.runSelects = runSelects;
            this.runWants = runWants;
            this.fields = fields;
            this.mapping = mapping;
            this.digest = fields == null ? "" : digest(fields, mapping, emailPermissionId);
        }

        Plan write(Write kind, String status) {
            write = kind;
            sendStatus = status;
            return this;
        }

        Plan tag(String segmentId) {
            adds = with(adds, segmentId);
            return this;
        }

        void untag(String segmentId) {
            removes = with(removes, segmentId);
        }

        void forget(String segmentId) {
            forgets = with(forgets, segmentId);
        }

        private static Set<String> with(Set<String> ids, String id) {
            Set<String> more = ids.isEmpty() ? new TreeSet<>() : ids;
            more.add(id);
            return more;
        }

        Plan skipIfSelected(SkipReason reason) {
            if (runSelects && skip == null) {
                skip = reason;
            }
            return this;
        }

        AddressPlan build() {
            boolean withFields = write != Write.NONE && fields != null;
            return new AddressPlan(facts.subscriberHash(), facts.email(), write, sendStatus, withFields ? fields : null,
                    withFields ? digest : null, adds, archive ? Set.of() : removes, forgets, archive, skip, optOuts,
                    optOutAt, learned, runSelects, runWants, withFields ? mapping.values(fields) : null);
        }
    }
}
