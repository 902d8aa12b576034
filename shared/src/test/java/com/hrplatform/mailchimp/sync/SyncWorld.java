package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.segment.FilterCriteria;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A history played against the real sync core (decision, slice runner, batch executor) with the org and Mailchimp
 * in memory. The run orchestration here mirrors {@code SegmentSyncService}: pass 0 over the segment's audience,
 * then a release pass for each audience it left; a failed slice is run again, as SQS redelivers it.
 */
final class SyncWorld {
    static final String[] LISTS = {"L1", "L2"};

    /** A segment as the org defined it. */
    static final class Seg {
        final String id;
        String type;
        Set<String> departments;
        boolean requireOptIn;
        String listId;
        String tagId;
        boolean deleted;
        final List<String[]> releases = new ArrayList<>();
        boolean synced;

        Seg(String id, String type, Set<String> departments, boolean requireOptIn, String listId) {
            this.id = id;
            this.type = type;
            this.departments = departments;
            this.requireOptIn = requireOptIn;
            this.listId = listId;
        }

        SegmentRule rule() {
            return new SegmentRule(id, type, new FilterCriteria(Map.of("department", List.copyOf(departments))), requireOptIn);
        }

        String name() {
            return "Segment " + id;
        }
    }

    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    final Faults faults = new Faults();
    final MailchimpModel mailchimp = new MailchimpModel(faults, this::tick, LISTS);
    final OrgModel org = new OrgModel(faults, this::tick);
    final List<Seg> segments = new ArrayList<>();
    /** Per audience, the marketing permission chosen as email (as the connection stores it). */
    final Map<String, String> emailPermissions = new java.util.HashMap<>();
    /** Audiences walked whole since {@link #walked} was last cleared. */
    final Set<String> walked = new HashSet<>();
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return SyncWorld.this.tick();
        }
    };

    /** Time moves on a millisecond with every look at the clock, a second with every step of the history. */
    Instant tick() {
        now = now.plusMillis(1);
        return now;
    }

    void nextStep() {
        now = now.plusSeconds(1);
    }

    List<Seg> live(String listId) {
        return segments.stream().filter(s -> !s.deleted && s.listId.equals(listId)).toList();
    }

    /** What each slice that ended counted (a slice that failed is retried, its counts dropped as the worker does). */
    final List<RunCounts> counted = new java.util.ArrayList<>();

    /** Where batches are carried out: on the slice's own thread, unless a test wants a pool's. */
    java.util.concurrent.Executor batches = Runnable::run;


    /**
     * What a sync of the segment would do ({@link SyncPreview}), over the passes {@link #sync} makes: its audience,
     * then each other audience it must release (one pass per audience: a pass ends every release there).
     */
    SyncPreview.Tally preview(Seg segment) {
        SyncPreview preview = new SyncPreview(org, org, org, org, 2, clock);
        SyncPreview.Tally tally = new SyncPreview.Tally(id -> "Segment " + id);
        Instant deadline = clock.instant().plusSeconds(3600);
        preview.pass(mailchimp, passOf(segment.listId, segment), deadline, tally);
        new java.util.LinkedHashSet<>(segment.releases.stream().map(release -> release[0])
                .filter(listId -> !listId.equals(segment.listId)).toList())
                .forEach(listId -> preview.pass(mailchimp, passOf(listId, null), deadline, tally));
        return tally;
    }

    /** A pass as {@link #pass} builds it, without making sure of the run segment's tag (that is a write). */
    private SyncPass passOf(String listId, Seg runSegment) {
        Map<String, String> tagIds = new TreeMap<>();
        live(listId).stream().filter(s -> s.tagId != null).forEach(s -> tagIds.put(s.id, s.tagId));
        return new SyncPass(OrgModel.ORG, listId, runSegment == null ? null : runSegment.id,
                live(listId).stream().map(Seg::rule).toList(), tagIds, clock.instant(), emailPermissions.get(listId));
    }

    /** One slice of the segment's pass whose call {@code faultAt} fails, not run again: what a crash leaves behind. */
    void interrupted(Seg segment, int faultAt, boolean afterApplying) {
        SyncContext context = new SyncContext(mailchimp, org, org, org, org, org, org, batches, 3, 2, 2,
                attempt -> 0, clock);
        faults.arm(faultAt, afterApplying);
        try {
            segment.tagId = mailchimp.ensureTag(segment.listId, segment.name(), segment.tagId);
            SyncPass pass = passOf(segment.listId, segment);
            new SliceRunner(context).run(pass, null, clock.instant().plusSeconds(3600));
        } catch (RuntimeException e) {
            // the crash: the message would come back later
        } finally {
            faults.disarm();
        }
    }

    /** A sync run of one segment to its end (every slice, retried until it succeeds); false if it never did. */
    void sync(Seg segment, boolean sliced) {
        if (segment.deleted) {
            while (!segment.releases.isEmpty()) {
                pass(segment.releases.get(0)[0], null, sliced);
            }
            return;
        }
        pass(segment.listId, segment, sliced);
        segment.synced = true;
        while (!segment.releases.isEmpty()) {
            pass(segment.releases.get(0)[0], null, sliced);
        }
    }

    private void pass(String listId, Seg runSegment, boolean sliced) {
        SyncContext context = new SyncContext(mailchimp, org, org, org, org, org, org, batches, 3, 2, 2,
                attempt -> 0, clock);
        String after = null;
        int failures = 0;
        while (true) {
            try {
                Map<String, String> tagIds = new TreeMap<>();
                live(listId).stream().filter(s -> s.tagId != null).forEach(s -> tagIds.put(s.id, s.tagId));
                if (runSegment != null) {
                    runSegment.tagId = mailchimp.ensureTag(listId, runSegment.name(), runSegment.tagId);
                    tagIds.put(runSegment.id, runSegment.tagId);
                }
                SyncPass pass = new SyncPass(OrgModel.ORG, listId, runSegment == null ? null : runSegment.id,
                        live(listId).stream().map(Seg::rule).toList(), tagIds, clock.instant(), emailPermissions.get(listId));
                Instant deadline = sliced ? clock.instant() : clock.instant().plusSeconds(3600);
                SliceRunner.Result result = new SliceRunner(context).run(pass, after, deadline);
                counted.add(result.counts());
                after = result.afterHash();
                if (result.finished()) {
                    break;
                }
            } catch (RuntimeException e) {
                if (++failures > 10) {
                    throw new AssertionError("A slice kept failing", e);
                }
            }
        }
        for (int attempt = 1; ; attempt++) {
            try {
                endPass(listId);
                break;
            } catch (RuntimeException e) {
                if (attempt > 10) {
                    throw new AssertionError("Ending a pass kept failing", e);
                }
            }
        }
        walked.add(listId);
    }

    /**
     * The change path ({@code SegmentSyncService.processChanges}): the segment's pass for these addresses only, run
     * again after a failure as a redelivered change message would.
     */
    void changes(Seg segment, Set<String> hashes) {
        SyncContext context = new SyncContext(mailchimp, org, org, org, org, org, org, batches, 3, 2, 2,
                attempt -> 0, clock);
        for (int failures = 0; ; ) {
            try {
                Map<String, String> tagIds = new TreeMap<>();
                live(segment.listId).stream().filter(s -> s.tagId != null).forEach(s -> tagIds.put(s.id, s.tagId));
                if (segment.tagId == null) {
                    segment.tagId = mailchimp.ensureTag(segment.listId, segment.name(), null);
                }
                tagIds.put(segment.id, segment.tagId);
                SyncPass pass = new SyncPass(OrgModel.ORG, segment.listId, segment.id,
                        live(segment.listId).stream().map(Seg::rule).toList(), tagIds, clock.instant(),
                        emailPermissions.get(segment.listId));
                new SliceRunner(context).runAddresses(pass, hashes);
                return;
            } catch (RuntimeException e) {
                if (++failures > 10) {
                    throw new AssertionError("The change path kept failing", e);
                }
            }
        }
    }

    /** As {@code SegmentSyncService.endPass}: the audience was walked whole, so its pending releases are done. */
    private void endPass(String listId) {
        for (Seg segment : segments) {
            for (String[] release : List.copyOf(segment.releases)) {
                if (!release[0].equals(listId)) {
                    continue;
                }
                boolean inUse = live(listId).stream().anyMatch(s -> release[1] != null && release[1].equals(s.tagId));
                if (release[1] != null && !inUse) {
                    mailchimp.deleteTag(listId, release[1]);
                }
                segment.releases.remove(release);
            }
        }
    }

    /**
     * The consent worker: an address that said no is unsubscribed wherever it is subscribed or pending, unless its
     * records no longer say no (the record that did moved to another address, or opted in again).
     */
    void drainConsentQueue() {
        for (String hash : List.copyOf(org.unsubscribeQueue)) {
            List<Contact> records = org.withAddress(hash);
            if (!records.isEmpty() && records.stream().noneMatch(r -> r.optedOut() || r.erased())) {
                continue;
            }
            for (String listId : LISTS) {
                MailchimpModel.Member member = mailchimp.audience(listId).members.get(hash);
                if (member != null && ("subscribed".equals(member.status) || "pending".equals(member.status))) {
                    member.setStatus("unsubscribed", tick(), true);
                    Membership ours = org.memberships.get(listId + "|" + hash);
                    if (ours != null) {
                        org.memberships.put(listId + "|" + hash, ours.with(Membership.UNSUBSCRIBED, ours.digest(),
                                ours.segments(), ours.placedByUs(), ours.email(), ours.entityKey(), tick().toString()));
                    }
                }
            }
        }
        org.unsubscribeQueue.clear();
    }

    // ------------------------------------------------------------ what the invariants see

    /**
     * Whether the address may be sent to through this segment, written out here rather than taken from the product:
     * no tombstone, no record with the address opted out or erased, and for an opt-in segment every record opted in.
     */
    boolean consents(Seg segment, String hash) {
        List<Contact> records = org.withAddress(hash);
        if (records.isEmpty() || org.tombstones.contains(hash)) {
            return false;
        }
        for (Contact record : records) {
            if (Contact.OPTED_OUT.equals(record.consent()) || Contact.ERASED.equals(record.consent())
                    || segment.requireOptIn && !Contact.OPTED_IN.equals(record.consent())) {
                return false;
            }
        }
        return true;
    }

    /** Whether the segment selects a record with the address: its type and departments, consent aside. */
    boolean selects(Seg segment, String hash) {
        return org.withAddress(hash).stream().anyMatch(record -> ("mixed".equals(segment.type)
                || segment.type.equals(record.entityType())) && segment.departments.contains(record.department()));
    }

    Set<String> addresses() {
        Set<String> hashes = new HashSet<>();
        org.records().forEach(record -> hashes.add(record.subscriberHash()));
        return hashes;
    }
}
