package com.hrplatform.mailchimp.events;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the integration tells the rest of the HR platform, on its EventBridge bus with source {@value #SOURCE}.
 * The detail carries ids, never an email address (docs/api.md, "Events to the platform"). Delivery is at least
 * once: each kind carries the key a consumer dedupes on ({@code eventId}, {@code requestId} or {@code runId}).
 */
public record PlatformEvent(String detailType, Map<String, Object> detail) {
    public static final String SOURCE = "hr.mailchimp";

    public static final String MEMBER_UNSUBSCRIBED = "Member Unsubscribed";
    public static final String MEMBER_CLEANED = "Member Cleaned";
    public static final String MEMBER_RESUBSCRIBED = "Member Resubscribed";
    public static final String ERASURE_COMPLETED = "Erasure Completed";
    public static final String SYNC_RUN_ENDED = "Sync Run Ended";
    public static final String CONNECTION_BROKEN = "Connection Broken";

    /**
     * The address of these people said no ({@link #MEMBER_UNSUBSCRIBED}), bounced for good ({@link #MEMBER_CLEANED})
     * or subscribed again ({@link #MEMBER_RESUBSCRIBED}) in a Mailchimp audience.
     *
     * @param occurrence what makes one Mailchimp event unique (its type, audience, address hash, time), hashed into
     *                   {@code eventId} so every delivery of it carries the same id and nothing of the address
     */
    public static PlatformEvent memberChanged(String detailType, String orgId, String listId,
                                              Collection<String> entityKeys, String occurredAt, String occurrence) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("eventId", UUID.nameUUIDFromBytes((orgId + "|" + occurrence).getBytes(StandardCharsets.UTF_8)).toString());
        detail.put("orgId", orgId);
        detail.put("listId", listId);
        detail.put("entities", entities(entityKeys));
        detail.put("occurredAt", occurredAt);
        return new PlatformEvent(detailType, detail);
    }

    /** An erasure request is done, in Mailchimp too; {@code requestId} is the same for every retry of the request. */
    public static PlatformEvent erasureCompleted(String orgId, String requestId, Collection<String> entityKeys,
                                                 int audiencesErased, String completedAt) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("requestId", requestId);
        detail.put("orgId", orgId);
        detail.put("entities", entities(entityKeys));
        detail.put("audiencesErased", audiencesErased);
        detail.put("completedAt", completedAt);
        return new PlatformEvent(ERASURE_COMPLETED, detail);
    }

    /**
     * A segment's sync run ended, {@code synced} or {@code error}; {@code counts} as the run's summary has them
     * (docs/api.md, {@code lastRun}). {@code runId} is the same however often it is told. {@code trigger}: what started
     * the run ({@code manual}, {@code daily}, {@code change}).
     */
    public static PlatformEvent syncRunEnded(String orgId, String segmentId, String listId, String runId, String trigger,
                                             String status, String startedAt, String finishedAt, Map<String, Object> counts) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("runId", runId);
        detail.put("orgId", orgId);
        detail.put("segmentId", segmentId);
        detail.put("listId", listId);
        detail.put("trigger", trigger);
        detail.put("status", status);
        detail.put("startedAt", startedAt);
        detail.put("finishedAt", finishedAt);
        detail.put("counts", counts);
        return new PlatformEvent(SYNC_RUN_ENDED, detail);
    }

    /**
     * Mailchimp refused the org's API key: the connection is broken until someone reconnects. {@code eventId} names
     * the connection (its org and when it was made), so the same broken connection is one event however often seen.
     */
    public static PlatformEvent connectionBroken(String orgId, String connectedAt, String detectedBy, String detectedAt) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("eventId", UUID.nameUUIDFromBytes(("broken|" + orgId + "|" + connectedAt)
                .getBytes(StandardCharsets.UTF_8)).toString());
        detail.put("orgId", orgId);
        detail.put("detectedBy", detectedBy);
        detail.put("detectedAt", detectedAt);
        return new PlatformEvent(CONNECTION_BROKEN, detail);
    }

    /** {@code employee#e1} -> {@code {entityType: employee, entityId: e1}}. */
    private static List<Map<String, String>> entities(Collection<String> entityKeys) {
        return entityKeys.stream().map(key -> {
            Map<String, String> entity = new LinkedHashMap<>();
            entity.put("entityType", key.substring(0, key.indexOf('#')));
            entity.put("entityId", key.substring(key.indexOf('#') + 1));
            return entity;
        }).toList();
    }
}
