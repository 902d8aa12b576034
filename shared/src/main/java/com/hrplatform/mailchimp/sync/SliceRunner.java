package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.sync.SyncStores.MembershipChange;
import com.hrplatform.mailchimp.sync.SyncStores.Placements;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One time-boxed slice of a pass over an audience. It reads the audience's members that are not subscribed,
 * then walks the org's directory and our records of the audience together in subscriber-hash order, window by
 * window, decides each address ({@link AddressDecision}) and hands batches to a {@link BatchExecutor}, a few at a
 * time. The slice only executes decisions; re-running it converges to the same audience.
 */
public final class SliceRunner {
    /** Archives are one request each: fewer of them per batch keeps batches of similar length. */
    private static final int ARCHIVES_PER_BATCH = 50;
    /** Addresses that only change our records, per batch. */
    private static final int ITEMS_PER_BATCH = 2000;

    private final SyncContext context;

    public SliceRunner(SyncContext context) {
        this.context = context;
    }

    /** What the slice did; {@code afterHash} is where the next slice starts (null once the pass is finished). */
    public record Result(RunCounts counts, String afterHash, boolean finished) {
    }

    public Result run(SyncPass pass, String startAfterHash, Instant deadline) {
        RunCounts counts = new RunCounts();
        applyMoves(pass, counts);
        AudienceSnapshot snapshot = context.audience().snapshot(pass.listId());
        counts.mailchimpRequests.addAndGet(snapshot.requests());
        StaleIntents stale = new StaleIntents(context.placements(), pass, context.placements().openIntents(pass.orgId(), pass.listId()));
        Pipeline pipeline = new Pipeline(new BatchExecutor(pass, context, counts));
        // Only the directory fields the audience's segments filter on are read of each person ...
        Set<String> filterFields = new java.util.HashSet<>();
        pass.liveSegments().forEach(segment -> filterFields.addAll(segment.filter().anyOf().keySet()));
        // ... and those the audience's mapping sends.
        SegmentRule.audienceMapping(pass.liveSegments()).byTag().values()
                .forEach(field -> filterFields.add(field.wireName()));
        String after = startAfterHash;
        boolean finished = false;
        // Members moved by their stable id to an address the walk has not reached yet, by that address.
        Map<String, Membership> relocations = new HashMap<>();
        try {
            while (true) {
                SyncStores.Window window = context.directory().window(pass.orgId(), after, context.windowSize(), filterFields);
                List<Membership> known = context.memberships().range(pass.orgId(), pass.listId(), after, window.lastHash());
                String now = context.now();
                for (AddressFacts facts : WindowMerge.facts(pass, window.people(), known, snapshot, stale.in(after, window.lastHash()))) {
                    facts = stale.resolve(facts, counts);
                    Membership movedHere = relocations.remove(facts.subscriberHash());
                    if (movedHere != null && facts.ours() == null) {
                        // Moved here from an address this window decided earlier: its facts were read before.
                        facts = new AddressFacts(facts.subscriberHash(), facts.records(), facts.erased(), facts.mailchimp(),
                                facts.mailchimpChangedAt(), movedHere, facts.liveSegments(), facts.runSegmentId());
                    }
                    AddressPlan plan = AddressDecision.decide(facts);
                    if (plan.archive()) {
                        Membership moved = relocated(pass, facts, counts);
                        if (moved != null) {
                            relocations.put(moved.subscriberHash(), moved);
                            continue;
                        }
                    }
                    pipeline.add(facts, plan, counts, pass.runSegmentId(), now);
                }
                if (window.lastHash() == null) {
                    finished = true;
                    break;
                }
                after = window.lastHash();
                if (!context.clock().instant().isBefore(deadline) || pipeline.failed()) {
                    break;
                }
            }
            pipeline.flush();
        } finally {
            pipeline.awaitAll();
        }
        pipeline.rethrow();
        return new Result(counts, finished ? null : after, finished);
    }

    /**
     * People whose address changed: their member in this audience moves to the new address (keeping its history)
     * instead of the new one being added and the old one archived. Oldest change first; done ones find nothing.
     */
    private void applyMoves(SyncPass pass, RunCounts counts) {
        for (SyncStores.Moves.Move move : context.moves().recent(pass.orgId())) {
            String from = Contact.subscriberHash(move.fromEmail());
            String to = Contact.subscriberHash(move.toEmail());
            Membership old = context.memberships().find(pass.orgId(), pass.listId(), from);
            if (from.equals(to) || old == null || old.isArchivedByUs()
                    || context.memberships().find(pass.orgId(), pass.listId(), to) != null) {
                continue;
            }
            counts.mailchimpRequests.incrementAndGet();
            if (context.audience().changeAddress(pass.listId(), from, Contact.normaliseEmail(move.toEmail()))) {
                Membership moved = new Membership(pass.orgId(), pass.listId(), to, Contact.normaliseEmail(move.toEmail()),
                        move.entityKey(), old.status(), null, old.segments(), old.placedByUs(), context.now());
                context.memberships().apply(pass.orgId(), pass.listId(), List.of(new MembershipChange(from, old, null),
                        new MembershipChange(to, null, moved)));
            }
        }
    }

