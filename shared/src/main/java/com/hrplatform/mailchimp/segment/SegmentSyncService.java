package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.api.TrpcException;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import com.hrplatform.mailchimp.membership.PlacementIntents;
import com.hrplatform.mailchimp.preference.ConsentRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The segment-sync worker (design rules 1-9). One message is one time-boxed slice of a run: it walks
 * the org's people and the audience's memberships together in subscriber-hash order, window by
 * window, sends Mailchimp only the difference, and either hands the rest to a follow-up message or
 * finishes the run. Re-running any slice converges to the same audience, so SQS redelivery is safe.
 */
public final class SegmentSyncService {
    public static final String ACTOR = "system:sync";
    private static final Logger LOG = LoggerFactory.getLogger(SegmentSyncService.class);

    public enum Outcome { FINISHED, CONTINUES, IGNORED }

    private static final int RECONCILE_PAGE = 1000;
    private static final int RECONCILE_MARKS_PER_WRITE = 20_000;

    private final SegmentRepository segments;
    private final ContactRepository contacts;
    private final MembershipRepository memberships;
    private final PlacementIntents intents;
    private final ConnectionService connectionService;
    private final ConnectionRepository connections;
    private final MailchimpClient mailchimp;
    private final SyncQueue queue;
    private final ConsentRecorder consent;
    private final AuditLog audit;
    private final Metrics metrics;
    private final ExecutorService senders;
    private final SyncSettings settings;
    private final Clock clock;

    /** What else happens around a run (issue 5: erasures and the webhook). */
    public interface RunHooks {
        /**
         * A run's first slice starts. Work started here runs beside the sync on {@code pool} and must not
         * fail the run (e.g. making sure the audience calls our webhook).
         */
        void started(String orgId, String listId, ExecutorService pool);

        /**
         * A run ends, before its end is recorded: erasures made while it was in flight are applied again.
         * Throwing makes the message come back, so the slice, and this, run again.
         */
        void finished(String orgId, String listId, String runStartedAt);
    }

    private final RunHooks hooks;

