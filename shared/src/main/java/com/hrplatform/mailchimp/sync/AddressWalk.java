package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.sync.SyncStores.MembershipChange;
import com.hrplatform.mailchimp.sync.SyncStores.Placements;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read-and-decide half of a slice, shared by the sync ({@link SliceRunner}) and its preview ({@link SyncPreview})
 * so the two cannot disagree: address moves first, then the audience's members that are not subscribed, then the
 * org's directory and our records of the audience together in subscriber-hash order, window by window, each address
 * decided by {@link AddressDecision} and handed to a {@link Visitor}. What the walk itself writes (a move, our record
 * of an address an interrupted batch left open) goes through the context's ports: the preview gives it ports that
 * keep such writes in memory.
 */
final class AddressWalk {
    /** Receives each address's facts and plan, in hash order. */
    interface Visitor {
        /** @param now the window's time */
        void visit(AddressFacts facts, AddressPlan plan, String now);

        /** Whether the walk should stop after the current window (a batch failed). */
        boolean stopped();
    }

    /** Where the walk ended: {@code afterHash} is where the next one starts (null once the pass is finished). */
    record End(String afterHash, boolean finished) {
    }

    private final SyncContext context;

    AddressWalk(SyncContext context) {
        this.context = context;
    }

    End walk(SyncPass pass, String startAfterHash, Instant deadline, RunCounts counts, Visitor visitor) {
        applyMoves(pass, counts);
        AudienceSnapshot snapshot = context.audience().snapshot(pass.listId());
        counts.mailchimpRequests.addAndGet(snapshot.requests());
        StaleIntents stale = new StaleIntents(context.placements(), pass, context.placements().openIntents(pass.orgId(), pass.listId()));
        // Only the directory fields the audience's segments filter on are read of each person ...
        Set<String> filterFields = new java.util.HashSet<>();
        pass.liveSegments().forEach(segment -> filterFields.addAll(segment.filter().anyOf().keySet()));
        // ... and those the audience's mapping sends.
        SegmentRule.audienceMapping(pass.liveSegments()).byTag().values()
                .forEach(field -> filterFields.add(field.wireName()));
        // Members moved by their stable id to an address the walk has not reached yet, by that address.
        Map<String, Relocation> relocations = new HashMap<>();
        // Addresses not reached yet whose member moved to an address the walk decided earlier: nothing left there.
        Set<String> movedAway = new java.util.HashSet<>();
        String after = startAfterHash;
        boolean finished = false;
        while (true) {
            SyncStores.Window window = context.directory().window(pass.orgId(), after, context.windowSize(), filterFields);
            List<Membership> known = context.memberships().range(pass.orgId(), pass.listId(), after, window.lastHash());
            String now = context.now();
            for (AddressFacts facts : WindowMerge.facts(pass, window.people(), known, snapshot, stale.in(after, window.lastHash()))) {
                if (movedAway.remove(facts.subscriberHash())) {
                    continue;
                }
                facts = stale.resolve(facts, counts);
                Relocation movedHere = relocations.remove(facts.subscriberHash());
                if (movedHere != null && facts.ours() == null) {
                    // Moved here from an address this window decided earlier: its facts were read before.
                    facts = movedHere.at(facts);
                }
                AddressPlan plan = AddressDecision.decide(facts, pass.emailPermissionId());
                if (plan.archive()) {
                    String here = facts.subscriberHash();
                    Relocation moved = relocated(pass, facts, to -> to.compareTo(here) > 0, counts);
                    if (moved != null) {
                        if (moved.moved() != null) {
                            relocations.put(moved.moved().subscriberHash(), moved);
                        }
                        continue;
                    }
                } else if (plan.write() == AddressPlan.Write.CREATE && facts.ours() == null) {
                    String here = facts.subscriberHash();
                    Relocation fetched = fetched(pass, facts, key -> window.formerHashes().getOrDefault(key, Set.of()),
                            snapshot::get, from -> from.compareTo(here) > 0, stale, counts);
                    if (fetched != null) {
                        movedAway.add(fetched.fromHash());
                        facts = fetched.at(facts);
                        plan = AddressDecision.decide(facts, pass.emailPermissionId());
                    }
                }
                visitor.visit(facts, plan, now);
            }
            if (window.lastHash() == null) {
                finished = true;
                break;
            }
            after = window.lastHash();
            if (!context.clock().instant().isBefore(deadline) || visitor.stopped()) {
                break;
            }
        }
        return new End(finished ? null : after, finished);
    }

