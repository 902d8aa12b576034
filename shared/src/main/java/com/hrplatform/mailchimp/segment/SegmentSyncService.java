package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.connection.KeyRefusals;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.mapping.MergeFieldMapping;
import com.hrplatform.mailchimp.sync.AudiencePort;
import com.hrplatform.mailchimp.sync.RunCounts;
import com.hrplatform.mailchimp.sync.SegmentRule;
import com.hrplatform.mailchimp.sync.SliceRunner;
import com.hrplatform.mailchimp.sync.SyncEngine;
import com.hrplatform.mailchimp.sync.SyncPass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The segment-sync worker's run lifecycle (design rules 7-9): a message is one time-boxed slice. Pass 0 walks the
 * segment's audience: adds the segment's people, and releases anyone we placed whom no live segment of the
 * audience selects. Then each audience the segment left (moved or deleted) gets a pass that only releases. A
 * slice either hands the rest to a follow-up message or ends the run. Re-running a slice converges, so SQS
 * redelivery is safe.
 */
public final class SegmentSyncService {
    public static final String ACTOR = "system:sync";
    private static final Logger LOG = LoggerFactory.getLogger(SegmentSyncService.class);

    public enum Outcome { FINISHED, CONTINUES, IGNORED }

    /** What else happens around a run: the audience's webhook, and erasures made while it ran. */
    public interface RunHooks {
        /**
         * A run's first slice starts; work started here runs beside the sync on {@code pool} and must not fail it.
         * The slice waits for it before it records anything: a Lambda freezes what still runs once it returns.
         */
        Future<?> started(String orgId, String listId, ExecutorService pool);

        /** A run ends, before its end is recorded. Throwing makes the message come back. */
        void finished(String orgId, String listId, String runStartedAt);
    }

    private final SegmentRepository segments;
    private final SyncEngine engine;
    private final ConnectionService connections;
    private final SyncQueue queue;
    private final SyncRunReport report;
    private final KeyRefusals keyRefusals;
    private final RunHooks hooks;
    private final ExecutorService pool;
    private final SyncSettings settings;
    private final Clock clock;
    /** The change path's pending addresses; null: this worker applies no changes (they wait for the daily run). */
    private final PendingChanges pending;

    public SegmentSyncService(SegmentRepository segments, SyncEngine engine, ConnectionService connections,
                              SyncQueue queue, SyncRunReport report, KeyRefusals keyRefusals,
                              RunHooks hooks, ExecutorService pool, SyncSettings settings, Clock clock) {
        this(segments, engine, connections, queue, report, keyRefusals, hooks, pool, settings, clock, null);
    }

    public SegmentSyncService(SegmentRepository segments, SyncEngine engine, ConnectionService connections,
                              SyncQueue queue, SyncRunReport report, KeyRefusals keyRefusals,
                              RunHooks hooks, ExecutorService pool, SyncSettings settings, Clock clock,
                              PendingChanges pending) {
        this.pending = pending;
        this.segments = segments;
        this.engine = engine;
        this.connections = connections;
        this.queue = queue;
        this.report = report;
        this.keyRefusals = keyRefusals;
        this.hooks = hooks;
        this.pool = pool;
        this.settings = settings;
        this.clock = clock;
    }

