package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A message on the segment-sync FIFO queue: one slice of run {@code runId}, from {@code progress}. {@code start}
 * marks a run that the worker starts (the daily fan-out's, and the API's should the API stop before marking it): its
 * run id is fixed when the message is made, so a redelivered message resumes its own run rather than finding it
 * "already running", and a run that ended is never started again. {@code releaseOnly} marks the
 * run of a deleted segment that still has people to release.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncMessage(String orgId, String segmentId, String runId, int slice, SyncProgress progress,
                          boolean releaseOnly, boolean start) {

    /**
     * The first message of a run the worker starts (or resumes, when the message comes again): the daily fan-out's,
     * and the API's, which also marks the segment syncing itself.
     */
    public static SyncMessage starting(String orgId, String segmentId, String runId, String startedAt) {
        return new SyncMessage(orgId, segmentId, runId, 0, SyncProgress.start(startedAt), false, true);
    }

    /** Releases the people of a deleted segment from the audiences it was on (the daily run sends these). */
    public static SyncMessage release(String orgId, String segmentId, String runId, String startedAt) {
        return new SyncMessage(orgId, segmentId, runId, 0, SyncProgress.start(startedAt), true, false);
    }

    public SyncMessage next(SyncProgress newProgress) {
        return new SyncMessage(orgId, segmentId, runId, slice + 1, newProgress, releaseOnly, false);
    }
}
