package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.config.Env;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.sync.SegmentRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BiFunction;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The sending side of the change path: a directory change (event or import) or an opt-in notes the changed
 * addresses for each segment of the org whose filter selects the person before or after the change, and asks the
 * sync worker to apply them ({@link ChangeMessage} on the org's FIFO group). A segment that selects someone else with
 * either address counts too: the address is decided on all its records. Opt-outs and erasures do not come this
 * way: they have the consent queue, which is faster and reaches every audience.
 * <p>
 * Debounce: one message per segment, generation of its pending set ({@link PendingChanges}) and
 * {@link #DEDUPLICATION_WINDOW}: SQS drops the others as duplicates, so a burst of changes is one message per segment
 * until the worker takes them (the worker lets a burst gather a few seconds first). The window bounds the messages of
 * a generation the worker has not reached yet once SQS's 5-minute deduplication interval has passed. A segment never synced is left to its first run (nothing is placed before the admin syncs).
 */
public final class ChangeFeed implements ContactService.DirectoryChanges {
    /** Window of the deduplication id. */
    public static final Duration DEDUPLICATION_WINDOW = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);

    private final SegmentRepository segments;
    private final PendingChanges pending;
    private final SyncQueue queue;
    private final Clock clock;
    /** Every record of the org with an address (orgId, subscriber hash): the person's address-mates. */
    private final BiFunction<String, String, List<Contact>> recordsAt;
    /** Where the address-mates of an import's people are looked up, several at a time. */
    private final ExecutorService readers;

    public ChangeFeed(SegmentRepository segments, PendingChanges pending, SyncQueue queue, Clock clock,
                      BiFunction<String, String, List<Contact>> recordsAt, ExecutorService readers) {
        this.recordsAt = recordsAt;
        this.readers = readers;
        this.segments = segments;
        this.pending = pending;
        this.queue = queue;
        this.clock = clock;
    }

    /**
     * Whether changes reach Mailchimp within minutes (CHANGES_WITHIN_MINUTES, default on). Off, a directory change, an
     * opt-in or a segment edit waits for the segment's next sync (manual or the daily one), as before issue 13: for a
     * deployment that wants every change previewed before it travels. Read on each call, so it takes effect at once.
     */
    public static boolean enabled() {
        return !"off".equalsIgnoreCase(Env.optional("CHANGES_WITHIN_MINUTES").orElse("on").trim());
    }

    /** Directory changes: each person as they were (null: new) and as they are (null: left the directory). */
    @Override
    public void changed(String orgId, List<ContactService.Changed> changes) {
        if (changes.isEmpty() || !enabled()) {
            return;
        }
        List<Segment> synced = segments.listAll(orgId).stream().filter(segment -> !segment.isDeleted()
                && (segment.lastSyncedAt() != null || Segment.SYNCING.equals(segment.status()))).toList();
        if (synced.isEmpty()) {
            return;
        }
        // Whom a segment may select at the two addresses: the person as they were and are, and everyone else with
        // either address now. An address is decided on all its records (a shared mailbox): the person leaving or
        // joining it, or opting in, can change what a segment that selects another of them may send there.
        List<Future<List<Contact>>> lookups = new ArrayList<>();
        for (ContactService.Changed change : changes) {
            lookups.add(changes.size() == 1 ? CompletableFuture.completedFuture(concerned(orgId, change))
                    : readers.submit(() -> concerned(orgId, change)));
        }
        List<List<Contact>> concerned = new ArrayList<>();
        for (Future<List<Contact>> lookup : lookups) {
            concerned.add(await(lookup));
        }
        Map<Segment, Set<String>> affected = new LinkedHashMap<>();
        for (Segment segment : synced) {
            SegmentRule rule = SegmentRule.of(segment);
            Set<String> hashes = new TreeSet<>();
            for (int i = 0; i < changes.size(); i++) {
                ContactService.Changed change = changes.get(i);
                if (concerned.get(i).stream().anyMatch(rule::selects)) {
                    // Both addresses when it changed: the old one leaves (or moves), the new one joins.
                    if (change.before() != null) {
                        hashes.add(change.before().subscriberHash());
                    }
                    if (change.after() != null) {
                        hashes.add(change.after().subscriberHash());
                    }
                }
            }
            if (!hashes.isEmpty()) {
                affected.put(segment, hashes);
            }
        }
        affected.forEach((segment, hashes) -> {
            long generation = pending.add(orgId, segment.id(), hashes);
            send(new ChangeMessage(orgId, segment.id(), generation));
        });
        if (!affected.isEmpty()) {
            LOG.info("Changes queued for the sync", entry("orgId", orgId), entry("people", changes.size()),
                    entry("segments", affected.size()));
        }
    }

    private List<Contact> concerned(String orgId, ContactService.Changed change) {
        List<Contact> people = new ArrayList<>();
        Set<String> addresses = new TreeSet<>();
        for (Contact person : Arrays.asList(change.before(), change.after())) {
            if (person != null) {
                people.add(person);
                addresses.add(person.subscriberHash());
            }
        }
        addresses.forEach(hash -> people.addAll(recordsAt.apply(orgId, hash)));
        return people;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the directory", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    /** A person opted in: the segments that select them apply it (a segment that requires an opt-in adds them). */
    public void optedIn(String orgId, Contact person) {
        if (!enabled()) {
            return;
        }
        changed(orgId, List.of(new ContactService.Changed(person, person)));
    }

    /** Asks the worker to apply what waits in {@code generation}: once per generation and window. */
    void send(ChangeMessage message) {
        queue.sendChange(message, deduplicationId(message, clock.instant().getEpochSecond() / DEDUPLICATION_WINDOW.toSeconds()));
    }

    static String deduplicationId(ChangeMessage message, long window) {
        return "chg-" + message.segmentId() + "-" + message.generation() + "-" + window;
    }
}