    /**
     * A member we placed whose address nobody holds any more, about to be archived: if its person (our record's stable
     * id) is in the directory under another address that a live segment selects, the member moves there
     * ({@code PATCH email_address}, keeping its history) instead, as a recorded move would have done (those are kept a
     * week). Where the audience's mapping sends the stable id, Mailchimp's value must be that person's too. Only a
     * member subscribed by our record and by Mailchimp's ({@link #movable}), only to an address the walk has not
     * reached yet ({@code unreached}; nothing of ours there, nothing in flight): the walk then finds it there and
     * writes the person's fields. Otherwise the archive goes ahead and the new address is added, as before.
     */
    private Relocation relocated(SyncPass pass, AddressFacts facts, java.util.function.Predicate<String> unreached,
                                 RunCounts counts) {
        Membership old = facts.ours();
        if (old == null || !facts.records().isEmpty() || old.entityKey() == null
                || !Membership.SUBSCRIBED.equals(old.status()) || !movable(facts.mailchimp())) {
            return null;
        }
        Contact person = context.directory().person(pass.orgId(), old.entityKey()).orElse(null);
        if (person == null || person.email() == null || person.erased()
                || pass.liveSegments().stream().noneMatch(segment -> segment.selects(person))) {
            return null;
        }
        String to = person.subscriberHash();
        // Not reached yet by the walk (in this window or a later one): nothing decided there, nothing in flight.
        if (!unreached.test(to) || context.memberships().find(pass.orgId(), pass.listId(), to) != null) {
            return null;
        }
        Moved moved = move(pass, old, facts.subscriberHash(), person, counts);
        return moved == null ? null : new Relocation(facts.subscriberHash(), moved.at());
    }

    /**
     * Whether a member in this state in Mailchimp moves with its person: only a subscribed one. An unsubscribe at the
     * old address may have come after the person left it (someone else's no, learned where it was said); a bounced,
     * pending, archived or transactional member is not the person's to take along either.
     */
    private static boolean movable(AudienceStatus status) {
        return status == AudienceStatus.UNKNOWN; // as a snapshot lists a subscribed member: not at all
    }

    /**
     * Our member moved from {@code fromHash}, and our record of it at its new address; {@code moved} null when it was
     * not in the audience any more (our record of it is gone too: nothing to archive).
     */
    private record Relocation(String fromHash, Membership moved) {
        /** The facts of the address it moved to, with the moved member as our record of it. */
        AddressFacts at(AddressFacts facts) {
            return new AddressFacts(facts.subscriberHash(), facts.records(), facts.erased(), facts.mailchimp(),
                    facts.mailchimpChangedAt(), moved, facts.liveSegments(), facts.runSegmentId());
        }
    }