    /** Runs one slice. Throws when Mailchimp or AWS failed in a way worth retrying: the message comes back. */
    public Outcome process(SyncMessage message, Instant deadline) {
        Segment segment = segments.find(message.orgId(), message.segmentId()).orElse(null);
        if (segment == null) {
            return Outcome.IGNORED;
        }
        if (message.releaseOnly()) {
            return releaseSlice(message, segment, deadline);
        }
        if (segment.isDeleted()) {
            return Outcome.IGNORED;
        }
        Instant now = clock.instant();
        if (endedEarlier(message, segment)) {
            // A redelivery after the run ended (a crash came after its end was written): only its report may be missing.
            report.endedEarlier(message, segment);
            return Outcome.IGNORED;
        }
        if (message.start()) {
            // The daily run: start it unless another run is live (design rule 7); a redelivery resumes this one.
            if (!segments.startRun(message.orgId(), message.segmentId(), message.runId(), message.progress().startedAt(),
                    now.getEpochSecond(), now.plus(settings.lease()).getEpochSecond())) {
                return Outcome.IGNORED;
            }
            segment = segments.find(message.orgId(), message.segmentId()).orElseThrow();
        } else if (!message.runId().equals(segment.runId()) || !Segment.SYNCING.equals(segment.status())) {
            return Outcome.IGNORED; // a redelivered message of a run that ended or was taken over
        }
        Optional<MailchimpApiKey> key = activeKey(message.orgId());
        if (key.isEmpty()) {
            finish(message, segment, message.progress(), Segment.ERROR, "No Mailchimp account is connected; connect one and sync again");
            return Outcome.FINISHED;
        }
        if (!segments.renewLease(message.orgId(), message.segmentId(), message.runId(),
                clock.instant().plus(settings.lease()).getEpochSecond(), null)) {
            return Outcome.IGNORED;
        }
        SyncProgress progress = message.progress();
        Future<?> beside = message.slice() == 0 ? hooks.started(message.orgId(), segment.mailchimpListId(), pool)
                : CompletableFuture.completedFuture(null);
        try {
            Optional<Segment.Release> release = progress.pass() == 0 ? Optional.empty() : segment.releases().stream().findFirst();
            if (progress.pass() > 0 && release.isEmpty()) {
                finish(message, segment, progress, Segment.SYNCED, null);
                return Outcome.FINISHED;
            }
            AudiencePort audience = engine.audience(key.get());
            String listId = release.map(Segment.Release::listId).orElse(segment.mailchimpListId());
            SliceRunner.Result result = slice(audience, message, release.isEmpty() ? segment : null, listId, deadline);
            progress = report.sliceEnded(message, result.counts(), progress.plus(result.counts(), result.afterHash()));
            if (!result.finished()) {
                return continues(message, progress);
            }
            endPass(audience, message.orgId(), listId);
            if (!segments.find(message.orgId(), message.segmentId()).orElse(segment).releases().isEmpty()) {
                return continues(message, progress.nextPass());
            }
        } catch (MailchimpException e) {
            if (e.isTransient()) {
                throw e;
            }
            if (e.kind() == MailchimpException.Kind.INVALID_KEY) {
                keyRefusals.refused(message.orgId(), "sync"); // before the run ends: a failure here retries both
            }
            finish(message, segment, progress, Segment.ERROR, runFailure(e));
            return Outcome.FINISHED;
        } finally {
            awaitQuietly(beside, deadline);
        }
        finish(message, segment, progress, Segment.SYNCED, null);
        return Outcome.FINISHED;
    }

