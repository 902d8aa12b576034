package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.Set;

/**
 * A message on the segment-sync FIFO queue: one slice of run {@code runId}, from {@code progress}. {@code start}
 * marks a run that the worker starts (the daily fan-out's, and the API's should the API stop before marking it): its
 * run id is fixed when the message is made, so a redelivered message resumes its own run rather than finding it
 * "already running", and a run that ended is never started again. {@code releaseOnly} marks the
 * run of a deleted segment that still has people to release. {@code trigger} says what started the run
 * ({@link #MANUAL}, {@link #DAILY}, {@link #CHANGE}); a message queued before triggers were told reads as manual.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncMessage(String orgId, String segmentId, String runId, int slice, SyncProgress progress,
                          boolean releaseOnly, boolean start, String trigger) {
    /** Someone asked for it ({@code mailchimp.segments.sync}). */
    public static final String MANUAL = "manual";
    /** The 05:00 fan-out. */
    public static final String DAILY = "daily";
    /** A change in the directory, a consent or a segment, applied within minutes. */
    public static final String CHANGE = "change";
    public static final Set<String> TRIGGERS = Set.of(MANUAL, DAILY, CHANGE);

    public SyncMessage {
        if (trigger == null) {
            trigger = MANUAL;
        } else if (!TRIGGERS.contains(trigger)) {
            throw new IllegalArgumentException("Unknown sync trigger: " + trigger);
        }
    }

    /**
     * The first message of a run the worker starts (or resumes, when the message comes again): the daily fan-out's,
     * and the API's, which also marks the segment syncing itself.
     */
    public static SyncMessage starting(String orgId, String segmentId, String runId, String startedAt) {
        return starting(orgId, segmentId, runId, startedAt, MANUAL);
    }

    /** As {@link #starting(String, String, String, String)}, for a run started by {@code trigger}. */
    public static SyncMessage starting(String orgId, String segmentId, String runId, String startedAt, String trigger) {
        return new SyncMessage(orgId, segmentId, runId, 0, SyncProgress.start(startedAt), false, true, trigger);
    }

    /** Releases the people of a deleted segment from the audiences it was on (the daily run sends these). */
    public static SyncMessage release(String orgId, String segmentId, String runId, String startedAt) {
        return new SyncMessage(orgId, segmentId, runId, 0, SyncProgress.start(startedAt), true, false, DAILY);
    }

    public SyncMessage next(SyncProgress newProgress) {
        return new SyncMessage(orgId, segmentId, runId, slice + 1, newProgress, releaseOnly, false, trigger);
    }
}
