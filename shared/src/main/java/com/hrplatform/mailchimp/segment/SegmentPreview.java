package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.sync.RunCounts;
import com.hrplatform.mailchimp.sync.SyncPreview;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sync of a segment would do now, as {@code mailchimp.segments.preview} answers it (docs/api.md). The counts
 * carry the names of a run's ({@link SegmentRun}), so the dashboard and a test compare them field by field; the
 * examples show masked addresses only. {@code complete} is false when the walk stopped at its deadline: the counts
 * are then those of the part walked.
 */
public record SegmentPreview(String segmentId, String mailchimpListId, boolean complete, String previewedAt,
                             Counts counts, Map<String, List<SyncPreview.Example>> examples) {

    /** A run's counts as the sync would report them, then the preview's own: tag changes, moves, opt-outs learned. */
    public record Counts(int added, int updated, int unchanged, int archived, int unsubscribed, int pendingConfirmation,
                         Map<String, Integer> skipped, int failed, int inSegment, int tagChanges, int addressChanges,
                         int optOutsLearned, int recheckedAfterInterruption) {
    }

    static SegmentPreview of(Segment segment, boolean complete, String previewedAt, SyncPreview.Tally tally) {
        RunCounts run = tally.counts();
        Counts counts = new Counts(run.added(), run.updated(), run.unchanged(), run.archived(), run.unsubscribed(),
                run.pendingConfirmation(), run.skipped(), run.failed(), run.inSegment(),
                tally.count(SyncPreview.Kind.TAG_CHANGES), tally.count(SyncPreview.Kind.ADDRESS_CHANGES),
                tally.count(SyncPreview.Kind.OPT_OUTS_LEARNED), tally.recheckedAfterInterruption());
        Map<String, List<SyncPreview.Example>> examples = new LinkedHashMap<>();
        for (SyncPreview.Kind kind : SyncPreview.Kind.values()) {
            examples.put(kind.wire(), tally.examples(kind));
        }
        return new SegmentPreview(segment.id(), segment.mailchimpListId(), complete, previewedAt, counts, examples);
    }
}
