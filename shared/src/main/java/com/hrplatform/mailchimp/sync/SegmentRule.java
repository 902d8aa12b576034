package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.mapping.MergeFieldMapping;
import com.hrplatform.mailchimp.segment.FilterCriteria;
import com.hrplatform.mailchimp.segment.Segment;

/**
 * What the per-address decision needs of a live segment: who it selects, whether it needs an explicit opt-in, and
 * the merge field mapping its syncs use (its own or the connection's default).
 */
public record SegmentRule(String id, String segmentType, FilterCriteria filter, boolean requireOptIn,
                          MergeFieldMapping mapping) {

    public SegmentRule {
        mapping = mapping == null ? MergeFieldMapping.DEFAULT : mapping;
    }

    /** A segment that sends the default merge fields. */
    public SegmentRule(String id, String segmentType, FilterCriteria filter, boolean requireOptIn) {
        this(id, segmentType, filter, requireOptIn, MergeFieldMapping.DEFAULT);
    }

    public static SegmentRule of(Segment segment) {
        return of(segment, null);
    }

    /** @param connectionDefault the connection's default mapping, or null */
    public static SegmentRule of(Segment segment, MergeFieldMapping connectionDefault) {
        return new SegmentRule(segment.id(), segment.segmentType(), segment.filterCriteria(), segment.requireOptIn(),
                segment.effectiveMapping(connectionDefault));
    }

    /** The audience's mapping: the union of its live segments' (see {@link MergeFieldMapping#union}). */
    public static MergeFieldMapping audienceMapping(java.util.List<SegmentRule> live) {
        Last last = LAST.get();
        if (last != null && last.live == live) {
            return last.mapping; // every address of a pass shares its list of segments: one union per pass
        }
        MergeFieldMapping mapping = live.isEmpty() ? MergeFieldMapping.DEFAULT
                : MergeFieldMapping.union(live.stream().map(SegmentRule::mapping).toList());
        LAST.set(new Last(live, mapping));
        return mapping;
    }

    private record Last(java.util.List<SegmentRule> live, MergeFieldMapping mapping) {
    }

    private static final ThreadLocal<Last> LAST = new ThreadLocal<>();

    /** Whether the record belongs in this segment, consent aside. */
    public boolean selects(Contact record) {
        return (Segment.MIXED.equals(segmentType) || segmentType.equals(record.entityType())) && filter.matches(record);
    }
}
