package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.hrplatform.mailchimp.sync.RunCounts;

import java.util.List;
import java.util.Map;

/**
 * The summary of a segment's last sync, as the dashboard shows it. {@code skipped} counts the people of the
 * segment left out or as they were, by reason ({@link com.hrplatform.mailchimp.sync.SkipReason});
 * {@code skippedNoConsent} is its {@code no_consent} count. Errors are capped. {@code trigger} is what started the run
 * ({@link SyncMessage#TRIGGERS}); null for a run summary stored before runs told it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SegmentRun(String runId, String startedAt, String finishedAt, int added, int updated, int unchanged,
                         int archived, int unsubscribed, int pendingConfirmation, int skippedNoConsent,
                         Map<String, Integer> skipped, int failed, List<MemberError> errors, String trigger) {
    public static final int MAX_ERRORS = RunCounts.MAX_ERRORS;

    public SegmentRun {
        skipped = skipped == null ? Map.of() : Map.copyOf(skipped);
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** A summary without its trigger (as stored before runs told it). */
    public SegmentRun(String runId, String startedAt, String finishedAt, int added, int updated, int unchanged,
                      int archived, int unsubscribed, int pendingConfirmation, int skippedNoConsent,
                      Map<String, Integer> skipped, int failed, List<MemberError> errors) {
        this(runId, startedAt, finishedAt, added, updated, unchanged, archived, unsubscribed, pendingConfirmation,
                skippedNoConsent, skipped, failed, errors, null);
    }

    public record MemberError(String entityId, String reason) {
    }
}
