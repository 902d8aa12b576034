package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.segment.FilterCriteria;
import com.hrplatform.mailchimp.segment.Segment;

/** What the per-address decision needs of a live segment: who it selects and whether it needs an explicit opt-in. */
public record SegmentRule(String id, String segmentType, FilterCriteria filter, boolean requireOptIn) {

    public static SegmentRule of(Segment segment) {
        return new SegmentRule(segment.id(), segment.segmentType(), segment.filterCriteria(), segment.requireOptIn());
    }

    /** Whether the record belongs in this segment, consent aside. */
    public boolean selects(Contact record) {
        return (Segment.MIXED.equals(segmentType) || segmentType.equals(record.entityType())) && filter.matches(record);
    }
}
