package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A message on the segment-sync FIFO queue. A message without {@code runId} asks for a run (the daily
 * fan-out); one with a run id continues that run from {@code progress} (a slice of a big segment).
 * {@code releaseOnly} marks the run of a deleted segment that still has people to release.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncMessage(String orgId, String segmentId, String runId, int slice, SyncProgress progress,
                          boolean releaseOnly) {

    public static SyncMessage scheduled(String orgId, String segmentId) {
        return new SyncMessage(orgId, segmentId, null, 0, null, false);
    }

    public static SyncMessage firstSlice(String orgId, String segmentId, String runId, String startedAt) {
        return new SyncMessage(orgId, segmentId, runId, 0, SyncProgress.start(startedAt), false);
    }

    /** Releases the people of a deleted segment from the audiences it was on (the daily run sends these). */
    public static SyncMessage release(String orgId, String segmentId, String runId, String startedAt) {
        return new SyncMessage(orgId, segmentId, runId, 0, SyncProgress.start(startedAt), true);
    }

    public SyncMessage next(SyncProgress newProgress) {
        return new SyncMessage(orgId, segmentId, runId, slice + 1, newProgress, releaseOnly);
    }
}
