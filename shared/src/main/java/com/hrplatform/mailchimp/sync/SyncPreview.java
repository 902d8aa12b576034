package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.sync.AddressPlan.Write;
import com.hrplatform.mailchimp.sync.AudiencePort.MemberOutcome;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a sync pass would do now, without doing it: the same walk as the sync ({@link AddressWalk}: the same moves,
 * snapshot, interrupted batches, windows and {@link AddressDecision}), then each plan carried through the sync's own
 * bookkeeping ({@link MemberProgress}) as if Mailchimp accepted every request, so the predicted counts are the ones
 * the run reports when Mailchimp does.
 * <p>
 * Nothing is written anywhere: Mailchimp is only read (an address move is predicted by reading both addresses), the
 * walk's own writes to our records (a move, an interrupted batch's resolution) stay in memory for the preview, an
 * interrupted batch's intent is left open for the sync to close, and no intent is opened.
 */
public final class SyncPreview {
    /** Examples kept per kind. */
    public static final int MAX_EXAMPLES = 50;
    static final String NO_TAG_YET = "This segment has no tag in the audience yet";

    private final SyncStores.Directory directory;
    private final SyncStores.Memberships memberships;
    private final SyncStores.Placements placements;
    private final SyncStores.Moves moves;
    private final int windowSize;
    private final Clock clock;

    public SyncPreview(SyncStores.Directory directory, SyncStores.Memberships memberships, SyncStores.Placements placements,
                       SyncStores.Moves moves, int windowSize, Clock clock) {
        this.directory = directory;
        this.memberships = memberships;
        this.placements = placements;
        this.moves = moves;
        this.windowSize = windowSize;
        this.clock = clock;
    }