    /**
     * A member we placed whose address nobody holds any more, about to be archived: if its person (our record's stable
     * id) is in the directory under another address that a live segment selects, the member moves there
     * ({@code PATCH email_address}, keeping its history) instead, as a recorded move would have done (those are kept a
     * week). Where the audience's mapping sends the stable id, Mailchimp's value must be that person's too. Only a
     * subscribed member, only to an address the walk has not reached yet (nothing of ours there, nothing in flight):
     * the walk then finds it there and writes the person's fields. Otherwise the archive goes ahead and the new
     * address is added, as before.
     */
    private Membership relocated(SyncPass pass, AddressFacts facts, RunCounts counts) {
        Membership old = facts.ours();
        if (old == null || !facts.records().isEmpty() || old.entityKey() == null
                || !Membership.SUBSCRIBED.equals(old.status())) {
            return null;
        }
        Contact person = context.directory().person(pass.orgId(), old.entityKey()).orElse(null);
        if (person == null || person.email() == null || person.erased()
                || pass.liveSegments().stream().noneMatch(segment -> segment.selects(person))) {
            return null;
        }
        String to = person.subscriberHash();
        // Not reached yet by the walk (in this window or a later one): nothing decided there, nothing in flight.
        if (to.compareTo(facts.subscriberHash()) <= 0 || context.memberships().find(pass.orgId(), pass.listId(), to) != null) {
            return null;
        }
        for (var stableTag : SegmentRule.audienceMapping(pass.liveSegments()).byTag().entrySet()) {
            if (stableTag.getValue() == com.hrplatform.mailchimp.mapping.DirectoryField.STABLE_ID) {
                counts.mailchimpRequests.incrementAndGet();
                String held = context.audience().mergeFieldValue(pass.listId(), facts.subscriberHash(), stableTag.getKey())
                        .orElse(old.entityKey());
                if (!held.equals(old.entityKey())) {
                    return null; // Mailchimp says this member is someone else
                }
            }
        }
        counts.mailchimpRequests.incrementAndGet();
        if (!context.audience().changeAddress(pass.listId(), facts.subscriberHash(), person.email())) {
            return null;
        }
        Membership moved = new Membership(pass.orgId(), pass.listId(), to, person.email(), old.entityKey(), old.status(),
                null, old.segments(), old.placedByUs(), context.now());
        context.memberships().apply(pass.orgId(), pass.listId(), List.of(new MembershipChange(facts.subscriberHash(), old, null),
                new MembershipChange(to, null, moved)));
        return moved;
    }

    /**
     * Intents left open by an attempt that crashed or lost an answer: before deciding such an address, the member's
     * signup stamp says whether that attempt added it (then we placed it) or it was there already.
     */
    private final class StaleIntents {
        private final Placements placements;
        private final SyncPass pass;
        private final Map<String, Placements.Intent> byId;
        private final Map<String, String> intentOfHash = new HashMap<>();

        StaleIntents(Placements placements, SyncPass pass, Map<String, Placements.Intent> open) {
            this.placements = placements;
            this.pass = pass;
            this.byId = new HashMap<>();
            open.forEach((id, intent) -> {
                byId.put(id, new Placements.Intent(intent.stamp(), new java.util.HashSet<>(intent.hashes()), intent.pendingHashes()));
                intent.hashes().forEach(hash -> intentOfHash.put(hash, id));
            });
        }

        Set<String> in(String afterHash, String toHash) {
            Set<String> hashes = new TreeSet<>();
            for (String hash : intentOfHash.keySet()) {
                if ((afterHash == null || hash.compareTo(afterHash) > 0) && (toHash == null || hash.compareTo(toHash) <= 0)) {
                    hashes.add(hash);
                }
            }
            return hashes;
        }

        AddressFacts resolve(AddressFacts facts, RunCounts counts) {
            String id = intentOfHash.remove(facts.subscriberHash());
            if (id == null) {
                return facts;
            }
            Placements.Intent intent = byId.get(id);
            counts.mailchimpRequests.incrementAndGet();
            Membership ours = facts.ours();
            Membership resolved = context.audience().member(pass.listId(), facts.subscriberHash())
                    .map(view -> rebuild(facts, intent, view)).orElse(ours);
            if (resolved != null && !resolved.equals(ours)) {
                context.memberships().apply(pass.orgId(), pass.listId(),
                        List.of(new MembershipChange(facts.subscriberHash(), ours, resolved)));
            }
            intent.hashes().remove(facts.subscriberHash());
            if (intent.hashes().isEmpty()) {
                placements.close(pass.orgId(), id);
            }
            return new AddressFacts(facts.subscriberHash(), facts.records(), facts.erased(), facts.mailchimp(),
                    facts.mailchimpChangedAt(), resolved, facts.liveSegments(), facts.runSegmentId());
        }

