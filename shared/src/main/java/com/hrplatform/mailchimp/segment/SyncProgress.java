package com.hrplatform.mailchimp.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a run stands between slices: everything up to and including subscriber hash {@code afterHash}
 * is done, with the counts so far. Carried in the follow-up message, so a slice needs no other state.
 */
public record SyncProgress(String startedAt, String afterHash, int added, int updated, int unchanged, int archived,
                           int skippedNoConsent, int failed, int inSegment, int mailchimpRequests,
                           List<SegmentRun.MemberError> errors) {

    public static SyncProgress start(String startedAt) {
        return new SyncProgress(startedAt, null, 0, 0, 0, 0, 0, 0, 0, 0, List.of());
    }

    public SyncProgress plus(SyncCounts counts, String newAfterHash) {
        List<SegmentRun.MemberError> merged = new ArrayList<>(errors);
        for (SegmentRun.MemberError error : counts.errors()) {
            if (merged.size() < SegmentRun.MAX_ERRORS) {
                merged.add(error);
            }
        }
        return new SyncProgress(startedAt, newAfterHash, added + counts.added(), updated + counts.updated(),
                unchanged + counts.unchanged(), archived + counts.archived(), skippedNoConsent + counts.skippedNoConsent(),
                failed + counts.failed(), inSegment + counts.inSegment(),
                mailchimpRequests + counts.mailchimpRequests(), List.copyOf(merged));
    }

    public SegmentRun toRun(String runId, String finishedAt) {
        return new SegmentRun(runId, startedAt, finishedAt, added, updated, unchanged, archived, skippedNoConsent,
                failed, errors);
    }
}
