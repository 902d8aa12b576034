package com.hrplatform.mailchimp.mapping;

import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.segment.Segment;
import com.hrplatform.mailchimp.segment.SegmentRepository;
import com.hrplatform.mailchimp.sync.AudiencePort;
import com.fasterxml.jackson.databind.JsonNode;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merge field mappings: a segment's own and the connection's default, read and set. A mapping that would make two
 * segments of one audience send different fields under one tag is refused (a member holds one value per tag).
 */
public final class MappingService {
    /** The input field a mapping comes in. */
    public static final String FIELD = "mapping";

    private final SegmentRepository segments;
    private final ConnectionRepository connectionRecords;
    private final ConnectionService connections;
    private final MailchimpClient mailchimp;
    private final AuditLog audit;
    private final Clock clock;

    public MappingService(SegmentRepository segments, ConnectionRepository connectionRecords, ConnectionService connections,
                          MailchimpClient mailchimp, AuditLog audit, Clock clock) {
        this.segments = segments;
        this.connectionRecords = connectionRecords;
        this.connections = connections;
        this.mailchimp = mailchimp;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * A mapping as the API shows it: {@code mapping} what was set here (null: none), {@code effective} what a sync
     * sends, {@code source} where that comes from: {@code segment}, {@code connection} or {@code default}.
     */
    public record MappingView(List<MergeFieldMapping.Entry> mapping, List<MergeFieldMapping.Entry> effective, String source) {
    }

    public MappingView segmentMapping(Identity identity, String segmentId) {
        Segment segment = live(identity.orgId(), segmentId);
        MergeFieldMapping fallback = connectionDefault(identity.orgId());
        String source = segment.mapping() != null ? "segment" : fallback != null ? "connection" : "default";
        return new MappingView(segment.mapping() == null ? null : segment.mapping().entries(),
                segment.effectiveMapping(fallback).entries(), source);
    }

    /** Sets the segment's own mapping; null goes back to the connection's default. */
    public MappingView setSegmentMapping(Identity identity, String segmentId, MergeFieldMapping mapping) {
        Segment segment = live(identity.orgId(), segmentId);
        MergeFieldMapping fallback = connectionDefault(identity.orgId());
        MergeFieldMapping effective = mapping != null ? mapping : fallback != null ? fallback : MergeFieldMapping.DEFAULT;
        List<Segment> all = segments.listAll(identity.orgId());
        for (Segment other : all) {
            if (!other.id().equals(segmentId) && other.mailchimpListId().equals(segment.mailchimpListId())) {
                refuseConflicts(effective, other.effectiveMapping(fallback), other.name());
            }
        }
        Map<String, AttributeValue> changes = new HashMap<>();
        changes.put("mergeFieldMapping", mapping == null ? null : Items.s(mapping.toStored()));
        if (!segments.update(identity.orgId(), segmentId, changes, now(), clock.instant().getEpochSecond())) {
            live(identity.orgId(), segmentId);
            throw new DomainException.Conflict("The segment is syncing; change it when the sync has finished");
        }
        audit.record(identity.orgId(), identity.actor(), "segment.mapping_set", "segment", segmentId,
                Map.of("tags", mapping == null ? List.of() : List.copyOf(mapping.byTag().keySet())));
        return segmentMapping(identity, segmentId);
    }

    public MappingView connectionMapping(Identity identity) {
        MergeFieldMapping fallback = connectionDefault(identity.orgId());
        return new MappingView(fallback == null ? null : fallback.entries(),
                (fallback == null ? MergeFieldMapping.DEFAULT : fallback).entries(), fallback == null ? "default" : "connection");
    }

    /** Sets the connection's default; null goes back to first and last name only. */
    public MappingView setConnectionMapping(Identity identity, MergeFieldMapping mapping) {
        connections.activeKey(identity.orgId()); // connected, or PRECONDITION_FAILED
        MergeFieldMapping effective = mapping == null ? MergeFieldMapping.DEFAULT : mapping;
        List<Segment> all = segments.listAll(identity.orgId());
        for (Segment usesDefault : all) {
            if (usesDefault.mapping() != null) {
                continue;
            }
            for (Segment own : all) {
                if (own.mapping() != null && own.mailchimpListId().equals(usesDefault.mailchimpListId())) {
                    refuseConflicts(effective, own.mapping(), own.name());
                }
            }
        }
        if (!connectionRecords.setMergeFieldMapping(identity.orgId(), mapping == null ? null : mapping.toStored(), now())) {
            throw new DomainException.NotConnected(ConnectionService.NOT_CONNECTED);
        }
        audit.record(identity.orgId(), identity.actor(), "connection.mapping_set", "connection", identity.orgId(),
                Map.of("tags", mapping == null ? List.of() : List.copyOf(mapping.byTag().keySet())));
        return connectionMapping(identity);
    }

    /** The merge fields the audience has, to choose a tag from. */
    public List<AudiencePort.MergeFieldView> audienceMergeFields(Identity identity, String listId) {
        var key = connections.activeKey(identity.orgId());
        List<AudiencePort.MergeFieldView> fields = new ArrayList<>();
        try {
            for (int offset = 0; ; offset += 1000) {
                JsonNode page = mailchimp.get(key, "/lists/" + listId + "/merge-fields?count=1000&offset=" + offset
                        + "&fields=merge_fields.tag,merge_fields.name,merge_fields.type,total_items");
                page.path("merge_fields").forEach(field -> fields.add(new AudiencePort.MergeFieldView(
                        field.path("tag").asText(), field.path("name").asText(), field.path("type").asText())));
                if (page.path("merge_fields").size() < 1000) {
                    return fields;
                }
            }
        } catch (MailchimpException e) {
            if (e.kind() == MailchimpException.Kind.NOT_FOUND) {
                throw new DomainException.InvalidInput("listId", "not an audience of the connected Mailchimp account");
            }
            throw e;
        }
    }

    /** The connection's default mapping, or null when none was set (the sync reads it for each slice). */
    public MergeFieldMapping connectionDefault(String orgId) {
        return connectionRecords.mergeFieldMapping(orgId).map(MergeFieldMapping::fromStored).orElse(null);
    }

    private static void refuseConflicts(MergeFieldMapping mine, MergeFieldMapping theirs, String theirName) {
        Map<String, DirectoryField> conflicts = mine.conflicts(theirs);
        if (conflicts.isEmpty()) {
            return;
        }
        List<String> problems = new ArrayList<>();
        conflicts.forEach((tag, field) -> problems.add(tag + " already carries " + field.wireName() + " for segment \""
                + theirName + "\" of the same audience; a member holds one value per merge tag, so map "
                + mine.byTag().get(tag).wireName() + " to another tag"));
        throw new DomainException.InvalidInput(FIELD, String.join("; ", problems));
    }

    private Segment live(String orgId, String segmentId) {
        return segments.find(orgId, segmentId).filter(segment -> !segment.isDeleted())
                .orElseThrow(() -> new DomainException.NotFound("No segment with id " + segmentId));
    }

    private String now() {
        return Timestamps.format(clock.instant());
    }
}
