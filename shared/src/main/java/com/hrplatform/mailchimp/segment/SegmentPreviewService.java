package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.mailchimp.CallDeadline;
import com.hrplatform.mailchimp.mapping.MergeFieldMapping;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.sync.AudiencePort;
import com.hrplatform.mailchimp.sync.MailchimpAudiences;
import com.hrplatform.mailchimp.sync.SegmentRule;
import com.hrplatform.mailchimp.sync.SyncPass;
import com.hrplatform.mailchimp.sync.SyncPreview;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * {@code mailchimp.segments.preview}: what a sync of the segment would do now, over the passes the sync makes
 * ({@link SegmentSyncService}: the segment's audience, then each audience it left), without writing anything: no
 * record, no audit entry, no message, nothing to Mailchimp (see {@link SyncPreview}). Bounded by a time budget
 * inside API Gateway's limit: a huge org gets the counts of the part walked, marked incomplete.
 */
public final class SegmentPreviewService {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentPreviewService.class);
    /** Kept back from the invocation's own deadline to answer with what was walked. */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(4);
    /** Mailchimp reads in flight for one preview (the audience's statuses are read side by side). */
    private static final int READS_IN_FLIGHT = 4;

    private final SegmentRepository segments;
    private final ConnectionService connections;
    private final MailchimpClient mailchimp;
    private final Executor readers;
    private final SyncPreview preview;
    private final Duration budget;
    private final Clock clock;

    /** @param budget how long a preview walks at most (the invocation's deadline may cut it shorter) */
    /** @param readers where the audience's statuses are read side by side (the container's I/O pool) */
    public SegmentPreviewService(SegmentRepository segments, ConnectionService connections, MailchimpClient mailchimp,
                                 Executor readers, SyncPreview preview, Duration budget, Clock clock) {
        this.segments = segments;
        this.connections = connections;
        this.mailchimp = mailchimp;
        this.readers = readers;
        this.preview = preview;
        this.budget = budget;
        this.clock = clock;
    }

    public SegmentPreview preview(Identity identity, String segmentId) {
        String orgId = identity.orgId();
        Segment segment = segments.find(orgId, segmentId).filter(found -> !found.isDeleted())
                .orElseThrow(() -> new DomainException.NotFound("No segment with id " + segmentId));
        MailchimpApiKey key = connections.activeKey(orgId);
        Instant started = clock.instant();
        Instant deadline = started.plus(budget);
        Instant callDeadline = CallDeadline.current().map(at -> at.minus(ANSWER_MARGIN)).orElse(deadline);
        if (callDeadline.isBefore(deadline)) {
            deadline = callDeadline;
        }
        AudiencePort audience = audiences(CallDeadline.current().orElse(null)).forKey(key, new Semaphore(READS_IN_FLIGHT));
        List<Segment> live = segments.listAll(orgId);
        Map<String, String> names = new HashMap<>();
        live.forEach(other -> names.put(other.id(), other.name()));
        SyncPreview.Tally tally = new SyncPreview.Tally(id -> names.getOrDefault(id, "a deleted segment"));
        boolean complete = preview.pass(audience, pass(orgId, segment.mailchimpListId(), segment, live), deadline, tally);
        // The sync's first pass ends the releases of its own audience; each other audience is walked once.
        Set<String> released = new LinkedHashSet<>();
        segment.releases().stream().map(Segment.Release::listId).filter(listId -> !listId.equals(segment.mailchimpListId()))
                .forEach(released::add);
        for (String listId : released) {
            if (!complete) {
                break;
            }
            complete = preview.pass(audience, pass(orgId, listId, null, live), deadline, tally);
        }
        SegmentPreview answer = SegmentPreview.of(segment, complete, Timestamps.format(started), tally);
        LOG.info("Segment previewed", entry("orgId", orgId), entry("segmentId", segmentId), entry("complete", complete),
                entry("added", answer.counts().added()), entry("updated", answer.counts().updated()),
                entry("archived", answer.counts().archived()), entry("skipped", answer.counts().skipped()),
                entry("durationMs", Duration.between(started, clock.instant()).toMillis()));
        return answer;
    }

    /**
     * Mailchimp's audiences read on the I/O pool under the invocation's own deadline (a thread's deadline does not
     * follow its work to the pool by itself), so a slow Mailchimp ends in a tRPC error before API Gateway gives up.
     */
    private MailchimpAudiences audiences(Instant callDeadline) {
        if (callDeadline == null) {
            return new MailchimpAudiences(mailchimp, readers);
        }
        return new MailchimpAudiences(mailchimp, task -> readers.execute(() -> CallDeadline.within(callDeadline, () -> {
            task.run();
            return null;
        })));
    }

    /**
     * A pass as the sync builds it (SegmentSyncService.slice): the audience's live segments and their known tags.
     * The run's tag is not made sure of here (that may create it): the preview takes it as there.
     */
    private SyncPass pass(String orgId, String listId, Segment runSegment, List<Segment> all) {
        List<Segment> live = all.stream().filter(segment -> segment.mailchimpListId().equals(listId)).toList();
        Map<String, String> tagIds = new HashMap<>();
        live.stream().filter(segment -> segment.tagId() != null).forEach(segment -> tagIds.put(segment.id(), segment.tagId()));
        MergeFieldMapping connectionDefault = connections.defaultMapping(orgId);
        return new SyncPass(orgId, listId, runSegment == null ? null : runSegment.id(),
                live.stream().map(segment -> SegmentRule.of(segment, connectionDefault)).toList(), tagIds, clock.instant(),
                connections.emailPermissions(orgId).get(listId));
    }
}
