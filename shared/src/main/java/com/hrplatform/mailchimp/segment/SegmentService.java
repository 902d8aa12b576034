package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/** Segments of an org: CRUD with soft delete, and starting a sync (design rules 7 and 10). */
public final class SegmentService {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentService.class);
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(15);

    private final SegmentRepository segments;
    private final ConnectionService connections;
    private final MailchimpClient mailchimp;
    private final SyncQueue queue;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration lease;

    public SegmentService(SegmentRepository segments, ConnectionService connections, MailchimpClient mailchimp,
                          SyncQueue queue, AuditLog audit, Clock clock, Duration lease) {
        this.segments = segments;
        this.connections = connections;
        this.mailchimp = mailchimp;
        this.queue = queue;
        this.audit = audit;
        this.clock = clock;
        this.lease = lease;
    }

    public record NewSegment(String name, String description, String segmentType, String mailchimpListId,
                             JsonNode filterCriteriaJson, FilterCriteria filterCriteria, boolean requireOptIn) {
    }

    /** {@code mailchimpListId} moves the segment: the next sync adds its people there and releases them from the old one. */
    public record SegmentChanges(String name, String description, JsonNode filterCriteriaJson, Boolean requireOptIn,
                                 String mailchimpListId) {
    }

    public record SyncStarted(String segmentId, String runId, String status) {
    }

    public Page<SegmentView> list(Identity identity, PageRequest page) {
        long now = clock.instant().getEpochSecond();
        return segments.list(identity.orgId(), page).map(segment -> SegmentView.of(segment, now));
    }

    public SegmentView get(Identity identity, String segmentId) {
        return SegmentView.of(live(identity.orgId(), segmentId), clock.instant().getEpochSecond());
    }

    public SegmentView create(Identity identity, NewSegment input) {
        MailchimpApiKey key = connections.activeKey(identity.orgId());
        requireAudience(key, input.mailchimpListId());
        requireUniqueName(identity.orgId(), input.name(), input.mailchimpListId(), null);
        String now = now();
        Segment segment = new Segment(identity.orgId(), UUID.randomUUID().toString(), input.name(), input.description(),
                input.segmentType(), input.mailchimpListId(), input.filterCriteria(), input.requireOptIn(), Segment.PENDING,
                0, null, null, null, now, now, null, 0, null, null, List.of());
        segments.create(segment, input.filterCriteriaJson());
        audit.record(identity.orgId(), identity.actor(), "segment.created", "segment", segment.id(),
                Map.of("mailchimpListId", segment.mailchimpListId(), "segmentType", segment.segmentType()));
        return SegmentView.of(segment, clock.instant().getEpochSecond());
    }

    public SegmentView update(Identity identity, String segmentId, SegmentChanges changes) {
        Segment current = live(identity.orgId(), segmentId);
        boolean moves = changes.mailchimpListId() != null && !changes.mailchimpListId().equals(current.mailchimpListId());
        String listId = moves ? changes.mailchimpListId() : current.mailchimpListId();
        String name = changes.name() != null ? changes.name() : current.name();
        if (moves) {
            requireAudience(connections.activeKey(identity.orgId()), listId);
        }
        if (moves || !name.equals(current.name())) {
            requireUniqueName(identity.orgId(), name, listId, segmentId);
        }
        Map<String, AttributeValue> fields = new LinkedHashMap<>();
        if (moves) {
            // The old audience is released at the next sync; the segment gets a new tag in the new one, or, back in an
            // audience whose release is still pending, takes up its tag there again: its members carry that tag, and a
            // segment without its id could neither release them later nor remove the tag from whom it no longer wants.
            String tagBack = current.releases().stream().filter(release -> release.listId().equals(listId))
                    .map(Segment.Release::tagId).filter(java.util.Objects::nonNull).findFirst().orElse(null);
            List<Segment.Release> releases = new java.util.ArrayList<>(current.releases().stream()
                    .filter(release -> !release.listId().equals(listId)).toList());
            if (current.tagId() != null || current.lastSyncedAt() != null) {
                releases.add(new Segment.Release(current.mailchimpListId(), current.tagId()));
            }
            fields.put("mailchimpListId", Items.s(listId));
            fields.put("tagId", tagBack == null ? null : Items.s(tagBack));
            fields.put("releases", SegmentRepository.releasesValue(releases));
        }
        if (changes.name() != null) {
            fields.put("name", Items.s(changes.name()));
        }
        if (changes.description() != null) {
            fields.put("description", Items.s(changes.description()));
        }
        if (changes.filterCriteriaJson() != null) {
            fields.put("filterCriteria", Items.s(Json.write(changes.filterCriteriaJson())));
        }
        if (changes.requireOptIn() != null) {
            fields.put("requireOptIn", AttributeValue.fromBool(changes.requireOptIn()));
        }
        if (!segments.update(identity.orgId(), segmentId, fields, now(), clock.instant().getEpochSecond())) {
            live(identity.orgId(), segmentId);
            throw new DomainException.Conflict("The segment is syncing; change it when the sync has finished");
        }
        audit.record(identity.orgId(), identity.actor(), "segment.updated", "segment", segmentId,
                Map.of("fields", fields.keySet().stream().toList()));
        if (moves || changes.filterCriteriaJson() != null || changes.requireOptIn() != null) {
            if (ChangeFeed.enabled()) {
                runForEdit(identity, current);
            }
        }
        return get(identity, segmentId);
    }

    public void delete(Identity identity, String segmentId) {
        Segment current = live(identity.orgId(), segmentId);
        // Its people leave at the next sync of the audience or the daily run; a segment never synced placed nobody.
        Segment.Release release = current.tagId() != null || current.lastSyncedAt() != null
                ? new Segment.Release(current.mailchimpListId(), current.tagId()) : null;
        if (!segments.softDelete(identity.orgId(), segmentId, now(), release)) {
            throw new DomainException.NotFound("No segment with id " + segmentId);
        }
        audit.record(identity.orgId(), identity.actor(), "segment.deleted", "segment", segmentId, Map.of());
    }

    /** Starts a run: syncing with a fresh lease, then a message for the worker. CONFLICT while one runs. */
    /**
     * Starts a run. The message goes out first and carries the run's id and {@code start}, so the worker starts the
     * run itself if a crash stops this request before it marks the segment; marking it here shows "syncing" at once.
     * A retried request finds the run going (CONFLICT) rather than a segment marked "syncing" that nothing runs.
     */
    public SyncStarted sync(Identity identity, String segmentId) {
        Segment segment = live(identity.orgId(), segmentId);
        connections.activeKey(identity.orgId());
        Instant now = clock.instant();
        if (runningAt(segment, now)) {
            throw new DomainException.Conflict("A sync of this segment is already running");
        }
        String runId = UUID.randomUUID().toString();
        String startedAt = Timestamps.format(now);
        queue.send(SyncMessage.starting(identity.orgId(), segmentId, runId, startedAt));
        if (!segments.startRun(identity.orgId(), segmentId, runId, startedAt, now.getEpochSecond(),
                now.plus(lease).getEpochSecond())
                && !runId.equals(live(identity.orgId(), segmentId).runId())) {
            // Another run took the segment meanwhile; the worker ignores this run's message.
            throw new DomainException.Conflict("A sync of this segment is already running");
        }
        audit.record(identity.orgId(), identity.actor(), "segment.sync_requested", "segment", segmentId,
                Map.of("runId", runId));
        return new SyncStarted(segmentId, runId, Segment.SYNCING);
    }

    /**
     * An edit of who the segment holds reaches Mailchimp within minutes: a run of the segment starts now (the change
     * path's way for an edit), as {@link #sync} starts one. A segment never synced waits for its first sync; without a
     * connection, or when the queue refuses, the edit waits for the daily run (the edit itself is saved either way).
     */
    private void runForEdit(Identity identity, Segment before) {
        if (before.lastSyncedAt() == null) {
            return;
        }
        try {
            connections.activeKey(identity.orgId());
            Instant now = clock.instant();
            String runId = UUID.randomUUID().toString();
            String startedAt = Timestamps.format(now);
            queue.send(SyncMessage.starting(identity.orgId(), before.id(), runId, startedAt, SyncMessage.CHANGE));
            if (segments.startRun(identity.orgId(), before.id(), runId, startedAt, now.getEpochSecond(),
                    now.plus(lease).getEpochSecond())) {
                audit.record(identity.orgId(), identity.actor(), "segment.sync_requested", "segment", before.id(),
                        Map.of("runId", runId, "reason", "edit"));
            }
        } catch (DomainException.NotConnected notConnected) {
            // nothing to sync to until a connection exists
        } catch (RuntimeException e) {
            LOG.warn("The edit's sync run could not start; the daily run applies it",
                    entry("orgId", identity.orgId()),
                    entry("segmentId", before.id()),
                    entry("errorType", e.getClass().getSimpleName()));
        }
    }

    private static boolean runningAt(Segment segment, Instant now) {
        return Segment.SYNCING.equals(segment.status()) && segment.leaseExpiresAt() >= now.getEpochSecond();
    }

    private Segment live(String orgId, String segmentId) {
        return segments.find(orgId, segmentId).filter(segment -> !segment.isDeleted())
                .orElseThrow(() -> new DomainException.NotFound("No segment with id " + segmentId));
    }

    private void requireAudience(MailchimpApiKey key, String listId) {
        try {
            mailchimp.get(key, "/lists/" + URLEncoder.encode(listId, StandardCharsets.UTF_8) + "?fields=id,name");
        } catch (MailchimpException e) {
            if (e.kind() == MailchimpException.Kind.NOT_FOUND) {
                throw new DomainException.InvalidInput("mailchimpListId", "not an audience of the connected Mailchimp account");
            }
            throw e;
        }
    }

    /** The segment's tag is named after it, so two segments of one audience cannot share a name. */
    private void requireUniqueName(String orgId, String name, String listId, String exceptSegmentId) {
        String wanted = name.toLowerCase(Locale.ROOT);
        boolean taken = segments.listAll(orgId).stream()
                .anyMatch(other -> other.mailchimpListId().equals(listId) && !other.id().equals(exceptSegmentId)
                        && other.name().toLowerCase(Locale.ROOT).equals(wanted));
        if (taken) {
            throw new DomainException.Conflict("Another segment of this audience is already called \"" + name + "\"");
        }
    }

    private String now() {
        return Timestamps.format(clock.instant());
    }
}
