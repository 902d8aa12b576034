package com.hrplatform.mailchimp.segment;

import java.util.List;

/** The summary of a segment's last sync, as the dashboard shows it. Errors are capped. */
public record SegmentRun(String runId, String startedAt, String finishedAt, int added, int updated, int unchanged,
                         int archived, int skippedNoConsent, int failed, List<MemberError> errors) {
    public static final int MAX_ERRORS = 50;

    public record MemberError(String entityId, String reason) {
    }
}
