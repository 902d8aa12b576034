package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.domain.Timestamps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The daily fan-out: one sync request per live segment of every connected org, ten per SQS call.
 * Connected orgs come from the sparse index, segments from each org's own partition: no Scan, and
 * nothing read from the contacts or memberships tables.
 */
public final class ScheduledSyncService {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledSyncService.class);

    private final ConnectionRepository connections;
    private final SegmentRepository segments;
    private final SyncQueue queue;
    private final Metrics metrics;
    private final ExecutorService readers;
    private final Clock clock;

    public record FanOut(int organisations, int segmentsQueued, int segmentsSkipped, int sendCalls) {
    }

    public ScheduledSyncService(ConnectionRepository connections, SegmentRepository segments, SyncQueue queue,
                                Metrics metrics, ExecutorService readers, Clock clock) {
        this.connections = connections;
        this.segments = segments;
        this.queue = queue;
        this.metrics = metrics;
        this.readers = readers;
        this.clock = clock;
    }

    public FanOut fanOut() {
        long now = clock.instant().getEpochSecond();
        // One run per segment and day: a retried fan-out or a redelivered message names the same run.
        String day = java.time.LocalDate.now(clock.withZone(java.time.ZoneOffset.UTC)).toString();
        String startedAt = Timestamps.format(clock.instant());
        List<String> orgIds = connections.connectedOrgIds();
        List<Future<List<Segment>>> reads = new ArrayList<>();
        for (String orgId : orgIds) {
            reads.add(readers.submit(() -> segments.listEverything(orgId)));
        }
        List<SyncMessage> pending = new ArrayList<>();
        int queued = 0;
        int skipped = 0;
        int calls = 0;
        for (Future<List<Segment>> read : reads) {
            for (Segment segment : await(read)) {
                if (segment.isDeleted()) {
                    if (!segment.releases().isEmpty()) {
                        // A deleted segment's people are released by the daily run if no sync of the audience did it.
                        pending.add(SyncMessage.release(segment.orgId(), segment.id(), "release-" + day + "-" + segment.id(),
                                startedAt));
                    } else {
                        continue;
                    }
                } else if (segment.isSyncingAt(now)) {
                    skipped++;
                    continue;
                } else {
                    pending.add(SyncMessage.starting(segment.orgId(), segment.id(), "daily-" + day + "-" + segment.id(),
                            startedAt, SyncMessage.DAILY));
                }
                if (pending.size() == SyncQueue.MAX_BATCH) {
                    calls += send(pending);
                    queued += pending.size();
                    pending.clear();
                }
            }
        }
        if (!pending.isEmpty()) {
            calls += send(pending);
            queued += pending.size();
        }
        metrics.addMetric("SegmentsQueued", queued, MetricUnit.COUNT);
        metrics.addMetric("SegmentsSkipped", skipped, MetricUnit.COUNT);
        LOG.info("Daily fan-out done", entry("organisations", orgIds.size()), entry("segmentsQueued", queued),
                entry("segmentsSkipped", skipped), entry("sqsSendCalls", calls));
        return new FanOut(orgIds.size(), queued, skipped, calls);
    }

    private int send(List<SyncMessage> batch) {
        int failed = queue.sendBatch(List.copyOf(batch));
        if (failed > 0) {
            throw new IllegalStateException(failed + " sync requests could not be queued");
        }
        return 1;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during the fan-out", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }
}