    /**
     * The same move seen from the other end: the walk is about to add a person whose record says they held other
     * addresses ({@code formerOf}, kept on the directory item), and at one the walk has not reached yet
     * ({@code unreached}) we placed their member, subscribed by our record, which nobody of the org holds any more,
     * with nothing in flight there and Mailchimp's status one that moves ({@link #movable}). That member moves here
     * instead of a new one being added (and the old one archived when the walk got there).
     */
    private Relocation fetched(SyncPass pass, AddressFacts facts, java.util.function.Function<String, Set<String>> formerOf,
                               java.util.function.Function<String, AudienceSnapshot.Entry> statusOf,
                               java.util.function.Predicate<String> unreached, StaleIntents stale, RunCounts counts) {
        for (Contact person : facts.records()) {
            for (String from : new TreeSet<>(formerOf.apply(person.entityKey()))) {
                if (from.equals(facts.subscriberHash()) || !unreached.test(from) || stale.holds(from)) {
                    continue;
                }
                Membership old = context.memberships().find(pass.orgId(), pass.listId(), from);
                if (old == null || !person.entityKey().equals(old.entityKey()) || !Membership.SUBSCRIBED.equals(old.status())
                        || !context.directory().withAddress(pass.orgId(), from).isEmpty()) {
                    continue;
                }
                if (!movable(statusOf.apply(from).status())) {
                    continue;
                }
                Moved moved = move(pass, old, from, person, counts);
                if (moved != null && moved.at() != null) {
                    return new Relocation(from, moved.at());
                }
            }
        }
        return null;
    }

    /**
     * Moves our member at {@code fromHash} to {@code person}'s address ({@code PATCH email_address}) and our record
     * with it; null when Mailchimp's stable id names someone else or Mailchimp has no member to move.
     */
    private Moved move(SyncPass pass, Membership old, String fromHash, Contact person, RunCounts counts) {
        for (var stableTag : SegmentRule.audienceMapping(pass.liveSegments()).byTag().entrySet()) {
            if (stableTag.getValue() == com.hrplatform.mailchimp.mapping.DirectoryField.STABLE_ID) {
                counts.mailchimpRequests.incrementAndGet();
                String held = context.audience().mergeFieldValue(pass.listId(), fromHash, stableTag.getKey())
                        .orElse(old.entityKey());
                if (!held.equals(old.entityKey())) {
                    return null; // Mailchimp says this member is someone else
                }
            }
        }
        return move(pass, old, fromHash, person.email(), person.entityKey(), counts);
    }

    /**
     * Moves our member at {@code fromHash} to {@code toEmail} in Mailchimp, then our record. Between the two, an
     * intent on both addresses is open, so a lost answer or a crash leaves nothing half-known: the next attempt asks
     * Mailchimp for the member at each and rebuilds our record of it, placed by us exactly when the old one was (the
     * intent carries the member's own signup stamp then, which a move keeps), or drops it where there is none.
     */
    private Moved move(SyncPass pass, Membership old, String fromHash, String toEmail, String entityKey,
                       RunCounts counts) {
        String to = Contact.subscriberHash(toEmail);
        counts.mailchimpRequests.incrementAndGet();
        AudiencePort.MemberView member = context.audience().memberToMove(pass.listId(), fromHash).orElse(null);
        if (member == null) {
            // Nothing there to move (an attempt that crashed moved it, its intent says so at the new address, or it
            // is gone): our record of it goes, as an archive answered "not in the audience" would take it.
            context.memberships().apply(pass.orgId(), pass.listId(), List.of(new MembershipChange(fromHash, old, null)));
            return Moved.ABSENT;
        }
        String stamp = old.placedByUs() && member.signupStamp() != null ? member.signupStamp() : "moved " + context.now();
        String intent = context.placements().open(pass.orgId(), pass.listId(), List.of(fromHash, to), List.of(), stamp);
        counts.mailchimpRequests.incrementAndGet();
        if (!context.audience().changeAddress(pass.listId(), fromHash, toEmail)) {
            context.placements().close(pass.orgId(), intent);
            return null;
        }
        Membership moved = new Membership(pass.orgId(), pass.listId(), to, toEmail, entityKey, old.status(),
                null, old.segments(), old.placedByUs(), context.now());
        context.memberships().apply(pass.orgId(), pass.listId(), List.of(new MembershipChange(fromHash, old, null),
                new MembershipChange(to, null, moved)));
        context.placements().close(pass.orgId(), intent);
        Moved done = new Moved(moved);
        // A move puts the new address in front of Mailchimp's senders, as an add does, so consent is checked again
        // after it, as after a batch: a no that came since the run read it takes the moved member back out.
        if (consentChangedLately(pass, to) && context.directory().withAddress(pass.orgId(), to).stream()
                .anyMatch(record -> record.optedOut() || record.erased())) {
            context.ledger().unsubscribeEverywhere(pass.orgId(), to);
        }
        return done;
    }

