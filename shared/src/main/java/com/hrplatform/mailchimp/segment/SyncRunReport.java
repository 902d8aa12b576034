package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.events.PlatformEvent;
import com.hrplatform.mailchimp.events.PlatformEvents;
import com.hrplatform.mailchimp.sync.RunCounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * What the end of a sync run tells: the run's history, the audit entry, the platform's event, the EMF metrics and the
 * log line. A redelivered message of an ended run tells the first three again (each once for the reader: the history
 * and the audit entry are keyed by the run, the event carries its runId), should a crash have come before them.
 * Each slice's skips and failures go to the history as the slice ends.
 */
public final class SyncRunReport {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRunReport.class);

    private final AuditLog audit;
    private final PlatformEvents events;
    private final Metrics metrics;
    private final SegmentRunHistory history;

    public SyncRunReport(AuditLog audit, PlatformEvents events, Metrics metrics, SegmentRunHistory history) {
        this.audit = audit;
        this.events = events;
        this.metrics = metrics;
        this.history = history;
    }

    /**
     * A slice of the run ended: its skips and failures join the run's history, up to {@link RunCounts#MAX_ISSUES} for
     * the run. Answers the progress with the number kept.
     */
    SyncProgress sliceEnded(SyncMessage message, RunCounts counts, SyncProgress progress) {
        int before = message.progress().issuesKept();
        int kept = history.saveIssues(message.orgId(), message.segmentId(), message.runId(),
                message.progress().startedAt(), message.slice(), counts.issues(), before);
        return progress.withIssuesKept(before + kept);
    }

    void ended(SyncMessage message, Segment segment, String status, SegmentRun run, SyncProgress progress,
               String lastError) {
        history.saveRun(message.orgId(), message.segmentId(),
                SegmentRunHistory.StoredRun.of(run, message.trigger(), status, lastError, progress.issuesKept()));
        audit(message, status, run);
        events.publish(event(message, segment, status, run));
        long durationMs = Duration.between(Instant.parse(progress.startedAt()), Instant.parse(run.finishedAt())).toMillis();
        boolean synced = Segment.SYNCED.equals(status);
        metrics.addMetric("MembersAdded", run.added(), MetricUnit.COUNT);
        metrics.addMetric("MembersUpdated", run.updated(), MetricUnit.COUNT);
        metrics.addMetric("MembersArchived", run.archived(), MetricUnit.COUNT);
        metrics.addMetric("MembersUnsubscribed", run.unsubscribed(), MetricUnit.COUNT);
        metrics.addMetric("MembersFailed", run.failed(), MetricUnit.COUNT);
        metrics.addMetric("MailchimpRequests", progress.mailchimpRequests(), MetricUnit.COUNT);
        metrics.addMetric("SyncDuration", durationMs, MetricUnit.MILLISECONDS);
        metrics.addMetric(synced ? "SyncsSucceeded" : "SyncsFailed", 1, MetricUnit.COUNT);
        LOG.info("Sync finished", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                entry("runId", message.runId()), entry("status", status), entry("added", run.added()),
                entry("updated", run.updated()), entry("archived", run.archived()),
                entry("unsubscribed", run.unsubscribed()), entry("skipped", run.skipped()), entry("failed", run.failed()),
                entry("mailchimpRequests", progress.mailchimpRequests()), entry("durationMs", durationMs));
    }

    /**
     * The change path applied one claim of a segment's changed addresses: a run of its own in the segment's history
     * (trigger {@code change}, keyed by the claim, so a claim applied again after a crash keeps its id) and the
     * platform's event. The segment's own {@code lastRun} stays that of its last full run.
     */
    void changesApplied(String orgId, Segment segment, String runId, String startedAt, String finishedAt, RunCounts counts) {
        SyncProgress progress = SyncProgress.start(startedAt).plus(counts, null);
        int kept = history.saveIssues(orgId, segment.id(), runId, startedAt, 0, counts.issues(), 0);
        SegmentRun run = progress.toRun(runId, finishedAt, SyncMessage.CHANGE);
        history.saveRun(orgId, segment.id(), SegmentRunHistory.StoredRun.of(run, SyncMessage.CHANGE, Segment.SYNCED, null, kept));
        events.publish(PlatformEvent.syncRunEnded(orgId, segment.id(), segment.mailchimpListId(), runId, SyncMessage.CHANGE,
                Segment.SYNCED, run.startedAt(), run.finishedAt(), counts(run)));
    }

    /** A redelivered message of a run that already ended: its audit entry and event, should the crash have come before. */
    void endedEarlier(SyncMessage message, Segment segment) {
        SegmentRun run = segment.lastRun();
        // Any message of the run may come again: what its slices kept is counted from the history itself.
        history.saveRun(message.orgId(), message.segmentId(), SegmentRunHistory.StoredRun.of(run,
                run.trigger() != null ? run.trigger() : message.trigger(), segment.status(), segment.lastError(),
                history.issuesKept(message.orgId(), message.segmentId(), message.runId())));
        audit(message, segment.status(), segment.lastRun());
        events.publish(event(message, segment, segment.status(), segment.lastRun()));
    }

    private static PlatformEvent event(SyncMessage message, Segment segment, String status, SegmentRun run) {
        return PlatformEvent.syncRunEnded(message.orgId(), message.segmentId(), segment.mailchimpListId(),
                message.runId(), run.trigger() != null ? run.trigger() : message.trigger(), status, run.startedAt(),
                run.finishedAt(), counts(run));
    }

    /** The run's entry, once: dated when the run ended and keyed by the run. */
    private void audit(SyncMessage message, String status, SegmentRun run) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("runId", message.runId());
        details.put("status", status);
        details.putAll(counts(run));
        audit.recordOnce(message.orgId(), Instant.parse(run.finishedAt()), "run#" + message.runId(), SegmentSyncService.ACTOR,
                Segment.SYNCED.equals(status) ? "segment.synced" : "segment.sync_failed", "segment", message.segmentId(), details);
    }

    private static Map<String, Object> counts(SegmentRun run) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("added", run.added());
        details.put("updated", run.updated());
        details.put("unchanged", run.unchanged());
        details.put("archived", run.archived());
        details.put("unsubscribed", run.unsubscribed());
        details.put("pendingConfirmation", run.pendingConfirmation());
        details.put("skipped", run.skipped());
        details.put("failed", run.failed());
        return details;
    }
}
