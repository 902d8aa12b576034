package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.hrplatform.mailchimp.config.Env;
import com.hrplatform.mailchimp.mailchimp.CallDeadline;
import com.hrplatform.mailchimp.config.Services;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.segment.ChangeMessage;
import com.hrplatform.mailchimp.segment.SegmentSyncService;
import com.hrplatform.mailchimp.segment.SyncMessage;
import com.hrplatform.mailchimp.segment.SyncQueue;
import com.hrplatform.mailchimp.segment.SyncSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Segment-sync worker on the FIFO queue. Each message is one slice of a run; a slice that fails is
 * reported in the partial batch response (later messages of the same org too, to keep FIFO order) and
 * comes back after a short backoff. On its last attempt the run is ended as an error instead, so the
 * segment never stays "syncing" behind a message in the dead-letter queue.
 */
public class SegmentSyncHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentSyncHandler.class);
    /** Time kept back from the function's limit for sending the follow-up message and writing the run. */
    private static final Duration SAFETY = Duration.ofSeconds(45);

    private final SegmentSyncService sync;
    private final SyncQueue queue;
    private final Metrics metrics;
    private final Duration sliceBudget;
    private final int maxAttempts;

    public SegmentSyncHandler() {
        this(Services.segmentSyncService(), Services.syncQueue(), MetricsFactory.getMetricsInstance(),
                SyncSettings.fromEnv().sliceBudget(), Env.intValue("SYNC_MAX_ATTEMPTS", 5));
    }

    public SegmentSyncHandler(SegmentSyncService sync, SyncQueue queue, Metrics metrics, Duration sliceBudget,
                              int maxAttempts) {
        this.sync = sync;
        this.queue = queue;
        this.metrics = metrics;
        this.sliceBudget = sliceBudget;
        this.maxAttempts = maxAttempts;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return PowertoolsLogging.withLogging(context, () -> {
            try {
                return handle(event, context);
            } finally {
                metrics.flush();
            }
        });
    }

    SQSBatchResponse handle(SQSEvent event, Context context) {
        return FifoBatches.process(event, record -> process(record, context));
    }

    /** @return false when the message must come back */
    private boolean process(SQSEvent.SQSMessage record, Context context) {
        SyncMessage message;
        try {
            com.fasterxml.jackson.databind.JsonNode body = Json.MAPPER.readTree(record.getBody());
            if (ChangeMessage.isChange(body)) {
                return processChanges(Json.MAPPER.treeToValue(body, ChangeMessage.class), record, context);
            }
            message = Json.MAPPER.treeToValue(body, SyncMessage.class);
        } catch (JsonProcessingException e) {
            LOG.error("Sync message is not readable and is dropped", entry("messageId", record.getMessageId()));
            return true;
        }
        Instant deadline = Instant.now().plus(sliceBudget);
        Instant limit = Instant.now().plusMillis(context.getRemainingTimeInMillis()).minus(SAFETY);
        if (limit.isBefore(deadline)) {
            deadline = limit;
        }
        int attempt = FifoBatches.receiveCount(record);
        try {
            // Slices stop starting work at the deadline; Mailchimp calls already going stop at the function's limit.
            Instant slice = deadline;
            SegmentSyncService.Outcome outcome = CallDeadline.within(limit.plus(SAFETY).minusSeconds(10),
                    () -> sync.process(message, slice));
            LOG.info("Sync message processed", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                    entry("runId", message.runId()), entry("outcome", outcome.name()));
            return true;
        } catch (RuntimeException e) {
            String reason = e instanceof MailchimpException mailchimp
                    ? "Mailchimp kept failing (" + mailchimp.title() + "); the sync stopped, start it again later"
                    : "The sync failed unexpectedly; start it again later";
            LOG.warn("Sync slice failed", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                    entry("runId", message.runId()), entry("attempt", attempt), entry("errorType", e.getClass().getSimpleName()));
            if (attempt >= maxAttempts) {
                sync.abandon(message, reason);
                return true;
            }
            // Come back soon rather than after the queue's long visibility timeout: 10 s, 20 s, 40 s, ...
            queue.retryLater(record.getReceiptHandle(), FifoBatches.backoffSeconds(attempt, 300));
            return false;
        }
    }

    /**
     * A segment's pending changes (the change path). A failure brings the message back like a slice's; after the last
     * attempt it goes, and the claimed addresses wait for the segment's next change message or its daily run.
     */
    private boolean processChanges(ChangeMessage message, SQSEvent.SQSMessage record, Context context) {
        Instant limit = Instant.now().plusMillis(context.getRemainingTimeInMillis()).minus(SAFETY);
        Instant deadline = Instant.now().plus(sliceBudget);
        Instant until = limit.isBefore(deadline) ? limit : deadline;
        int attempt = FifoBatches.receiveCount(record);
        try {
            SegmentSyncService.Outcome outcome = CallDeadline.within(limit.plus(SAFETY).minusSeconds(10),
                    () -> sync.processChanges(message, until));
            LOG.info("Change message processed", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                    entry("generation", message.generation()), entry("outcome", outcome.name()));
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Changes failed", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                    entry("attempt", attempt), entry("errorType", e.getClass().getSimpleName()));
            if (attempt >= maxAttempts) {
                return true;
            }
            queue.retryLater(record.getReceiptHandle(), FifoBatches.backoffSeconds(attempt, 300));
            return false;
        }
    }
}