        /**
         * Our record of a member an unfinished batch touched, from Mailchimp's own view of it: our signup stamp on it
         * means our add created it; a pending the batch was setting is ours; its tags are what it carries.
         */
        private Membership rebuild(AddressFacts facts, Placements.Intent intent, AudiencePort.MemberView view) {
            Membership ours = facts.ours();
            boolean placedByUs = intent.stamp().equals(view.signupStamp()) || ours != null && ours.placedByUs();
            String known = ours == null ? null : ours.status();
            String status = switch (view.status()) {
                case SUBSCRIBED -> Membership.SUBSCRIBED;
                case PENDING -> intent.pendingHashes().contains(facts.subscriberHash()) ? Membership.PENDING
                        : known == null ? Membership.SUBSCRIBED : known;
                case UNSUBSCRIBED, CLEANED -> view.status().wire();
                default -> known == null ? Membership.SUBSCRIBED : known;
            };
            if (ours == null && !placedByUs && view.status() != AudienceStatus.SUBSCRIBED && !Membership.PENDING.equals(status)) {
                return null; // not ours in any way: nothing to record
            }
            Set<String> segments = new TreeSet<>();
            if (ours != null) {
                ours.segments().stream().filter(segment -> !pass.tagIds().containsKey(segment)).forEach(segments::add);
            }
            pass.tagIds().forEach((segment, tagId) -> {
                if (view.tagIds().contains(tagId)) {
                    segments.add(segment);
                }
            });
            return new Membership(pass.orgId(), pass.listId(), facts.subscriberHash(),
                    facts.email() == null ? null : facts.email(),
                    facts.records().isEmpty() ? ours == null ? null : ours.entityKey() : facts.records().get(0).entityKey(),
                    status, ours == null ? null : ours.digest(), segments, placedByUs, context.now());
        }
    }

    /** Fills batches and carries them out a few at a time; the first failure stops the slice. */
    private final class Pipeline {
        private final BatchExecutor executor;
        private final Semaphore inFlight;
        /** The first failure of a batch: an Error too, which must end the slice as it would a single thread. */
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private List<BatchExecutor.Item> batch = new ArrayList<>();
        private int writes;
        private int archives;

        Pipeline(BatchExecutor executor) {
            this.executor = executor;
            this.inFlight = new Semaphore(context.batchesInFlight());
        }

        /** @param now the window's time: a no-op changes no record, so it needs no time of its own */
        void add(AddressFacts facts, AddressPlan plan, RunCounts counts, String runSegmentId, String now) {
            BatchExecutor.Item item = new BatchExecutor.Item(facts, plan);
            if (plan.isNoop()) {
                new MemberProgress(item, null, now).count(counts, runSegmentId);
                return;
            }
            batch.add(item);
            if (plan.needsMailchimp() && !plan.archive()) {
                writes++;
            }
            if (plan.archive()) {
                archives++;
            }
            if (writes >= context.batchSize() || archives >= ARCHIVES_PER_BATCH || batch.size() >= ITEMS_PER_BATCH) {
                flush();
            }
        }

        void flush() {
            if (batch.isEmpty() || failed()) {
                return;
            }
            List<BatchExecutor.Item> items = batch;
            batch = new ArrayList<>();
            writes = 0;
            archives = 0;
            inFlight.acquireUninterruptibly();
            java.time.Instant callDeadline = com.hrplatform.mailchimp.mailchimp.CallDeadline.current().orElse(null);
            try {
                context.batches().execute(() -> {
                    try {
                        if (!failed()) {
                            // The invocation's deadline holds on the pool's threads too.
                            if (callDeadline == null) {
                                executor.execute(items);
                            } else {
                                com.hrplatform.mailchimp.mailchimp.CallDeadline.within(callDeadline, () -> {
                                    executor.execute(items);
                                    return null;
                                });
                            }
                        }
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        inFlight.release();
                    }
                });
            } catch (RuntimeException rejected) {
                inFlight.release();
                throw rejected;
            }
        }

        boolean failed() {
            return failure.get() != null;
        }

        void awaitAll() {
            inFlight.acquireUninterruptibly(context.batchesInFlight());
            inFlight.release(context.batchesInFlight());
        }

        void rethrow() {
            Throwable e = failure.get();
            if (e instanceof Error error) {
                throw error;
            }
            if (e != null) {
                throw (RuntimeException) e;
            }
        }
    }
}
