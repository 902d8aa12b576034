package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message on the segment-sync FIFO queue (group = orgId, as every sync message) saying that the segment has
 * changed addresses waiting in {@link PendingChanges}: the worker applies them (the change path), no full run.
 * {@code changes} is always true: it tells this kind from a {@link SyncMessage} on the same queue.
 *
 * @param generation the pending set's generation the sender added to (see {@link PendingChanges})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChangeMessage(String orgId, String segmentId, long generation, boolean changes) {
    public ChangeMessage(String orgId, String segmentId, long generation) {
        this(orgId, segmentId, generation, true);
    }

    /** Whether a message body on the sync queue is a change message. */
    public static boolean isChange(JsonNode body) {
        return body.path("changes").asBoolean(false);
    }
}