    /** What a preview answers of one kind of change: how many, and a few of them. */
    public enum Kind {
        ADDED("added"), UPDATED("updated"), TAG_CHANGES("tagChanges"), UNSUBSCRIBED("unsubscribed"),
        ARCHIVED("archived"), PENDING_CONFIRMATION("pendingConfirmation"), SKIPPED("skipped"),
        ADDRESS_CHANGES("addressChanges"), OPT_OUTS_LEARNED("optOutsLearned"), FAILED("failed");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** One address of a kind: masked, why (a skip reason's wire name, else null) and what would change. */
    public record Example(String email, String reason, String detail) {
    }

    /**
     * Walks one pass (see {@link SyncPass}) up to {@code deadline} and adds what it would do to {@code tally}.
     *
     * @return whether the pass was walked to its end (false: stopped at the deadline)
     */
    public boolean pass(AudiencePort audience, SyncPass pass, Instant deadline, Tally tally) {
        RecordedMoves recorded = new RecordedMoves(moves);
        MembershipsInMemory ours = new MembershipsInMemory(memberships);
        ReadOnlyAudience readOnly = new ReadOnlyAudience(audience, tally, recorded,
                hash -> Optional.ofNullable(ours.find(pass.orgId(), pass.listId(), hash)).map(Membership::email).orElse(null));
        SyncContext context = new SyncContext(readOnly, new DirectoryWithOptOuts(directory, tally.optedOutAt), ours,
                new PlacementsLeftOpen(placements), null, null, recorded, Runnable::run, 1, windowSize, 1, attempt -> 0L, clock);
        AddressWalk.End end = new AddressWalk(context).walk(pass, null, deadline, tally.counts, new AddressWalk.Visitor() {
            @Override
            public void visit(AddressFacts facts, AddressPlan plan, String now) {
                carryOut(pass, facts, plan, now, tally);
            }

            @Override
            public boolean stopped() {
                return false;
            }
        });
        return end.finished();
    }

    /**
     * The plan through the sync's bookkeeping, in {@link BatchExecutor}'s order (write, tags, archive), with every
     * request accepted: consent that changes while the sync runs, and Mailchimp's refusals, cannot be foreseen.
     */
    private static void carryOut(SyncPass pass, AddressFacts facts, AddressPlan plan, String now, Tally tally) {
        BatchExecutor.Item item = new BatchExecutor.Item(facts, plan);
        RunCounts counts = tally.counts;
        int added = counts.added();
        int updated = counts.updated();
        int failed = counts.failed();
        List<String> tagged = new ArrayList<>();
        List<String> untagged = new ArrayList<>();
        if (plan.isNoop()) {
            new MemberProgress(item, null, now).count(counts, pass.runSegmentId()); // as SliceRunner counts a no-op
        } else {
            MemberProgress member = new MemberProgress(item, pass, now);
            if (member.wants(Write.CREATE)) {
                member.created(MemberOutcome.CREATED);
            }
            if (member.wants(Write.UPDATE)) {
                member.updated(MemberOutcome.UPDATED);
            }
            if (member.mayTag()) {
                for (String segmentId : new java.util.TreeSet<>(plan.tagAdds())) {
                    // The run's own segment gets its tag before the walk (the sync makes sure of it).
                    if (segmentId.equals(pass.runSegmentId()) || pass.tagIds().get(segmentId) != null) {
                        member.tagged(segmentId);
                        tagged.add(segmentId);
                    } else {
                        member.fail("no_tag", NO_TAG_YET);
                    }
                }
                for (String segmentId : new java.util.TreeSet<>(plan.tagRemoves())) {
                    if (pass.tagIds().get(segmentId) != null) {
                        member.untagged(segmentId);
                        untagged.add(segmentId);
                    }
                }
            }
            if (plan.archive() && !member.failed()) {
                member.archiving();
                member.archived(AudiencePort.Archive.ARCHIVED);
            }
            member.count(counts, pass.runSegmentId());
        }
        // The sync writes the opt-outs it learns before its next pass reads the directory: so does the preview, in memory.
        plan.optOuts().forEach(record -> tally.optedOutAt.put(record.entityKey(), plan.optOutAt() == null ? now : plan.optOutAt()));
        tally.classify(pass, plan, counts.added() > added, counts.updated() > updated, counts.failed() > failed,
                tagged, untagged);
    }

    /** {@code j***@example.com}: the first character and the domain, never the whole address. */
    public static String mask(String email) {
        if (email == null) {
            return "***";
        }
        int at = email.lastIndexOf('@');
        if (at <= 0) {
            return "***";
        }
        return email.charAt(0) + "***" + email.substring(at);
    }

    /** What the passes of one preview add up to: the sync's counts and the preview's own, with examples by kind. */
    public static final class Tally {
        final RunCounts counts = new RunCounts();
        private final java.util.function.Function<String, String> segmentName;
        private final Map<Kind, Integer> kinds = new java.util.EnumMap<>(Kind.class);
        private final Map<Kind, List<Example>> examples = new java.util.EnumMap<>(Kind.class);
        private int recheckedAfterInterruption;
        /** Records an earlier pass of this preview learned Mailchimp's unsubscribe for: when, by stable id. */
        private final Map<String, String> optedOutAt = new HashMap<>();

        /** @param segmentName a segment's name by id, for the examples of tag changes */
        public Tally(java.util.function.Function<String, String> segmentName) {
            this.segmentName = segmentName;
        }

        /** The counts the sync would report (as a run's {@code lastRun}). */
        public RunCounts counts() {
            return counts;
        }

        /** How many addresses fall under the kind. */
        public int count(Kind kind) {
            return switch (kind) {
                case ADDED -> counts.added();
                case UPDATED -> counts.updated();
                case UNSUBSCRIBED -> counts.unsubscribed();
                case ARCHIVED -> counts.archived();
                case PENDING_CONFIRMATION -> counts.pendingConfirmation();
                case FAILED -> counts.failed();
                case SKIPPED -> counts.skipped().values().stream().mapToInt(Integer::intValue).sum();
                default -> kinds.getOrDefault(kind, 0);
            };
        }

        public List<Example> examples(Kind kind) {
            return List.copyOf(examples.getOrDefault(kind, List.of()));
        }

        /** Addresses an interrupted earlier batch left open, looked up in Mailchimp first (as the sync does). */
        public int recheckedAfterInterruption() {
            return recheckedAfterInterruption;
        }

        private void example(Kind kind, String email, String reason, String detail) {
            List<Example> list = examples.computeIfAbsent(kind, key -> new ArrayList<>());
            if (list.size() < MAX_EXAMPLES) {
                list.add(new Example(mask(email), reason, detail));
            }
        }

        private void counted(Kind kind) {
            kinds.merge(kind, 1, Integer::sum);
        }

        void moved(String fromEmail, String toEmail) {
            counted(Kind.ADDRESS_CHANGES);
            example(Kind.ADDRESS_CHANGES, fromEmail, null, "Moves to " + mask(toEmail) + " in Mailchimp, keeping its history");
        }

        void rechecked() {
            recheckedAfterInterruption++;
        }

        void classify(SyncPass pass, AddressPlan plan, boolean added, boolean updated, boolean failed, List<String> tagged,
                      List<String> untagged) {
            String email = plan.email();
            boolean pending = Membership.PENDING.equals(plan.sendStatus());
            if (added) {
                example(Kind.ADDED, email, null, plan.write() == Write.CREATE ? "Added to the audience as subscribed, with the segment's tag"
                        : pending ? "Back as pending after a new opt-in (Mailchimp asks the person to confirm), with the segment's tag"
                        : plan.write() == Write.UPDATE ? "Subscribed again, with the segment's tag"
                        : "Already in the audience; gets the segment's tag");
            } else if (updated) {
                example(Kind.UPDATED, email, null, "Address, first and last name sent again: the directory's differ from what was last sent");
            }
            if (pending && !failed && plan.write() != Write.NONE) {
                example(Kind.PENDING_CONFIRMATION, email, null, "A new opt-in after Mailchimp's unsubscribe: Mailchimp asks the person to confirm");
            }
            if (Membership.UNSUBSCRIBED.equals(plan.sendStatus()) && !failed) {
                example(Kind.UNSUBSCRIBED, email, SkipReason.NO_CONSENT.wire(), "A record with this address opted out: unsubscribed in this audience");
            }
            if (plan.archive() && !failed) {
                example(Kind.ARCHIVED, email, null, pass.runSegmentId() == null
                        ? "The segment left this audience and no live segment of it selects the address: archived"
                        : "Placed by us, and no live segment of this audience selects the address any more: archived");
            }
            List<String> tagChanges = new ArrayList<>();
            tagged.stream().filter(id -> !added).forEach(id -> tagChanges.add("+ " + segmentName.apply(id)));
            untagged.forEach(id -> tagChanges.add("- " + segmentName.apply(id)));
            if (!tagChanges.isEmpty()) {
                counted(Kind.TAG_CHANGES);
                example(Kind.TAG_CHANGES, email, null, "Tags " + String.join(", ", tagChanges));
            }
            if (plan.skip() != null) {
                example(Kind.SKIPPED, email, plan.skip().wire(), plan.skip().text());
            }
            if (!plan.optOuts().isEmpty()) {
                counted(Kind.OPT_OUTS_LEARNED);
                example(Kind.OPT_OUTS_LEARNED, email, SkipReason.UNSUBSCRIBED.wire(), "Unsubscribed in Mailchimp after the last consent of "
                        + plan.optOuts().size() + (plan.optOuts().size() == 1 ? " record" : " records")
                        + ": marked opted out (source mailchimp:reconcile)");
            }
            if (failed) {
                example(Kind.FAILED, email, null, NO_TAG_YET);
            }
        }
    }

    // ------------------------------------------------------------------ the ports of a walk that writes nothing

    /** Reads pass through to Mailchimp; a move is predicted from two reads; any other write is refused. */
    private static final class ReadOnlyAudience implements AudiencePort {
        private final AudiencePort mailchimp;
        private final Tally tally;
        private final RecordedMoves moves;
        /** Our record's address at a hash: the old address of a move found by the stable id, not a recorded one. */
        private final java.util.function.Function<String, String> ourAddress;

        ReadOnlyAudience(AudiencePort mailchimp, Tally tally, RecordedMoves moves,
                         java.util.function.Function<String, String> ourAddress) {
            this.mailchimp = mailchimp;
            this.tally = tally;
            this.moves = moves;
            this.ourAddress = ourAddress;
        }

        private static IllegalStateException refused(String what) {
            return new IllegalStateException("A preview writes nothing to Mailchimp (" + what + ")");
        }

        @Override
        public AudienceSnapshot snapshot(String listId) {
            return mailchimp.snapshot(listId);
        }

        @Override
        public Map<String, MemberOutcome> create(String listId, List<MemberWrite> members) {
            throw refused("create");
        }

        @Override
        public Map<String, MemberOutcome> update(String listId, List<MemberWrite> members) {
            throw refused("update");
        }

        @Override
        public Set<String> tag(String listId, String tagId, List<String> addEmails, List<String> removeEmails) {
            throw refused("tag");
        }

        @Override
        public void writeEmailPermission(String listId, String subscriberHash, String permissionId, boolean enabled) {
            throw refused("marketing permission");
        }

        @Override
        public Archive archive(String listId, String subscriberHash) {
            throw refused("archive");
        }

        /** Only the walk's look at an interrupted batch's addresses asks for a member. */
        @Override
        public Optional<MemberView> member(String listId, String subscriberHash) {
            tally.rechecked();
            return mailchimp.member(listId, subscriberHash);
        }

        @Override
        public Optional<MemberView> memberToMove(String listId, String subscriberHash) {
            return mailchimp.member(listId, subscriberHash);
        }

        @Override
        public String ensureTag(String listId, String name, String knownTagId) {
            throw refused("ensureTag");
        }

        @Override
        public void deleteTag(String listId, String tagId) {
            throw refused("deleteTag");
        }

        @Override
        public List<String> audienceIds() {
            return mailchimp.audienceIds();
        }

        @Override
        public void unsubscribe(String listId, String subscriberHash) {
            throw refused("unsubscribe");
        }

        @Override
        public void unsubscribe(String listId, String subscriberHash, String emailPermissionId) {
            throw refused("unsubscribe");
        }

        /** As Mailchimp's PATCH would answer: true when the old address is there and the new one is not. */
        @Override
        public boolean changeAddress(String listId, String fromHash, String toEmail) {
            boolean moves = mailchimp.member(listId, fromHash).isPresent()
                    && mailchimp.member(listId, Contact.subscriberHash(toEmail)).isEmpty();
            if (moves) {
                String from = this.moves.fromEmail(fromHash);
                tally.moved(from != null ? from : ourAddress.apply(fromHash), toEmail);
            }
            return moves;
        }

        @Override
        public void deletePermanently(String listId, String subscriberHash) {
            throw refused("deletePermanently");
        }
    }

    /** The org's recent address moves, remembering the old addresses by hash for the examples. */
    private static final class RecordedMoves implements SyncStores.Moves {
        private final SyncStores.Moves moves;
        private final Map<String, String> fromByHash = new HashMap<>();

        RecordedMoves(SyncStores.Moves moves) {
            this.moves = moves;
        }

        @Override
        public List<Move> recent(String orgId) {
            List<Move> recent = moves.recent(orgId);
            recent.forEach(move -> fromByHash.put(Contact.subscriberHash(move.fromEmail()), move.fromEmail()));
            return recent;
        }

        String fromEmail(String hash) {
            return fromByHash.get(hash);
        }
    }

    /** The directory as stored, with the opt-outs the preview's earlier passes learned kept in memory over it. */
    private static final class DirectoryWithOptOuts implements SyncStores.Directory {
        private final SyncStores.Directory stored;
        private final Map<String, String> optedOutAt;

        DirectoryWithOptOuts(SyncStores.Directory stored, Map<String, String> optedOutAt) {
            this.stored = stored;
            this.optedOutAt = optedOutAt;
        }

        private Contact now(Contact record) {
            String at = optedOutAt.get(record.entityKey());
            return at == null ? record : record.withConsent(Contact.OPTED_OUT, at);
        }

        private List<Contact> now(List<Contact> records) {
            return optedOutAt.isEmpty() ? records : records.stream().map(this::now).toList();
        }

        @Override
        public SyncStores.Window window(String orgId, String afterHash, int limit) {
            SyncStores.Window window = stored.window(orgId, afterHash, limit);
            return new SyncStores.Window(now(window.people()), window.lastHash(), window.formerHashes());
        }

        @Override
        public SyncStores.Window window(String orgId, String afterHash, int limit, Set<String> filterFields) {
            SyncStores.Window window = stored.window(orgId, afterHash, limit, filterFields);
            return new SyncStores.Window(now(window.people()), window.lastHash(), window.formerHashes());
        }

        @Override
        public List<Contact> withAddress(String orgId, String subscriberHash) {
            return now(stored.withAddress(orgId, subscriberHash));
        }

        @Override
        public Set<String> formerHashes(String orgId, String entityKey) {
            return stored.formerHashes(orgId, entityKey);
        }

        @Override
        public Optional<Contact> person(String orgId, String entityKey) {
            return stored.person(orgId, entityKey).map(this::now);
        }
    }

    /** Our records as stored, with the walk's own changes kept in memory over them. */
    private static final class MembershipsInMemory implements SyncStores.Memberships {
        private final SyncStores.Memberships stored;
        /** By list, then hash: the record after the change; empty when deleted. */
        private final Map<String, TreeMap<String, Optional<Membership>>> changed = new HashMap<>();

        MembershipsInMemory(SyncStores.Memberships stored) {
            this.stored = stored;
        }

        @Override
        public List<Membership> range(String orgId, String listId, String afterHash, String toHash) {
            TreeMap<String, Optional<Membership>> mine = changed.getOrDefault(listId, new TreeMap<>());
            List<Membership> range = new ArrayList<>();
            for (Membership membership : stored.range(orgId, listId, afterHash, toHash)) {
                if (!mine.containsKey(membership.subscriberHash())) {
                    range.add(membership);
                }
            }
            mine.forEach((hash, membership) -> {
                if (membership.isPresent() && (afterHash == null || hash.compareTo(afterHash) > 0)
                        && (toHash == null || hash.compareTo(toHash) <= 0)) {
                    range.add(membership.get());
                }
            });
            range.sort((a, b) -> a.subscriberHash().compareTo(b.subscriberHash()));
            return range;
        }

        @Override
        public Membership find(String orgId, String listId, String subscriberHash) {
            Optional<Membership> mine = changed.getOrDefault(listId, new TreeMap<>()).get(subscriberHash);
            return mine != null ? mine.orElse(null) : stored.find(orgId, listId, subscriberHash);
        }

        @Override
        public void apply(String orgId, String listId, Collection<SyncStores.MembershipChange> changes) {
            TreeMap<String, Optional<Membership>> mine = changed.computeIfAbsent(listId, key -> new TreeMap<>());
            changes.forEach(change -> mine.put(change.subscriberHash(), Optional.ofNullable(change.after())));
        }
    }

    /** Interrupted batches' intents are read, and left open for the sync to resolve and close; none is stored. */
    private static final class PlacementsLeftOpen implements SyncStores.Placements {
        private final SyncStores.Placements stored;

        PlacementsLeftOpen(SyncStores.Placements stored) {
            this.stored = stored;
        }

        @Override
        public String open(String orgId, String listId, Collection<String> subscriberHashes, Collection<String> pendingHashes,
                           String stamp) {
            return "preview"; // a predicted move's: nothing is written, so nothing can be left half-known
        }

        @Override
        public void close(String orgId, String intentId) {
            // Left for the sync, which resolves the same addresses the same way.
        }

        @Override
        public Map<String, Intent> openIntents(String orgId, String listId) {
            return stored.openIntents(orgId, listId);
        }
    }
}
