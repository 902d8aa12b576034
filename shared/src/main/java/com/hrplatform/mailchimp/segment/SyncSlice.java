package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import com.hrplatform.mailchimp.membership.PlacementIntents;
import com.hrplatform.mailchimp.preference.ConsentRecorder;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One slice of a segment sync. The main thread merges people and memberships window by window and
 * fills batches of at most 500; full batches go to the sender pool, where each writes its placement
 * intent, sends one Mailchimp request inside one of {@code concurrency} request slots, and hands its
 * outcome to the membership writers. A few batches more than the slots are prepared ahead, so a slot
 * that frees up is taken by a ready request at once.
 */
final class SyncSlice {
    /**
     * Membership writes run beside the Mailchimp requests rather than inside their slot, so the slow
     * side (Mailchimp latency or DynamoDB throughput) sets the pace, not their sum. Once per container.
     */
    private static final int WRITER_THREADS = 8;
    private static final int PREPARED_AHEAD = 4;
    private static final ExecutorService WRITERS = Executors.newFixedThreadPool(WRITER_THREADS, runnable -> {
        Thread thread = new Thread(runnable, "sync-membership-writer");
        thread.setDaemon(true);
        return thread;
    });

    private final Segment segment;
    /** The segment's tag id; it may still be being looked up, and only tag changes need it. */
    private final Supplier<String> tagId;
    private final String batchPrefix;
    private final MailchimpApiKey key;
    private final Set<String> liveSegmentIds;
    private final Set<String> openIntents;
    private final SyncSettings settings;
    private final MailchimpClient mailchimp;
    private final ContactRepository contacts;
    private final MembershipRepository memberships;
    private final PlacementIntents intents;
    private final ConsentRecorder consent;
    private final ExecutorService senders;
    private final Clock clock;

    private final SyncCounts counts = new SyncCounts();
    /**
     * Batches being prepared or sent: a few more than the request slots, so the next batch has written its
     * placement intent by the time a slot frees up. Also bounds the memory of queued batches.
     */
    private final Semaphore batchesInProgress;
    /** Mailchimp requests in flight: the concurrency limit. */
    private final Semaphore requestSlots;
    /** Bounds the batches of memberships waiting to be written (memory stays bounded). */
    private final Semaphore pendingWrites = new Semaphore(WRITER_THREADS * 2);
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicInteger batchSequence = new AtomicInteger();
    private List<MemberWrite> subscribeBatch = new ArrayList<>();
    private List<Membership> tagAdds = new ArrayList<>();
    private List<Membership> tagRemoves = new ArrayList<>();
    private String afterHash;
    private CompletableFuture<ContactRepository.HashWindow> firstPeople;
    private boolean finished;

    /** A person to send in a batch-subscribe request; {@code status} null leaves their Mailchimp status alone. */
    private record MemberWrite(Contact contact, String hash, Membership before, String status, String digest, boolean joins) {
    }

    SyncSlice(Segment segment, Supplier<String> tagId, String batchPrefix, MailchimpApiKey key, Set<String> liveSegmentIds,
              Set<String> openIntents, SyncSettings settings, MailchimpClient mailchimp, ContactRepository contacts,
              MembershipRepository memberships, PlacementIntents intents, ConsentRecorder consent,
              ExecutorService senders, Clock clock) {
        this.segment = segment;
        this.tagId = tagId;
        this.batchPrefix = batchPrefix;
        this.key = key;
        this.liveSegmentIds = liveSegmentIds;
        this.openIntents = openIntents;
        this.settings = settings;
        this.mailchimp = mailchimp;
        this.contacts = contacts;
        this.memberships = memberships;
        this.intents = intents;
        this.consent = consent;
        this.senders = senders;
        this.clock = clock;
        this.batchesInProgress = new Semaphore(batchLimit());
        this.requestSlots = new Semaphore(settings.concurrency());
    }

    SyncCounts counts() {
        return counts;
    }

    String afterHash() {
        return afterHash;
    }

    boolean finished() {
        return finished;
    }

    /** People and memberships of one hash range, read together. */
    private record Window(List<Contact> people, List<Membership> known, String toHash) {
    }

