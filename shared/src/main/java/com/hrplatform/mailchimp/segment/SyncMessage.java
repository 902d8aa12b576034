package com.hrplatform.mailchimp.segment;

/**
 * A message on the segment-sync FIFO queue. A message without {@code runId} asks for a run (the daily
 * fan-out); one with a run id continues that run from {@code progress} (a slice of a big segment).
 */
public record SyncMessage(String orgId, String segmentId, String runId, int slice, SyncProgress progress) {

    public static SyncMessage scheduled(String orgId, String segmentId) {
        return new SyncMessage(orgId, segmentId, null, 0, null);
    }

    public static SyncMessage firstSlice(String orgId, String segmentId, String runId, String startedAt) {
        return new SyncMessage(orgId, segmentId, runId, 0, SyncProgress.start(startedAt));
    }

    public SyncMessage next(SyncProgress newProgress) {
        return new SyncMessage(orgId, segmentId, runId, slice + 1, newProgress);
    }
}
