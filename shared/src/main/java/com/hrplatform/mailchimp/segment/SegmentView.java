package com.hrplatform.mailchimp.segment;

import java.util.List;
import java.util.Map;

/** A segment as api.md shows it. Filter values are always arrays, whichever form they were given in. */
public record SegmentView(String id, String name, String description, String segmentType, String mailchimpListId,
                          Map<String, List<String>> filterCriteria, boolean requireOptIn, String status,
                          int memberCount, String lastSyncedAt, String lastError, SegmentRun lastRun,
                          String createdAt, String updatedAt) {
    static final String STALLED = "The last sync stopped before it finished; start it again";

    static SegmentView of(Segment segment, long nowEpoch) {
        boolean stalled = Segment.SYNCING.equals(segment.status()) && !segment.isSyncingAt(nowEpoch);
        return new SegmentView(segment.id(), segment.name(), segment.description(), segment.segmentType(),
                segment.mailchimpListId(), segment.filterCriteria().anyOf(), segment.requireOptIn(),
                stalled ? Segment.ERROR : segment.status(), segment.memberCount(), segment.lastSyncedAt(),
                stalled ? STALLED : segment.lastError(), segment.lastRun(), segment.createdAt(), segment.updatedAt());
    }
}