    private Window read(String fromHash) {
        return withMemberships(fromHash, readPeople(fromHash));
    }

    private ContactRepository.HashWindow readPeople(String fromHash) {
        return contacts.windowAfter(segment.orgId(), fromHash, settings.windowSize());
    }

    private Window withMemberships(String fromHash, ContactRepository.HashWindow window) {
        String toHash = window.lastHash();
        return new Window(window.contacts(), memberships.range(segment.orgId(), segment.mailchimpListId(), fromHash, toHash),
                toHash);
    }

    /**
     * Starts reading the first window's people while the caller still prepares the run (their memberships
     * are read when the run starts: preparing may record Mailchimp statuses in them).
     */
    void prefetch(String startAfterHash) {
        firstPeople = CompletableFuture.supplyAsync(() -> readPeople(startAfterHash), WRITERS);
    }

    /**
     * Processes windows from {@code startAfterHash} until the end of the directory or the deadline. The
     * next window is read while the current one is merged.
     */
    void run(String startAfterHash, Instant deadline) {
        afterHash = startAfterHash;
        CompletableFuture<ContactRepository.HashWindow> people = firstPeople;
        try {
            CompletableFuture<Window> next = people == null
                    ? CompletableFuture.supplyAsync(() -> read(startAfterHash), WRITERS)
                    : people.thenApplyAsync(window -> withMemberships(startAfterHash, window), WRITERS);
            while (failure.get() == null) {
                Window window = next.join();
                boolean last = window.toHash() == null;
                boolean continues = !last && clock.instant().isBefore(deadline);
                if (continues) {
                    next = CompletableFuture.supplyAsync(() -> read(window.toHash()), WRITERS);
                }
                merge(window.people(), window.known());
                if (last) {
                    finished = true;
                    break;
                }
                afterHash = window.toHash();
                if (!continues) {
                    break;
                }
            }
            flushSubscribes();
            flushTags();
        } catch (CompletionException e) {
            failure.compareAndSet(null, e.getCause() instanceof RuntimeException cause ? cause : e);
        } finally {
            awaitSenders();
        }
        RuntimeException failed = failure.get();
        if (failed != null) {
            throw failed;
        }
        if (finished) {
            afterHash = null;
        }
    }

    /** Compares one window of people with what the audience holds and queues the difference. */
    private void merge(List<Contact> people, List<Membership> known) {
        Map<String, List<Contact>> peopleByHash = new LinkedHashMap<>();
        for (Contact person : people) {
            peopleByHash.computeIfAbsent(person.subscriberHash(), hash -> new ArrayList<>()).add(person);
        }
        Map<String, Membership> membershipByHash = new HashMap<>();
        known.forEach(membership -> membershipByHash.put(membership.subscriberHash(), membership));
        Set<String> hashes = new TreeSet<>(peopleByHash.keySet());
        hashes.addAll(membershipByHash.keySet());
        for (String hash : hashes) {
            List<Contact> selected = peopleByHash.getOrDefault(hash, List.of()).stream().filter(segment::selects).toList();
            Membership membership = membershipByHash.get(hash);
            boolean inSegment = membership != null && membership.segments().contains(segment.id());
            if (selected.isEmpty()) {
                if (inSegment) {
                    leave(membership);
                }
                continue;
            }
            if (membership != null && membership.isOptedOutInMailchimp()) {
                // Said no in Mailchimp: never resubscribe, and carry the opt-out over to our records.
                counts.skippedNoConsent.incrementAndGet();
                selected.stream().filter(person -> !Contact.OPTED_OUT.equals(person.consent()))
                        .forEach(person -> consent.record(segment.orgId(), person.entityType(), person.entityId(), false,
                                "mailchimp:reconcile", SegmentSyncService.ACTOR));
                if (inSegment) {
                    leave(membership);
                }
                continue;
            }
            Contact person = selected.stream().filter(segment::consentAllows).findFirst().orElse(null);
            if (person == null) {
                counts.skippedNoConsent.incrementAndGet();
                if (inSegment) {
                    leave(membership);
                }
                continue;
            }
            join(person, hash, membership, inSegment);
        }
    }