    /** A move's outcome: our record at the new address, or none when the member was not there to move. */
    private record Moved(Membership at) {
        static final Moved ABSENT = new Moved(null);
    }

    /** Whether the journal names a consent change at the address since the run read it (a preview has no journal). */
    private boolean consentChangedLately(SyncPass pass, String subscriberHash) {
        return context.journal() != null && context.journal().changesSince(pass.orgId(), pass.readAt().minus(BatchExecutor.SKEW))
                .stream().anyMatch(change -> change.subscriberHash().equals(subscriberHash));
    }

    /** Receives each address's facts and plan; the change path's walk has no windows to stop between. */
    interface AddressVisitor {
        void visit(AddressFacts facts, AddressPlan plan, String now);
    }

    /**
     * The change path's walk: moves and interrupted batches as {@link #walk}, then only the given addresses, each with
     * the org's records that hold it, our record, and Mailchimp's status, decided by {@link AddressDecision}.
     * Mailchimp's status of each is read by one GET per address when that is cheaper than reading the audience's
     * statuses (at least one request per status, see {@link #snapshotCost}), else by a snapshot, so Mailchimp's
     * unsubscribed or cleaned still wins.
     */
    void walkAddresses(SyncPass pass, Collection<String> subscriberHashes, RunCounts counts, AddressVisitor visitor) {
        Set<String> movedTo = applyMoves(pass, counts);
        // A member a move just put at a new address is decided there too, as the daily walk would.
        TreeSet<String> hashes = new TreeSet<>(subscriberHashes);
        hashes.addAll(movedTo);
        AudienceSnapshot statuses = statusesOf(pass.listId(), hashes);
        Set<String> read = Set.copyOf(hashes);
        counts.mailchimpRequests.addAndGet(statuses.requests());
        StaleIntents stale = new StaleIntents(context.placements(), pass, context.placements().openIntents(pass.orgId(), pass.listId()));
        Set<String> staleHashes = stale.in(null, null);
        String now = context.now();
        Set<String> visited = new java.util.HashSet<>();
        Set<String> movedAway = new java.util.HashSet<>();
        while (!hashes.isEmpty()) {
            String hash = hashes.pollFirst();
            visited.add(hash);
            if (movedAway.contains(hash)) {
                continue; // its member moved to an address decided earlier
            }
            List<Contact> records = context.directory().withAddress(pass.orgId(), hash);
            Membership ours = context.memberships().find(pass.orgId(), pass.listId(), hash);
            if (records.isEmpty() && ours == null && !staleHashes.contains(hash)) {
                continue; // nobody of ours at this address, here or in Mailchimp: nothing to decide
            }
            AddressFacts facts = stale.resolve(WindowMerge.factsOf(pass, hash, records, ours, statuses), counts);
            AddressPlan plan = AddressDecision.decide(facts, pass.emailPermissionId());
            if (plan.archive()) {
                // As the daily walk: the member of a person who moved goes with them, and is decided there next.
                Relocation moved = relocated(pass, facts, to -> !visited.contains(to), counts);
                if (moved != null) {
                    if (moved.moved() != null) {
                        hashes.add(moved.moved().subscriberHash()); // subscribed there, as its status read says of it
                    }
                    continue;
                }
            } else if (plan.write() == AddressPlan.Write.CREATE && facts.ours() == null) {
                // As the daily walk: a person who held another address takes their member from there.
                Relocation fetched = fetched(pass, facts, key -> context.directory().formerHashes(pass.orgId(), key),
                        from -> statusOf(pass.listId(), from, read, statuses, counts),
                        from -> !visited.contains(from), stale, counts);
                if (fetched != null) {
                    movedAway.add(fetched.fromHash());
                    facts = fetched.at(facts);
                    plan = AddressDecision.decide(facts, pass.emailPermissionId());
                }
            }
            visitor.visit(facts, plan, now);
        }
    }

