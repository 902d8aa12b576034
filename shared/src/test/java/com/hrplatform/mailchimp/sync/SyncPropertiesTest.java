package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.sync.SyncStores.ConsentJournal.Kind;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The consent promise as invariants over random histories (issue 10, acceptance 1): imports and directory changes
 * with shared addresses, opt-outs and opt-ins, erasures, what people and admins do in Mailchimp, segments created,
 * changed, moved and deleted, and syncs that lose an answer or crash at any call and are run again. After every
 * sync: nobody is subscribed or pending by us without the consent of every record with the address; no erased
 * address is written; every consenting address the segment selects is in its audience with its tag; nobody is
 * archived whom we did not place; everyone we placed who left every live segment is archived; and an unchanged
 * re-sync sends nothing. jqwik prints the seed of a failing history.
 */
class SyncPropertiesTest {
    private static final String[] ENTITIES = {"employee#e1", "employee#e2", "employee#e3", "vendor#v1", "vendor#v2"};
    private static final String[] EMAILS = {"ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com"};
    private static final String[] DEPARTMENTS = {"A", "B"};

    /** One step of a history; {@code a}, {@code b}, {@code c} pick what it is about. */
    record Step(int kind, int a, int b, int c, boolean flag, int faultAt) {
        @Override
        public String toString() {
            return KINDS[kind] + "(" + a + "," + b + "," + c + "," + flag + (faultAt >= 0 ? ", fault@" + faultAt : "") + ")";
        }
    }