    private void join(Contact person, String hash, Membership membership, boolean inSegment) {
        String digest = digest(person);
        if (membership == null || Membership.ARCHIVED.equals(membership.status())
                || (Membership.REJECTED.equals(membership.status()) && !digest.equals(membership.digest()))) {
            queueSubscribe(new MemberWrite(person, hash, membership, Membership.SUBSCRIBED, digest, true));
        } else if (Membership.REJECTED.equals(membership.status())) {
            counts.fail(person.entityId(), "Mailchimp refused this address earlier; change it to try again");
        } else if (!digest.equals(membership.digest())) {
            queueSubscribe(new MemberWrite(person, hash, membership, null, digest, false));
        } else if (!inSegment) {
            tagAdds.add(membership);
            if (tagAdds.size() >= settings.batchSize()) {
                flushTags();
            }
        } else {
            counts.unchanged.incrementAndGet();
            counts.inSegment.incrementAndGet();
        }
    }

    private void leave(Membership membership) {
        tagRemoves.add(membership);
        if (tagRemoves.size() >= settings.batchSize()) {
            flushTags();
        }
    }

    private void queueSubscribe(MemberWrite write) {
        subscribeBatch.add(write);
        if (subscribeBatch.size() >= settings.batchSize()) {
            flushSubscribes();
        }
    }

    private void flushSubscribes() {
        if (subscribeBatch.isEmpty()) {
            return;
        }
        List<MemberWrite> batch = subscribeBatch;
        subscribeBatch = new ArrayList<>();
        submit(() -> sendSubscribes(batch));
    }

    /** Names the batch's addresses that we have not seen in the audience before (see {@link PlacementIntents}). */
    private String recordIntent(List<MemberWrite> batch) {
        Set<String> newcomers = new HashSet<>();
        for (MemberWrite write : batch) {
            if (write.before() == null) {
                newcomers.add(write.hash());
            }
        }
        if (newcomers.isEmpty() || failure.get() != null) {
            return null;
        }
        return intents.record(segment.orgId(), segment.mailchimpListId(), batchPrefix,
                Integer.toString(batchSequence.incrementAndGet()), newcomers);
    }

    private void flushTags() {
        if (tagAdds.isEmpty() && tagRemoves.isEmpty()) {
            return;
        }
        List<Membership> adds = tagAdds;
        List<Membership> removes = tagRemoves;
        tagAdds = new ArrayList<>();
        tagRemoves = new ArrayList<>();
        submit(() -> sendTagChanges(adds, removes));
    }

    private void submit(Runnable task) {
        if (failure.get() != null) {
            return;
        }
        try {
            batchesInProgress.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new IllegalStateException("Interrupted while syncing"));
            return;
        }
        senders.execute(() -> {
            try {
                if (failure.get() == null) {
                    task.run();
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                batchesInProgress.release();
            }
        });
    }

    private int batchLimit() {
        return settings.concurrency() + PREPARED_AHEAD;
    }

    /** One Mailchimp request, on the wire inside one of the {@code concurrency} request slots. */
    private JsonNode request(String method, String path, Object body) {
        counts.mailchimpRequests.incrementAndGet();
        return mailchimp.send(key, method, path, body, requestSlots);
    }

    private void awaitSenders() {
        batchesInProgress.acquireUninterruptibly(batchLimit());
        batchesInProgress.release(batchLimit());
        pendingWrites.acquireUninterruptibly(WRITER_THREADS * 2);
        pendingWrites.release(WRITER_THREADS * 2);
    }

