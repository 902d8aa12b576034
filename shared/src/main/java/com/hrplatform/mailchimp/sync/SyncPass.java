package com.hrplatform.mailchimp.sync;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One pass of a run over one audience: the org's live segments on it, the run's segment whose people it adds
 * (null: a pass that only releases people of a deleted or moved segment), the tag ids of the segments, and
 * when the slice started reading (consent changes from then on are checked again before sending), and the audience's
 * marketing permission chosen as email (null: none chosen, or the audience has no GDPR fields).
 */
public record SyncPass(String orgId, String listId, String runSegmentId, List<SegmentRule> liveSegments,
                       Map<String, String> tagIds, Instant readAt, String emailPermissionId) {
    public SyncPass {
        liveSegments = List.copyOf(liveSegments);
        tagIds = Map.copyOf(tagIds);
    }
}