    /** Waits for work beside the run until the slice's deadline; its failure is its own (logged where it ran). */
    private static void awaitQuietly(Future<?> beside, Instant deadline) {
        try {
            beside.get(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Work beside the run did not complete", entry("errorType", e.getClass().getSimpleName()));
        }
    }

    /** A slice of releasing a deleted segment's people (the daily run asks for it while releases remain). */
    private Outcome releaseSlice(SyncMessage message, Segment segment, Instant deadline) {
        Optional<Segment.Release> release = segment.releases().stream().findFirst();
        Optional<MailchimpApiKey> key = activeKey(message.orgId());
        if (!segment.isDeleted() || release.isEmpty() || key.isEmpty()) {
            return Outcome.IGNORED;
        }
        AudiencePort audience = engine.audience(key.get());
        SliceRunner.Result result = slice(audience, message, null, release.get().listId(), deadline);
        SyncProgress progress = message.progress().plus(result.counts(), result.afterHash());
        if (result.finished()) {
            endPass(audience, message.orgId(), release.get().listId());
            progress = progress.nextPass();
            if (segment.releases().size() == 1) {
                LOG.info("Deleted segment released", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                        entry("archived", progress.archived()));
                return Outcome.FINISHED;
            }
        }
        return continues(message, progress);
    }

    /** One slice over one audience; {@code runSegment} null releases only. */
    private SliceRunner.Result slice(AudiencePort audience, SyncMessage message, Segment runSegment, String listId,
                                     Instant deadline) {
        List<Segment> all = segments.listAll(message.orgId());
        keepQueuedRunsAlive(all, message);
        List<Segment> live = all.stream().filter(segment -> segment.mailchimpListId().equals(listId)).toList();
        Map<String, String> tagIds = new HashMap<>();
        live.stream().filter(segment -> segment.tagId() != null).forEach(segment -> tagIds.put(segment.id(), segment.tagId()));
        if (runSegment != null) {
            String tagId = audience.ensureTag(listId, runSegment.name(), runSegment.tagId());
            tagIds.put(runSegment.id(), tagId);
            if (!tagId.equals(runSegment.tagId())) {
                segments.renewLease(message.orgId(), runSegment.id(), message.runId(),
                        clock.instant().plus(settings.lease()).getEpochSecond(), tagId);
            }
        }
        MergeFieldMapping connectionDefault = connections.defaultMapping(message.orgId());
        List<SegmentRule> rules = live.stream().map(segment -> SegmentRule.of(segment, connectionDefault)).toList();
        if (runSegment != null) {
            // The audience's merge fields exist, with the types the mapping sends, before any value travels.
            audience.ensureMergeFields(listId, SegmentRule.audienceMapping(rules));
        }
        SyncPass pass = new SyncPass(message.orgId(), listId, runSegment == null ? null : runSegment.id(),
                rules, tagIds, clock.instant(), connections.emailPermissions(message.orgId()).get(listId));
        return engine.run(audience, pass, message.progress().afterHash(), deadline);
    }

    /**
     * Runs of the org waiting behind this one in its FIFO group keep their leases while the group moves: they are not
     * stalled, and no one may take them over. When the group stops moving, their leases run out as they should.
     */
    private void keepQueuedRunsAlive(List<Segment> all, SyncMessage message) {
        keepQueuedRunsAlive(all, message.runId());
    }

    /** The same for any message of the group; {@code ownRunId} null: the message belongs to no run (a change). */
    private void keepQueuedRunsAlive(List<Segment> all, String ownRunId) {
        Instant now = clock.instant();
        long soon = now.plus(settings.lease().dividedBy(2)).getEpochSecond();
        for (Segment other : all) {
            if (Segment.SYNCING.equals(other.status()) && other.runId() != null && !other.runId().equals(ownRunId)
                    && other.leaseExpiresAt() > now.getEpochSecond() && other.leaseExpiresAt() < soon) {
                segments.renewLease(other.orgId(), other.id(), other.runId(), now.plus(settings.lease()).getEpochSecond(), null);
            }
        }
    }

    /**
     * The pass walked the whole audience, so every release pending on it is done: the segments' old tags go (unless
     * a live segment of the audience uses the same tag again) and the releases are cleared.
     */
    private void endPass(AudiencePort audience, String orgId, String listId) {
        List<Segment> all = segments.listEverything(orgId);
        for (Segment segment : all) {
            for (Segment.Release release : segment.releases()) {
                if (!release.listId().equals(listId)) {
                    continue;
                }
                boolean inUse = all.stream().anyMatch(other -> !other.isDeleted() && listId.equals(other.mailchimpListId())
                        && release.tagId() != null && release.tagId().equals(other.tagId()));
                if (release.tagId() != null && !inUse) {
                    audience.deleteTag(listId, release.tagId());
                }
                segments.removeRelease(orgId, segment.id(), release);
            }
        }
    }

    private static boolean endedEarlier(SyncMessage message, Segment segment) {
        return !Segment.SYNCING.equals(segment.status()) && segment.lastRun() != null
                && message.runId().equals(segment.lastRun().runId());
    }

    private Outcome continues(SyncMessage message, SyncProgress progress) {
        queue.send(message.next(progress));
        LOG.info("Sync slice done, run continues", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                entry("runId", message.runId()), entry("slice", message.slice()), entry("pass", progress.pass()));
        return Outcome.CONTINUES;
    }

    private Optional<MailchimpApiKey> activeKey(String orgId) {
        try {
            return Optional.of(connections.activeKey(orgId));
        } catch (DomainException.NotConnected e) {
            return Optional.empty();
        }
    }

    /**
     * The change path: applies the segment's pending addresses ({@link PendingChanges}) with the same decision and
     * batches as a run, for those addresses only: one claim per message, so the org's messages of other segments and
     * runs take turns with it (changes made meanwhile have a newer generation, hence a message of their own). A claim
     * is released only once applied: a crash or a redelivery applies it again first, which converges like a slice
     * (membership writes are conditional, placement intents resolve lost answers); after such a recovered claim the
     * hashes waiting behind it are claimed too, as their message may be the one just taken. It shares the org's FIFO group with runs, so it never runs beside a slice of the org; a run of the
     * segment going on meanwhile stays correct, as both apply the same decision to what is stored now.
     * Throws when Mailchimp or AWS failed in a way worth retrying: the message comes back, the claim waits.
     */
    public Outcome processChanges(ChangeMessage message, Instant deadline) {
        if (pending == null) {
            return Outcome.IGNORED;
        }
        Segment segment = segments.find(message.orgId(), message.segmentId()).orElse(null);
        if (segment == null || segment.isDeleted()) {
            pending.discard(message.orgId(), message.segmentId()); // the deleted segment's release covers its people
            return Outcome.IGNORED;
        }
        Optional<MailchimpApiKey> key = activeKey(message.orgId());
        if (key.isEmpty()) {
            return Outcome.IGNORED; // nothing to send to: the addresses wait (a later change or the daily run covers them)
        }
        AudiencePort audience = engine.audience(key.get());
        Outcome outcome = Outcome.IGNORED;
        gather(message, deadline);
        for (int round = 0; round < 2; round++) {
            Optional<PendingChanges.Claim> claim = pending.claim(message.orgId(), message.segmentId());
            if (claim.isEmpty()) {
                break;
            }
            try {
                String startedAt = iso(clock.instant());
                RunCounts counts = applyChanges(audience, message.orgId(), segment, claim.get().hashes());
                changesApplied(message, segment, claim.get(), startedAt, counts);
            } catch (MailchimpException e) {
                if (e.isTransient()) {
                    throw e;
                }
                if (e.kind() == MailchimpException.Kind.INVALID_KEY) {
                    keyRefusals.refused(message.orgId(), "sync");
                }
                // Refused for good (the audience or its tag is gone): the segment's next run reports it; these wait no more.
                LOG.warn("Changes not applied", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                        entry("reason", e.kind().name()));
            }
            pending.release(message.orgId(), message.segmentId(), claim.get().id());
            outcome = Outcome.FINISHED;
            if (!claim.get().recovered()) {
                break;
            }
            if (!clock.instant().isBefore(deadline)) {
                Optional<PendingChanges.Waiting> waiting = pending.waiting(message.orgId(), message.segmentId());
                if (waiting.isPresent()) {
                    // Its own deduplication id: the senders' id of this generation may be the message just taken.
                    long generation = waiting.get().generation();
                    queue.sendChange(new ChangeMessage(message.orgId(), message.segmentId(), generation),
                            "chg-" + message.segmentId() + "-" + generation + "-after-" + claim.get().id());
                    return Outcome.CONTINUES;
                }
                break;
            }
            segment = segments.find(message.orgId(), message.segmentId()).filter(s -> !s.isDeleted()).orElse(null);
            if (segment == null) {
                break;
            }
        }
        return outcome;
    }

    /**
     * The debounce: lets the changes of a burst gather until {@link SyncSettings#changeDebounce} after the first of
     * them (their senders' messages are duplicates meanwhile), so a burst is applied in a few claims, not one per change.
     * The org's other messages would wait behind this one anyway.
     */
    private void gather(ChangeMessage message, Instant deadline) {
        Optional<PendingChanges.Waiting> waiting = pending.waiting(message.orgId(), message.segmentId());
        if (waiting.isEmpty()) {
            return;
        }
        Instant until = Instant.ofEpochMilli(waiting.get().sinceMillis()).plus(settings.changeDebounce());
        if (until.isAfter(deadline)) {
            until = deadline;
        }
        long millis = Duration.between(clock.instant(), until).toMillis();
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One claim: a pass over the segment's audience for these addresses only, as the segment's run would decide them. */
    private RunCounts applyChanges(AudiencePort audience, String orgId, Segment segment, Set<String> hashes) {
        List<Segment> all = segments.listAll(orgId);
        keepQueuedRunsAlive(all, (String) null);
        String listId = segment.mailchimpListId();
        List<Segment> live = all.stream().filter(other -> other.mailchimpListId().equals(listId)).toList();
        Map<String, String> tagIds = new HashMap<>();
        live.stream().filter(other -> other.tagId() != null).forEach(other -> tagIds.put(other.id(), other.tagId()));
        if (segment.tagId() == null) {
            // First run still going, or the segment moved audience: the tag is found or made by name, as the run will.
            tagIds.put(segment.id(), audience.ensureTag(listId, segment.name(), null));
        }
        MergeFieldMapping connectionDefault = connections.defaultMapping(orgId);
        List<SegmentRule> rules = live.stream().map(other -> SegmentRule.of(other, connectionDefault)).toList();
        // As a run's slice: the audience's merge fields exist, with the types the mapping sends, before any value travels.
        audience.ensureMergeFields(listId, SegmentRule.audienceMapping(rules));
        SyncPass pass = new SyncPass(orgId, listId, segment.id(), rules, tagIds, clock.instant(),
                connections.emailPermissions(orgId).get(listId));
        return engine.runAddresses(audience, pass, hashes).counts();
    }

    /** One claim applied: a run of trigger "change" in the segment's history, and the log line. */
    private void changesApplied(ChangeMessage message, Segment segment, PendingChanges.Claim claim, String startedAt,
                                RunCounts counts) {
        report.changesApplied(message.orgId(), segment, "change-" + claim.id(), startedAt, iso(clock.instant()), counts);
        LOG.info("Changes applied", entry("orgId", message.orgId()), entry("segmentId", segment.id()),
                entry("addresses", claim.hashes().size()), entry("added", counts.added()), entry("updated", counts.updated()),
                entry("archived", counts.archived()), entry("failed", counts.failed()),
                entry("mailchimpRequests", counts.mailchimpRequests()));
    }

    /** Ends a run that failed too often to go on (the message is about to leave for the dead-letter queue). */
    public void abandon(SyncMessage message, String reason) {
        segments.find(message.orgId(), message.segmentId())
                .filter(segment -> message.runId() != null && message.runId().equals(segment.runId()) && !message.releaseOnly())
                .ifPresent(segment -> finish(message, segment, message.progress(), Segment.ERROR, reason));
    }

    private void finish(SyncMessage message, Segment segment, SyncProgress progress, String status, String lastError) {
        hooks.finished(message.orgId(), segment.mailchimpListId(), progress == null ? null : progress.startedAt());
        String at = iso(clock.instant());
        SegmentRun run = progress.toRun(message.runId(), at, message.trigger());
        int memberCount = Segment.SYNCED.equals(status) ? progress.inSegment() : segment.memberCount();
        if (!segments.finishRun(message.orgId(), message.segmentId(), message.runId(), status, memberCount, run,
                lastError, at)) {
            return;
        }
        report.ended(message, segment, status, run, progress, lastError);
    }

    static String runFailure(MailchimpException e) {
        return switch (e.kind()) {
            case INVALID_KEY -> "Mailchimp no longer accepts the connected API key; reconnect and sync again";
            case NOT_FOUND -> "The Mailchimp audience of this segment no longer exists; choose another audience";
            case REJECTED -> "Mailchimp refused the sync: " + e.title();
            default -> "Mailchimp kept failing (" + e.title() + "); the sync stopped, start it again later";
        };
    }

    private static String iso(Instant instant) {
        return Timestamps.format(instant);
    }
}