    public SegmentSyncService(SegmentRepository segments, ContactRepository contacts, MembershipRepository memberships,
                              PlacementIntents intents, ConnectionService connectionService,
                              ConnectionRepository connections, MailchimpClient mailchimp, SyncQueue queue,
                              ConsentRecorder consent, AuditLog audit, Metrics metrics, ExecutorService senders,
                              SyncSettings settings, Clock clock, RunHooks hooks) {
        this.hooks = hooks;
        this.segments = segments;
        this.contacts = contacts;
        this.memberships = memberships;
        this.intents = intents;
        this.connectionService = connectionService;
        this.connections = connections;
        this.mailchimp = mailchimp;
        this.queue = queue;
        this.consent = consent;
        this.audit = audit;
        this.metrics = metrics;
        this.senders = senders;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Runs one slice. Throws when Mailchimp or AWS failed in a way worth retrying: the message then
     * comes back and the slice runs again from where it started.
     */
    public Outcome process(SyncMessage message, Instant deadline) {
        Segment segment = segments.find(message.orgId(), message.segmentId()).orElse(null);
        if (segment == null || segment.isDeleted()) {
            return Outcome.IGNORED;
        }
        Instant now = clock.instant();
        if (message.runId() == null) {
            // A scheduled request: start a run unless one is live already (design rule 7).
            String runId = UUID.randomUUID().toString();
            String startedAt = iso(now);
            if (!segments.startRun(message.orgId(), message.segmentId(), runId, startedAt, now.getEpochSecond(),
                    now.plus(settings.lease()).getEpochSecond())) {
                return Outcome.IGNORED;
            }
            message = SyncMessage.firstSlice(message.orgId(), message.segmentId(), runId, startedAt);
            segment = segments.find(message.orgId(), message.segmentId()).orElseThrow();
        } else if (!message.runId().equals(segment.runId()) || !Segment.SYNCING.equals(segment.status())) {
            return Outcome.IGNORED; // a redelivered message of a run that ended or was taken over
        }
        MailchimpApiKey key;
        try {
            key = connectionService.activeKey(message.orgId());
        } catch (TrpcException | IllegalStateException e) {
            finish(message, segment, message.progress(), Segment.ERROR,
                    "No Mailchimp account is connected; connect one and sync again");
            return Outcome.FINISHED;
        }
        if (!segments.renewLease(message.orgId(), message.segmentId(), message.runId(),
                clock.instant().plus(settings.lease()).getEpochSecond(), null)) {
            return Outcome.IGNORED;
        }
        SyncSlice slice;
        try {
            // The Mailchimp calls before the first batch run side by side: each costs a round trip.
            Segment current = segment;
            CompletableFuture<String> tag = CompletableFuture.supplyAsync(() -> ensureTag(key, current), senders);
            Set<String> liveSegmentIds = segments.listAll(message.orgId()).stream().map(Segment::id)
                    .collect(Collectors.toSet());
            slice = new SyncSlice(segment, () -> joined(tag), message.runId() + "-" + message.slice(), key, liveSegmentIds,
                    intents.open(message.orgId(), segment.mailchimpListId()), settings, mailchimp, contacts,
                    memberships, intents, consent, senders, clock);
            slice.prefetch(message.progress().afterHash());
            if (message.slice() == 0) {
                hooks.started(message.orgId(), segment.mailchimpListId(), senders);
                reconcileOptOuts(key, segment);
            }
            slice.run(message.progress().afterHash(), deadline);
            String tagId = joined(tag);
            if (!tagId.equals(segment.tagId()) && !segments.renewLease(message.orgId(), message.segmentId(),
                    message.runId(), clock.instant().plus(settings.lease()).getEpochSecond(), tagId)) {
                return Outcome.IGNORED;
            }
        } catch (MailchimpException e) {
            if (e.isTransient()) {
                throw e;
            }
            finish(message, segment, message.progress(), Segment.ERROR, runFailure(e));
            return Outcome.FINISHED;
        }
        SyncProgress progress = message.progress().plus(slice.counts(), slice.afterHash());
        if (slice.finished()) {
            finish(message, segment, progress, Segment.SYNCED, null);
            return Outcome.FINISHED;
        }
        queue.send(message.next(progress));
        LOG.info("Sync slice done, run continues", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                entry("runId", message.runId()), entry("slice", message.slice()));
        return Outcome.CONTINUES;
    }

    /** Ends a run that failed too often to go on (the message is about to leave for the dead-letter queue). */
    public void abandon(SyncMessage message, String reason) {
        segments.find(message.orgId(), message.segmentId())
                .filter(segment -> message.runId() != null && message.runId().equals(segment.runId()))
                .ifPresent(segment -> finish(message, segment, message.progress(), Segment.ERROR, reason));
    }

    private void finish(SyncMessage message, Segment segment, SyncProgress progress, String status, String lastError) {
        hooks.finished(message.orgId(), segment.mailchimpListId(), progress == null ? null : progress.startedAt());
        String at = iso(clock.instant());
        SegmentRun run = progress.toRun(message.runId(), at);
        int memberCount = Segment.SYNCED.equals(status) ? progress.inSegment() : segment.memberCount();
        if (!segments.finishRun(message.orgId(), message.segmentId(), message.runId(), status, memberCount, run,
                lastError, at)) {
            return;
        }
        if (Segment.SYNCED.equals(status)) {
            connections.touchLastSync(message.orgId(), at);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("runId", message.runId());
        details.put("status", status);
        details.put("added", run.added());
        details.put("updated", run.updated());
        details.put("unchanged", run.unchanged());
        details.put("archived", run.archived());
        details.put("skippedNoConsent", run.skippedNoConsent());
        details.put("failed", run.failed());
        audit.record(message.orgId(), ACTOR, Segment.SYNCED.equals(status) ? "segment.synced" : "segment.sync_failed",
                "segment", message.segmentId(), details);
        long durationMs = Duration.between(Instant.parse(progress.startedAt()), Instant.parse(at)).toMillis();
        metrics.addMetric("MembersAdded", run.added(), MetricUnit.COUNT);
        metrics.addMetric("MembersUpdated", run.updated(), MetricUnit.COUNT);
        metrics.addMetric("MembersArchived", run.archived(), MetricUnit.COUNT);
        metrics.addMetric("MembersFailed", run.failed(), MetricUnit.COUNT);
        metrics.addMetric("MailchimpRequests", progress.mailchimpRequests(), MetricUnit.COUNT);
        metrics.addMetric("SyncDuration", durationMs, MetricUnit.MILLISECONDS);
        metrics.addMetric(Segment.SYNCED.equals(status) ? "SyncsSucceeded" : "SyncsFailed", 1, MetricUnit.COUNT);
        LOG.info("Sync finished", entry("orgId", message.orgId()), entry("segmentId", message.segmentId()),
                entry("runId", message.runId()), entry("status", status), entry("added", run.added()),
                entry("updated", run.updated()), entry("archived", run.archived()), entry("failed", run.failed()),
                entry("mailchimpRequests", progress.mailchimpRequests()), entry("durationMs", durationMs));
    }

    /** The segment's tag (a Mailchimp static segment named after it): found, renamed, or created. */
    private String ensureTag(MailchimpApiKey key, Segment segment) {
        String listPath = "/lists/" + segment.mailchimpListId() + "/segments";
        if (segment.tagId() != null) {
            try {
                var tag = mailchimp.get(key, listPath + "/" + segment.tagId() + "?fields=id,name");
                if (!segment.name().equals(tag.path("name").asText())) {
                    mailchimp.send(key, "PATCH", listPath + "/" + segment.tagId(), Map.of("name", segment.name()));
                }
                return segment.tagId();
            } catch (MailchimpException e) {
                if (e.kind() != MailchimpException.Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
        for (int offset = 0; ; offset += 1000) {
            var page = mailchimp.get(key, listPath + "?type=static&count=1000&offset=" + offset
                    + "&fields=segments.id,segments.name,total_items");
            for (var tag : page.path("segments")) {
                if (segment.name().equals(tag.path("name").asText())) {
                    return tag.path("id").asText();
                }
            }
            if (page.path("segments").size() < 1000) {
                break;
            }
        }
        var created = mailchimp.send(key, "POST", listPath, Map.of("name", segment.name(), "static_segment", List.of()));
        return created.path("id").asText();
    }

    /**
     * Learns who unsubscribed or was cleaned in Mailchimp (design rule 1): the sync must never send
     * "subscribed" for them, and Mailchimp's batch endpoint would overwrite their status if it did.
     */
    private void reconcileOptOuts(MailchimpApiKey key, Segment segment) {
        String at = iso(clock.instant());
        List<CompletableFuture<Void>> statuses = new ArrayList<>();
        for (String status : new String[]{"unsubscribed", "cleaned"}) {
            statuses.add(CompletableFuture.runAsync(() -> reconcileStatus(key, segment, status, at), senders));
        }
        statuses.forEach(SegmentSyncService::joined);
    }

    /**
     * Pages through one status. Marks are recorded a few pages at a time: Mailchimp lists members in its own
     * order, so one page touches most buckets of the audience, and grouping pages reads each bucket once
     * per group rather than once per page, with memory still bounded.
     */
    private void reconcileStatus(MailchimpApiKey key, Segment segment, String status, String at) {
        List<MembershipRepository.StatusMark> marks = new ArrayList<>();
        for (int offset = 0; ; offset += RECONCILE_PAGE) {
            var page = mailchimp.get(key, "/lists/" + segment.mailchimpListId() + "/members?status=" + status
                    + "&count=" + RECONCILE_PAGE + "&offset=" + offset + "&fields=members.email_address,members.status,total_items");
            var members = page.path("members");
            for (var member : members) {
                String email = Contact.normaliseEmail(member.path("email_address").asText());
                marks.add(new MembershipRepository.StatusMark(Contact.subscriberHash(email), email, status));
            }
            boolean last = members.size() < RECONCILE_PAGE;
            if (last || marks.size() >= RECONCILE_MARKS_PER_WRITE) {
                memberships.markStatuses(segment.orgId(), segment.mailchimpListId(), marks, at);
                marks = new ArrayList<>();
            }
            if (last) {
                break;
            }
        }
    }

    /** The future's value, or the exception it failed with (a Mailchimp failure stays one). */
    static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
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
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