    /** Hands memberships to the writers, then (once written) drops the batch's placement intent. */
    private void write(List<Membership> written, String intent) {
        if (written.isEmpty() && intent == null) {
            return;
        }
        pendingWrites.acquireUninterruptibly();
        WRITERS.execute(() -> {
            try {
                if (failure.get() == null) {
                    memberships.putAll(written);
                    if (intent != null) {
                        intents.delete(segment.orgId(), intent);
                    }
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                pendingWrites.release();
            }
        });
    }

    /**
     * One {@code POST /lists/{id}}: joiners subscribed, changed people updated without touching their
     * status, both tagged with the segment where they are not yet.
     */
    private void sendSubscribes(List<MemberWrite> batch) {
        String intent = recordIntent(batch);
        List<Map<String, Object>> members = new ArrayList<>();
        for (MemberWrite write : batch) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("email_address", write.contact().email());
            if (write.status() != null) {
                member.put("status", write.status());
            }
            member.put("merge_fields", Map.of(
                    "FNAME", write.contact().firstName() == null ? "" : write.contact().firstName(),
                    "LNAME", write.contact().lastName() == null ? "" : write.contact().lastName()));
            if (needsTag(write)) {
                // The segment's tag rides along in the same request (Mailchimp adds batch tags to new and
                // existing members since 2022): one request per 500 people, not two.
                member.put("tags", List.of(segment.name()));
            }
            members.add(member);
        }
        JsonNode response = request("POST", "/lists/" + segment.mailchimpListId(),
                Map.of("members", members, "update_existing", true));
        Set<String> created = emails(response.path("new_members"));
        Map<String, JsonNode> errors = new HashMap<>();
        for (JsonNode error : response.path("errors")) {
            errors.put(error.path("email_address").asText().toLowerCase(Locale.ROOT), error);
        }
        String now = now();
        List<Membership> written = new ArrayList<>();
        for (MemberWrite write : batch) {
            Contact person = write.contact();
            String hash = write.hash();
            JsonNode error = errors.get(person.email());
            if (error != null) {
                recordRefusal(write, error, now).ifPresent(written::add);
                continue;
            }
            Membership before = write.before();
            // Ours if Mailchimp created it now, or an earlier attempt of this batch did (open intent).
            boolean placedByUs = created.contains(person.email()) || openIntents.contains(hash)
                    || (before != null && before.placedByUs());
            Set<String> segmentIds = new HashSet<>(before == null || Membership.ARCHIVED.equals(before.status())
                    ? Set.of() : before.segments());
            segmentIds.add(segment.id());
            written.add(new Membership(segment.orgId(), segment.mailchimpListId(), hash, person.email(),
                    person.entityKey(), Membership.SUBSCRIBED, write.digest(), segmentIds, placedByUs, now));
            if (write.joins()) {
                counts.added.incrementAndGet();
            } else {
                counts.updated.incrementAndGet();
            }
            counts.inSegment.incrementAndGet();
        }
        write(written, intent);
    }

    private boolean needsTag(MemberWrite write) {
        Membership before = write.before();
        return before == null || Membership.ARCHIVED.equals(before.status()) || !before.segments().contains(segment.id());
    }

    /**
     * A per-member refusal in a batch answer (design rule 5). Compliance states and forgotten or fake
     * addresses are permanent: record them so no later run sends the address again.
     */
    private java.util.Optional<Membership> recordRefusal(MemberWrite write, JsonNode error, String now) {
        Contact person = write.contact();
        // Mailchimp's text names the address: keep only our own words, so no email lands in a stored run.
        String text = error.path("error").asText("").toLowerCase(Locale.ROOT);
        Membership before = write.before();
        Set<String> segmentIds = before == null ? Set.of() : before.segments();
        boolean placedByUs = before != null && before.placedByUs();
        if (text.contains("compliance state")) {
            counts.fail(person.entityId(), "Unsubscribed, bounced or under compliance review in Mailchimp; not resubscribed");
            if (!Contact.OPTED_OUT.equals(person.consent())) {
                consent.record(segment.orgId(), person.entityType(), person.entityId(), false, "mailchimp:reconcile",
                        SegmentSyncService.ACTOR);
            }
            return java.util.Optional.of(new Membership(segment.orgId(), segment.mailchimpListId(), write.hash(),
                    person.email(), person.entityKey(), Membership.UNSUBSCRIBED, write.digest(), segmentIds, placedByUs, now));
        }
        String reason = null;
        if (text.contains("permanently deleted") || text.contains("forgotten")) {
            reason = "Permanently deleted from Mailchimp; it cannot be added again";
        } else if (text.contains("looks fake") || text.contains("invalid")) {
            reason = "Mailchimp considers this address invalid";
        } else if (text.contains("abuse")) {
            reason = "Mailchimp refused this address (anti-abuse)";
        }
        if (reason != null) {
            counts.fail(person.entityId(), reason);
            return java.util.Optional.of(new Membership(segment.orgId(), segment.mailchimpListId(), write.hash(),
                    person.email(), person.entityKey(), Membership.REJECTED, write.digest(), segmentIds, placedByUs, now));
        }
        String code = error.path("error_code").asText("");
        counts.fail(person.entityId(), "Mailchimp refused this address" + (code.matches("[A-Z_]{1,64}") ? " (" + code + ")" : "")
                + "; it is tried again at the next sync");
        return java.util.Optional.empty();
    }

