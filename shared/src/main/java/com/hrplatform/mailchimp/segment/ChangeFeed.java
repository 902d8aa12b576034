package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.sync.SegmentRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The sending side of the change path: a directory change (event or import) or an opt-in notes the changed
 * addresses for each segment of the org whose filter selects the person before or after the change, and asks the
 * sync worker to apply them ({@link ChangeMessage} on the org's FIFO group). Opt-outs and erasures do not come this
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

    public ChangeFeed(SegmentRepository segments, PendingChanges pending, SyncQueue queue, Clock clock) {
        this.segments = segments;
        this.pending = pending;
        this.queue = queue;
        this.clock = clock;
    }

    /** Directory changes: each person as they were (null: new) and as they are (null: left the directory). */
    @Override
    public void changed(String orgId, List<ContactService.Changed> changes) {
        if (changes.isEmpty()) {
            return;
        }
        Map<Segment, Set<String>> affected = new LinkedHashMap<>();
        for (Segment segment : segments.listAll(orgId)) {
            if (segment.isDeleted() || segment.lastSyncedAt() == null && !Segment.SYNCING.equals(segment.status())) {
                continue;
            }
            SegmentRule rule = SegmentRule.of(segment);
            Set<String> hashes = new TreeSet<>();
            for (ContactService.Changed change : changes) {
                boolean before = change.before() != null && rule.selects(change.before());
                boolean after = change.after() != null && rule.selects(change.after());
                if (before || after) {
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

    /** A person opted in: the segments that select them apply it (a segment that requires an opt-in adds them). */
    public void optedIn(String orgId, Contact person) {
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
