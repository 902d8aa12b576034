package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.mapping.MergeFieldMapping;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A group of people mapped to one Mailchimp audience, mirrored there as a tag of its name.
 * {@code runId}/{@code leaseExpiresAt} belong to the running sync; {@code releases} are audiences the
 * segment left (deleted, or moved to another audience) whose people a sync still has to release;
 * {@code tagId} is the Mailchimp
 * static segment id of the tag; {@code mapping} its own merge field mapping (null: the connection's default).
 */
public record Segment(String orgId, String id, String name, String description, String segmentType,
                      String mailchimpListId, FilterCriteria filterCriteria, boolean requireOptIn, String status,
                      int memberCount, String lastSyncedAt, String lastError, SegmentRun lastRun, String createdAt,
                      String updatedAt, String runId, long leaseExpiresAt, String tagId, String softDeletedAt,
                      List<Release> releases, MergeFieldMapping mapping) {
    public static final String PENDING = "pending";
    public static final String SYNCING = "syncing";
    public static final String SYNCED = "synced";
    public static final String ERROR = "error";
    public static final String MIXED = "mixed";

    /** An audience the segment left, and its tag there, to release at the next sync of that audience. */
    public record Release(String listId, String tagId) {
    }

    public Segment {
        releases = releases == null ? List.of() : List.copyOf(releases);
    }

    /** A segment with no mapping of its own. */
    public Segment(String orgId, String id, String name, String description, String segmentType,
                   String mailchimpListId, FilterCriteria filterCriteria, boolean requireOptIn, String status,
                   int memberCount, String lastSyncedAt, String lastError, SegmentRun lastRun, String createdAt,
                   String updatedAt, String runId, long leaseExpiresAt, String tagId, String softDeletedAt,
                   List<Release> releases) {
        this(orgId, id, name, description, segmentType, mailchimpListId, filterCriteria, requireOptIn, status, memberCount,
                lastSyncedAt, lastError, lastRun, createdAt, updatedAt, runId, leaseExpiresAt, tagId, softDeletedAt,
                releases, null);
    }

    /** The mapping its syncs use: its own, else the connection's default, else {@link MergeFieldMapping#DEFAULT}. */
    public MergeFieldMapping effectiveMapping(MergeFieldMapping connectionDefault) {
        return mapping != null ? mapping : connectionDefault != null ? connectionDefault : MergeFieldMapping.DEFAULT;
    }

    /** Whether the person belongs in this segment, consent aside. */
    public boolean selects(Contact contact) {
        return (MIXED.equals(segmentType) || segmentType.equals(contact.entityType()))
                && filterCriteria.matches(contact);
    }

    /** Whether the person's consent allows subscribing them through this segment (design rule 1). */
    public boolean consentAllows(Contact contact) {
        if (Contact.OPTED_OUT.equals(contact.consent())) {
            return false;
        }
        return !requireOptIn || Contact.OPTED_IN.equals(contact.consent());
    }

    public boolean isDeleted() {
        return softDeletedAt != null;
    }

    public boolean isSyncingAt(long epochSeconds) {
        return SYNCING.equals(status) && leaseExpiresAt > epochSeconds;
    }

    /** When the last sync run of these segments ended (whatever its outcome), if ever. */
    public static Optional<String> lastSyncedAt(List<Segment> segments) {
        return segments.stream().map(Segment::lastSyncedAt).filter(Objects::nonNull).max(String::compareTo);
    }
}