    /** Mailchimp's status of one address: as read for the change's addresses, else by a GET of its own. */
    private AudienceSnapshot.Entry statusOf(String listId, String hash, Set<String> read, AudienceSnapshot statuses,
                                            RunCounts counts) {
        if (read.contains(hash)) {
            return statuses.get(hash);
        }
        counts.mailchimpRequests.incrementAndGet();
        return context.audience().memberStatus(listId, hash).filter(entry -> entry.status() != AudienceStatus.SUBSCRIBED)
                .orElse(new AudienceSnapshot.Entry(AudienceStatus.UNKNOWN, null));
    }

    /** Requests the last snapshot of each audience took in this container: what another would cost. */
    private static final Map<String, Integer> SNAPSHOT_COST = new ConcurrentHashMap<>();

    static int snapshotCost(String listId) {
        return SNAPSHOT_COST.getOrDefault(listId, AudienceStatus.READ.length);
    }

    /** Mailchimp's statuses of {@code hashes}: a GET each when fewer than a snapshot's requests, else a snapshot. */
    private AudienceSnapshot statusesOf(String listId, Set<String> hashes) {
        if (hashes.size() >= snapshotCost(listId)) {
            AudienceSnapshot snapshot = context.audience().snapshot(listId);
            SNAPSHOT_COST.put(listId, Math.max(AudienceStatus.READ.length, snapshot.requests()));
            return snapshot;
        }
        AudienceSnapshot statuses = new AudienceSnapshot();
        for (String hash : hashes) {
            statuses.countRequest();
            context.audience().memberStatus(listId, hash)
                    .filter(entry -> entry.status() != AudienceStatus.SUBSCRIBED) // as a snapshot lists them
                    .ifPresent(entry -> statuses.put(hash, entry.status(), entry.lastChanged()));
        }
        return statuses;
    }

    /**
     * People whose address changed: their member in this audience moves to the new address (keeping its history)
     * instead of the new one being added and the old one archived, unless someone else still holds the old address
     * (the member is theirs too: it stays, and the person is added at the new one). Oldest change first; done ones
     * find nothing. Answers the addresses members moved to.
     */
    private Set<String> applyMoves(SyncPass pass, RunCounts counts) {
        Set<String> movedTo = new TreeSet<>();
        for (SyncStores.Moves.Move move : context.moves().recent(pass.orgId())) {
            String from = Contact.subscriberHash(move.fromEmail());
            String to = Contact.subscriberHash(move.toEmail());
            Membership old = context.memberships().find(pass.orgId(), pass.listId(), from);
            if (from.equals(to) || old == null || old.isArchivedByUs()
                    || context.memberships().find(pass.orgId(), pass.listId(), to) != null
                    || !context.directory().withAddress(pass.orgId(), from).isEmpty()) {
                continue; // nothing to move, the new address has its own, or others still hold the old one
            }
            Moved moved = move(pass, old, from, Contact.normaliseEmail(move.toEmail()), move.entityKey(), counts);
            if (moved != null && moved.at() != null) {
                movedTo.add(to);
            }
        }
        return movedTo;
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

        /** Whether an interrupted batch left this address open (not resolved yet). */
        boolean holds(String hash) {
            return intentOfHash.containsKey(hash);
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
            // Not in the audience: whatever the interrupted attempt did, no member of ours is there (a move took it away).
            Membership resolved = context.audience().member(pass.listId(), facts.subscriberHash())
                    .map(view -> rebuild(facts, intent, view)).orElse(null);
            if (!java.util.Objects.equals(resolved, ours)) {
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
}