    private static final String[] KINDS = {"upsert", "deleteContact", "optOut", "optIn", "erase", "createSegment",
            "updateSegment", "deleteSegment", "mailchimpSide", "sync", "syncAll", "optOutDuringSync"};

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.frequency(
                        weighted(4, 0), weighted(1, 1), weighted(3, 2), weighted(3, 3), weighted(1, 4), weighted(1, 5),
                        weighted(2, 6), weighted(1, 7), weighted(5, 8), weighted(5, 9), weighted(1, 10), weighted(2, 11)),
                Arbitraries.integers().between(0, 99), Arbitraries.integers().between(0, 99),
                Arbitraries.integers().between(0, 99), Arbitraries.of(true, false),
                Arbitraries.integers().between(-1, 25))
                .as(Step::new);
        return step.list().ofMinSize(4).ofMaxSize(30);
    }

    private static net.jqwik.api.Tuple.Tuple2<Integer, Integer> weighted(int weight, int kind) {
        return net.jqwik.api.Tuple.of(weight, kind);
    }

    /** A directory and segments to start from: everyone imported, one or two segments, a first sync. */
    @Provide
    Arbitrary<List<Step>> preludes() {
        Arbitrary<Step> person = Combinators.combine(Arbitraries.integers().between(0, 99),
                Arbitraries.integers().between(0, 99)).as((email, department) -> new Step(0, 0, email, department, false, -1));
        Arbitrary<Step> segment = Combinators.combine(Arbitraries.integers().between(0, 99),
                Arbitraries.integers().between(0, 99), Arbitraries.of(true, false, false))
                .as((typeAndList, departments, optIn) -> new Step(5, 0, typeAndList, departments, optIn, -1));
        return Combinators.combine(person.list().ofSize(ENTITIES.length), segment.list().ofMinSize(1).ofMaxSize(2))
                .as((people, segments) -> {
                    List<Step> prelude = new ArrayList<>();
                    for (int i = 0; i < people.size(); i++) {
                        Step p = people.get(i);
                        prelude.add(new Step(0, i, p.b(), p.c(), false, -1));
                    }
                    prelude.addAll(segments);
                    prelude.add(new Step(10, 0, 0, 0, false, -1));
                    return prelude;
                });
    }

    @Property // 1,000 tries (junit-platform.properties: jqwik.tries.default); -Djqwik.tries.default=N for more
    void theConsentPromiseHoldsOverRandomHistories(@ForAll("preludes") List<Step> prelude,
                                                   @ForAll("histories") @Size(max = 30) List<Step> steps) {
        SyncWorld world = new SyncWorld();
        List<Step> history = new ArrayList<>(prelude);
        history.addAll(steps);
        for (Step step : history) {
            world.nextStep();
            apply(world, step);
            world.drainConsentQueue();
        }
        // The daily run at the end: every live segment, then every invariant over the whole org.
        syncAll(world, new Step(10, 0, 0, 0, false, -1), world.segments);
        // What the histories exercised, so a run shows the paths were walked, not only that nothing failed.
        Statistics.label("faults fired").collect(world.faults.fired() == 0 ? "none" : world.faults.fired() < 3 ? "1-2" : "3+");
        Statistics.label("archives").collect(count(world, "archive") > 0);
        Statistics.label("pending sent").collect(world.mailchimp.audiences.values().stream()
                .flatMap(a -> a.members.values().stream()).anyMatch(m -> "pending".equals(m.status) && m.statusByUs));
        Statistics.label("placed by us").collect(world.mailchimp.audiences.values().stream()
                .flatMap(a -> a.members.values().stream()).anyMatch(m -> m.createdByUs));
        Statistics.label("shared address").collect(world.org.records().stream().map(Contact::subscriberHash).distinct().count()
                < world.org.records().size());
    }

    private static long count(SyncWorld world, String write) {
        return world.mailchimp.writes.stream().filter(w -> w.startsWith(write)).count();
    }

    void apply(SyncWorld world, Step step) {
        OrgModel org = world.org;
        String entity = ENTITIES[step.a() % ENTITIES.length];
        switch (step.kind()) {
            case 0 -> upsert(world, entity, EMAILS[step.b() % EMAILS.length], DEPARTMENTS[step.c() % 2]);
            case 1 -> org.remove(entity);
            case 2 -> org.state(entity, false);
            case 3 -> org.state(entity, true);
            case 4 -> erase(world, entity);
            case 5 -> {
                if (world.segments.size() < 4) {
                    String type = new String[]{"employee", "vendor", "mixed"}[step.b() % 3];
                    world.segments.add(new SyncWorld.Seg("s" + world.segments.size(), type, departments(step.c()),
                            step.flag(), SyncWorld.LISTS[step.b() % 2]));
                }
            }
            case 6 -> segment(world, step).ifPresent(segment -> {
                segment.departments = departments(step.c());
                segment.requireOptIn = step.flag();
                String listId = SyncWorld.LISTS[step.b() % 2];
                if (!listId.equals(segment.listId)) {
                    // As SegmentService.update: back in an audience whose release is pending, the segment's tag there.
                    String tagBack = segment.releases.stream().filter(release -> release[0].equals(listId))
                            .map(release -> release[1]).filter(java.util.Objects::nonNull).findFirst().orElse(null);
                    segment.releases.removeIf(release -> release[0].equals(listId));
                    if (segment.synced) {
                        segment.releases.add(new String[]{segment.listId, segment.tagId});
                    }
                    segment.listId = listId;
                    segment.tagId = tagBack;
                }
            });
            case 7 -> segment(world, step).ifPresent(segment -> {
                segment.deleted = true;
                if (segment.synced) {
                    segment.releases.add(new String[]{segment.listId, segment.tagId});
                }
            });
            case 8 -> mailchimpSide(world, step);
            case 9, 11 -> segment(world, step).ifPresent(segment -> sync(world, step, List.of(segment)));
            case 10 -> syncAll(world, step, world.segments);
            default -> throw new IllegalStateException();
        }
    }

    private static java.util.Optional<SyncWorld.Seg> segment(SyncWorld world, Step step) {
        List<SyncWorld.Seg> live = world.segments.stream().filter(s -> !s.deleted).toList();
        return live.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(live.get(step.a() % live.size()));
    }

    private static Set<String> departments(int pick) {
        return switch (pick % 3) {
            case 0 -> Set.of("A");
            case 1 -> Set.of("B");
            default -> Set.of("A", "B");
        };
    }

    private static void upsert(SyncWorld world, String entity, String email, String department) {
        if (world.org.tombstones.contains(Contact.subscriberHash(email))) {
            return; // an import of an erased address is refused
        }
        String[] key = entity.split("#");
        Contact old = world.org.find(entity);
        String consent = old == null ? null : old.consent();
        String consentAt = old == null ? null : old.consentAt();
        boolean moved = old != null && !old.email().equals(email);
        if (moved && old.erased()) {
            // The erasure was of the old address: the person's own stated preference applies again.
            String[] stated = world.org.statedBeforeErasure.getOrDefault(entity, new String[2]);
            consent = stated[0];
            consentAt = stated[1];
        }
        world.org.put(new Contact(key[1], key[0], email, "First " + key[1], "Last", department, null, null, null, null,
                consent, consentAt));
        if (moved && Contact.OPTED_OUT.equals(consent)) {
            world.org.unsubscribeQueue.add(Contact.subscriberHash(email)); // the no goes with the person
        }
    }

    /** As the erasure does: tombstone, delete-permanent everywhere, the person's records gone, shared ones marked. */
    private static void erase(SyncWorld world, String entity) {
        Contact contact = world.org.find(entity);
        if (contact == null) {
            return;
        }
        String hash = contact.subscriberHash();
        world.org.tombstones.add(hash);
        world.org.record(Kind.ERASURE, hash, entity, world.tick().toString());
        for (String listId : SyncWorld.LISTS) {
            world.mailchimp.deletePermanently(listId, hash);
            world.org.memberships.remove(listId + "|" + hash);
        }
        world.org.remove(entity);
        for (Contact other : world.org.withAddress(hash)) {
            if (!other.erased()) {
                world.org.statedBeforeErasure.put(other.entityKey(), new String[]{other.consent(), other.consentAt()});
                world.org.put(other.withConsent(Contact.ERASED, world.tick().toString()));
            }
        }
    }

    private static void mailchimpSide(SyncWorld world, Step step) {
        String listId = SyncWorld.LISTS[step.b() % 2];
        String email = EMAILS[step.a() % EMAILS.length];
        String hash = Contact.subscriberHash(email);
        MailchimpModel.Member member = world.mailchimp.audience(listId).members.get(hash);
        String status = member == null ? null : member.status;
        switch (step.c() % 6) {
            case 0 -> { // the person unsubscribes; the webhook may or may not arrive
                if ("subscribed".equals(status) || "pending".equals(status)) {
                    world.mailchimp.external(listId, email, "unsubscribed");
                    if (step.flag()) {
                        webhookOptOut(world, hash);
                    }
                }
            }
            case 1 -> { // the person re-subscribes on a Mailchimp form
                if ("unsubscribed".equals(status)) {
                    world.mailchimp.external(listId, email, "subscribed");
                }
            }
            case 2 -> { // someone's double opt-in form, or the person confirming ours
                if (member == null || "subscribed".equals(status)) {
                    world.mailchimp.external(listId, email, "pending");
                } else if ("pending".equals(status)) {
                    world.mailchimp.external(listId, email, "subscribed");
                }
            }
            case 3 -> {
                if (member == null || "subscribed".equals(status)) {
                    world.mailchimp.external(listId, email, "transactional");
                }
            }
            case 4 -> {
                if (member != null && !"archived".equals(status)) {
                    world.mailchimp.external(listId, email, "archived");
                }
            }
            default -> {
                if (member != null && !"archived".equals(status)) {
                    world.mailchimp.external(listId, email, "cleaned");
                    if (step.flag()) {
                        webhookOptOut(world, hash);
                    }
                }
            }
        }
    }

    private static void webhookOptOut(SyncWorld world, String hash) {
        for (Contact record : world.org.withAddress(hash)) {
            if (!record.optedOut() && !record.erased()) {
                world.org.state(record.entityKey(), false);
            }
        }
    }

    private void syncAll(SyncWorld world, Step step, List<SyncWorld.Seg> segments) {
        sync(world, step, List.copyOf(segments));
    }

    private void sync(SyncWorld world, Step step, List<SyncWorld.Seg> toSync) {
        boolean sliced = step.flag();
        if (step.faultAt() >= 0) {
            world.faults.arm(step.faultAt(), step.b() % 2 == 0);
        }
        if (step.kind() == 11) {
            // A person opts out while the sync runs: at one of its calls, the opt-out lands.
            String entity = ENTITIES[step.c() % ENTITIES.length];
            world.faults.onCall(step.c() % 12, () -> {
                world.org.state(entity, false);
                world.drainConsentQueue(); // a quick consent worker: the sync's older view must not undo it
            });
        }
        world.walked.clear();
        world.mailchimp.written.clear();
        for (SyncWorld.Seg segment : toSync) {
            world.sync(segment, sliced);
        }
        world.faults.disarm();
        world.drainConsentQueue();
        check(world, toSync, "after " + step);
        // Converged: once more to let anything that waited (a consent change mid-run) through, then nothing to do.
        for (SyncWorld.Seg segment : toSync) {
            world.sync(segment, false);
        }
        world.drainConsentQueue();
        check(world, toSync, "after settling " + step);
        int writes = world.mailchimp.writes.size();
        for (SyncWorld.Seg segment : toSync) {
            world.sync(segment, !sliced);
        }
        assertEquals(List.of(), world.mailchimp.writes.subList(writes, world.mailchimp.writes.size()),
                "an unchanged re-sync sent writes, " + step);
    }

    /** The state of the world, for a failing history's report. */
    private static String dump(SyncWorld world) {
        StringBuilder out = new StringBuilder("\n");
        world.org.records().forEach(r -> out.append("  record ").append(r.entityKey()).append(' ').append(r.email())
                .append(' ').append(r.department()).append(' ').append(r.consent()).append('@').append(r.consentAt()).append('\n'));
        world.mailchimp.audiences.values().forEach(a -> a.members.values().forEach(m -> out.append("  ").append(a.id)
                .append(' ').append(m.email).append(' ').append(m.status).append(" before=").append(m.statusBeforeArchive)
                .append(" byUs=").append(m.statusByUs).append(" placedTruth=").append(m.createdByUs).append(" changed=")
                .append(m.lastChanged).append('\n')));
        world.org.memberships.values().forEach(m -> out.append("  ours ").append(m).append('\n'));
        world.segments.forEach(s -> out.append("  segment ").append(s.id).append(' ').append(s.type).append(' ')
                .append(s.departments).append(" optIn=").append(s.requireOptIn).append(' ').append(s.listId)
                .append(" deleted=").append(s.deleted).append('\n'));
        return out.toString();
    }

    /** The invariants, for the audiences the sync walked and the segments it synced. */
    private static void check(SyncWorld world, List<SyncWorld.Seg> synced, String when) {
        List<String> problems = new ArrayList<>(world.mailchimp.violations);
        world.mailchimp.written.stream().filter(world.org.tombstones::contains)
                .forEach(hash -> problems.add(hash.substring(0, 6) + " was erased, yet the sync wrote it"));
        Set<String> walked = world.walked;
        for (String listId : SyncWorld.LISTS) {
            MailchimpModel.Audience audience = world.mailchimp.audience(listId);
            for (MailchimpModel.Member member : audience.members.values()) {
                List<Contact> records = world.org.withAddress(member.hash);
                boolean saidNo = world.org.tombstones.contains(member.hash)
                        || records.stream().anyMatch(r -> r.optedOut() || r.erased());
                boolean active = "subscribed".equals(member.status) || "pending".equals(member.status);
                if (active && member.statusByUs && saidNo) {
                    problems.add(member.email + " is " + member.status + " in " + listId + " by us, but said no");
                }
                if (world.org.tombstones.contains(member.hash) && (member.statusByUs || member.createdByUs)) {
                    problems.add(member.email + " was erased yet we keep it in " + listId);
                }
                boolean selected = world.live(listId).stream().anyMatch(s -> world.selects(s, member.hash));
                if (walked.contains(listId) && member.createdByUs && !"archived".equals(member.status) && !selected) {
                    problems.add(member.email + " was placed by us in " + listId + " and left every segment, not archived");
                }
            }
        }
        for (SyncWorld.Seg segment : synced) {
            if (segment.deleted) {
                continue;
            }
            MailchimpModel.Audience audience = world.mailchimp.audience(segment.listId);
            Set<String> tagged = audience.tagMembers.getOrDefault(segment.tagId, Set.of());
            for (String hash : world.addresses()) {
                if (!world.selects(segment, hash) || !world.consents(segment, hash)) {
                    continue;
                }
                MailchimpModel.Member member = audience.members.get(hash);
                String status = member == null ? "absent" : member.status;
                // A bounced address stays cleaned, archived or not: Mailchimp takes it back from nobody.
                boolean leftAsItIs = "transactional".equals(status) || member != null && "cleaned".equals(member.effectiveStatus())
                        || ("pending".equals(status) || "archived".equals(status)) && !member.statusByUs;
                boolean in = "subscribed".equals(status) || "pending".equals(status) && member.statusByUs;
                if (!leftAsItIs && (!in || !tagged.contains(hash))) {
                    problems.add(hash.substring(0, 6) + " consents to " + segment.id + " but is " + status
                            + (tagged.contains(hash) ? "" : ", untagged") + " in " + segment.listId);
                }
            }
            for (String hash : tagged) {
                MailchimpModel.Member member = audience.members.get(hash);
                if (member != null && "subscribed".equals(member.status)
                        && (!world.selects(segment, hash) || !world.consents(segment, hash))) {
                    problems.add(hash.substring(0, 6) + " carries " + segment.id + "'s tag without its consent");
                }
            }
        }
        // The run history: every skip and failure counted is listed once, by record and reason, never by address.
        for (RunCounts counts : world.counted) {
            int counted = counts.failed() + counts.skipped().values().stream().mapToInt(Integer::intValue).sum();
            if (counts.issues().size() != counted) {
                problems.add(counts.issues().size() + " skips and failures listed, " + counted + " counted");
            }
            for (RunCounts.MemberIssue issue : counts.issues()) {
                if (String.valueOf(issue).contains("@") || issue.reason() == null
                        || issue.hashPrefix() == null || issue.hashPrefix().length() != 8) {
                    problems.add("a listed skip or failure is not as the history keeps it: " + issue.reason());
                }
            }
        }
        world.counted.clear();
        if (!problems.isEmpty()) {
            fail(when + ": " + problems + dump(world));
        }
    }
}