    /** Existing members added to and leavers removed from the segment's tag, leavers archived where ours. */
    private void sendTagChanges(List<Membership> adds, List<Membership> removes) {
        List<Membership> written = new ArrayList<>(tag(adds, removes));
        written.stream().filter(member -> member.segments().contains(segment.id())).forEach(member -> counts.added.incrementAndGet());
        String now = now();
        for (Membership leaver : removes) {
            Set<String> remaining = new HashSet<>(leaver.segments());
            remaining.remove(segment.id());
            remaining.retainAll(liveSegmentIds);
            boolean archive = remaining.isEmpty() && leaver.placedByUs() && Membership.SUBSCRIBED.equals(leaver.status());
            String status = leaver.status();
            if (archive) {
                archive(leaver);
                status = Membership.ARCHIVED;
                counts.archived.incrementAndGet();
            }
            written.add(leaver.with(status, leaver.digest(), remaining, leaver.placedByUs(), leaver.email(),
                    leaver.entityKey(), now));
        }
        write(written, null);
    }

    /**
     * {@code POST /lists/{id}/segments/{tag}}: existing members who join the segment, and leavers. Answers
     * the joiners' memberships with the segment added where Mailchimp accepted them; leavers are handled
     * by the caller.
     */
    private List<Membership> tag(List<Membership> adds, List<Membership> removes) {
        if (adds.isEmpty() && removes.isEmpty()) {
            return List.of();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("members_to_add", adds.stream().map(Membership::email).toList());
        body.put("members_to_remove", removes.stream().map(Membership::email).toList());
        JsonNode response = request("POST", "/lists/" + segment.mailchimpListId() + "/segments/" + tagId.get(), body);
        Set<String> refused = new HashSet<>();
        for (JsonNode error : response.path("errors")) {
            for (JsonNode email : error.path("email_addresses")) {
                refused.add(email.asText().toLowerCase(Locale.ROOT));
            }
        }
        List<Membership> tagged = new ArrayList<>();
        String now = now();
        for (Membership member : adds) {
            if (refused.contains(member.email())) {
                counts.fail(entityId(member), "Mailchimp could not add this person to the segment's tag");
                tagged.add(member);
                continue;
            }
            Set<String> segmentIds = new HashSet<>(member.segments());
            segmentIds.add(segment.id());
            counts.inSegment.incrementAndGet();
            tagged.add(member.with(member.status(), member.digest(), segmentIds, member.placedByUs(), member.email(),
                    member.entityKey(), now));
        }
        return tagged;
    }

    private void archive(Membership leaver) {
        try {
            request("DELETE", "/lists/" + segment.mailchimpListId() + "/members/" + leaver.subscriberHash(), null);
        } catch (MailchimpException e) {
            if (e.kind() != MailchimpException.Kind.NOT_FOUND) {
                throw e;
            }
        }
    }

    private static Set<String> emails(JsonNode members) {
        Set<String> emails = new HashSet<>();
        for (JsonNode member : members) {
            emails.add(member.path("email_address").asText().toLowerCase(Locale.ROOT));
        }
        return emails;
    }

    private static String entityId(Membership membership) {
        String entityKey = membership.entityKey();
        return entityKey == null ? membership.subscriberHash() : entityKey.substring(entityKey.indexOf('#') + 1);
    }

    /** What we sent for a person; a change means their merge fields must be updated. */
    static String digest(Contact person) {
        return Contact.md5Hex(person.email() + "\n" + nullToEmpty(person.firstName()) + "\n" + nullToEmpty(person.lastName()));
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private String now() {
        return DateTimeFormatter.ISO_INSTANT.format(clock.instant());
    }
}
