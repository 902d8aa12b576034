package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.hrplatform.mailchimp.sync.RunCounts;
import com.hrplatform.mailchimp.sync.SkipReason;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a run stands between slices: pass {@code pass} of the run (0: the segment's audience; then each
 * audience it must release) is done up to and including subscriber hash {@code afterHash}, with the counts so
 * far. Carried in the follow-up message, so a slice needs no other state. {@code issuesKept}: the per-member skips and
 * failures the run's history holds so far (capped, {@link RunCounts#MAX_ISSUES}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncProgress(String startedAt, int pass, String afterHash, int added, int updated, int unchanged,
                           int archived, int unsubscribed, int pendingConfirmation, Map<String, Integer> skipped,
                           int failed, int inSegment, int mailchimpRequests, List<SegmentRun.MemberError> errors,
                           int issuesKept) {

    public SyncProgress {
        skipped = skipped == null ? Map.of() : Map.copyOf(skipped);
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static SyncProgress start(String startedAt) {
        return new SyncProgress(startedAt, 0, null, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0, List.of(), 0);
    }

    public SyncProgress plus(RunCounts counts, String newAfterHash) {
        List<SegmentRun.MemberError> merged = new ArrayList<>(errors);
        for (RunCounts.MemberError error : counts.errors()) {
            if (merged.size() < SegmentRun.MAX_ERRORS) {
                merged.add(new SegmentRun.MemberError(error.entityId(), error.reason()));
            }
        }
        Map<String, Integer> skips = new TreeMap<>(skipped);
        counts.skipped().forEach((reason, count) -> skips.merge(reason, count, Integer::sum));
        return new SyncProgress(startedAt, pass, newAfterHash, added + counts.added(), updated + counts.updated(),
                unchanged + counts.unchanged(), archived + counts.archived(), unsubscribed + counts.unsubscribed(),
                pendingConfirmation + counts.pendingConfirmation(), skips, failed + counts.failed(),
                inSegment + counts.inSegment(), mailchimpRequests + counts.mailchimpRequests(), merged, issuesKept);
    }

    /** The next pass, from its start. */
    public SyncProgress nextPass() {
        return new SyncProgress(startedAt, pass + 1, null, added, updated, unchanged, archived, unsubscribed,
                pendingConfirmation, skipped, failed, inSegment, mailchimpRequests, errors, issuesKept);
    }

    /** The same, with {@code kept} skips and failures in the run's history. */
    public SyncProgress withIssuesKept(int kept) {
        return new SyncProgress(startedAt, pass, afterHash, added, updated, unchanged, archived, unsubscribed,
                pendingConfirmation, skipped, failed, inSegment, mailchimpRequests, errors, kept);
    }

    public SegmentRun toRun(String runId, String finishedAt) {
        return toRun(runId, finishedAt, null);
    }

    public SegmentRun toRun(String runId, String finishedAt, String trigger) {
        return new SegmentRun(runId, startedAt, finishedAt, added, updated, unchanged, archived, unsubscribed,
                pendingConfirmation, skipped.getOrDefault(SkipReason.NO_CONSENT.wire(), 0), skipped, failed, errors, trigger);
    }
}
