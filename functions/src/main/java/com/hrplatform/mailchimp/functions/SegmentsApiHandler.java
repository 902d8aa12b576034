package com.hrplatform.mailchimp.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.api.Input;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.api.Role;
import com.hrplatform.mailchimp.api.TrpcHandler;
import com.hrplatform.mailchimp.api.TrpcRouter;
import com.hrplatform.mailchimp.config.Services;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.mapping.MappingService;
import com.hrplatform.mailchimp.mapping.MergeFieldMapping;
import com.hrplatform.mailchimp.mailchimp.MailchimpIds;
import com.hrplatform.mailchimp.segment.FilterCriteria;
import com.hrplatform.mailchimp.segment.SegmentInput;
import com.hrplatform.mailchimp.segment.SegmentPreviewService;
import com.hrplatform.mailchimp.segment.SegmentRunHistory;
import com.hrplatform.mailchimp.segment.SegmentRunsService;
import com.hrplatform.mailchimp.segment.SegmentService;

import java.util.Map;

/** {@code mailchimp.segments.*}: segments of the caller's org and starting their sync. */
public class SegmentsApiHandler extends TrpcHandler {
    private static final int MAX_NAME = 100;
    private static final int MAX_DESCRIPTION = 500;
    private static final int MAX_ID = 100;

    private static final int MAX_RUN_ID = 200;
    private static final int MAX_CURSOR = 2048;

    public SegmentsApiHandler() {
        this(Services.segmentService(), Services.segmentPreviewService(), Services.segmentRunsService(),
                Services.mappingService());
    }

    public SegmentsApiHandler(SegmentService segments, SegmentPreviewService previews, SegmentRunsService runs,
                              MappingService mappings) {
        super(mappingRoutes(runRoutes(routes(segments, previews), runs), mappings), "mailchimp.segments.list");
    }

    /** A segment's merge field mapping (its own, or the connection's default it uses). */
    static TrpcRouter mappingRoutes(TrpcRouter router, MappingService mappings) {
        return router
                .query("mailchimp.segments.getMapping", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredString("id", MAX_ID);
                    reader.validate();
                    return mappings.segmentMapping(identity, id);
                })
                .mutation("mailchimp.segments.setMapping", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredString("id", MAX_ID);
                    MergeFieldMapping mapping = readMapping(reader);
                    reader.validate();
                    return mappings.setSegmentMapping(identity, id, mapping);
                });
    }

    /** {@code mapping}: {@code [{field, tag}]}, or null (absent) for the default. */
    static MergeFieldMapping readMapping(Input reader) {
        return reader.optionalNode(MappingService.FIELD)
                .flatMap(node -> MergeFieldMapping.read(reader, MappingService.FIELD, node)).orElse(null);
    }

    /** The run history: a segment's last runs, and one run's skips and failures. */
    static TrpcRouter runRoutes(TrpcRouter router, SegmentRunsService runs) {
        return router
                .query("mailchimp.segments.runs", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredString("id", MAX_ID);
                    int limit = reader.optionalInt("limit", 1, SegmentRunHistory.KEPT_RUNS).orElse(10);
                    String cursor = reader.optionalString("cursor", MAX_CURSOR).orElse(null);
                    reader.validate();
                    return runs.runs(identity, id, new PageRequest(limit, cursor));
                })
                .query("mailchimp.segments.runIssues", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredString("id", MAX_ID);
                    String runId = reader.requiredString("runId", MAX_RUN_ID);
                    String cursor = reader.optionalString("cursor", MAX_CURSOR).orElse(null);
                    reader.validate();
                    return runs.runIssues(identity, id, runId, cursor);
                });
    }

    static TrpcRouter routes(SegmentService segments, SegmentPreviewService previews) {
        return new TrpcRouter()
                .query("mailchimp.segments.list", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.optional(input);
                    PageRequest page = reader.page();
                    reader.validate();
                    return segments.list(identity, page);
                })
                .query("mailchimp.segments.get", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredString("id", MAX_ID);
                    reader.validate();
                    return segments.get(identity, id);
                })
                // What a sync would do now; writes nothing (docs/api.md).
                .query("mailchimp.segments.preview", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredString("id", MAX_ID);
                    reader.validate();
                    return previews.preview(identity, id);
                })
                .mutation("mailchimp.segments.create", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String name = reader.requiredString("name", MAX_NAME);
                    String description = reader.optionalString("description", MAX_DESCRIPTION).orElse(null);
                    String segmentType = reader.requiredOneOf("segmentType", SegmentInput.TYPES);
                    String listId = reader.requiredMatching("mailchimpListId", MailchimpIds.LIST_ID, MailchimpIds.LIST_ID_EXPECTATION);
                    JsonNode criteriaJson = reader.optionalNode("filterCriteria").orElse(Json.object());
                    FilterCriteria criteria = SegmentInput.readCriteria(reader, criteriaJson);
                    boolean requireOptIn = reader.optionalBoolean("requireOptIn").orElse(false);
                    reader.validate();
                    return segments.create(identity, new SegmentService.NewSegment(name, description, segmentType, listId,
                            criteriaJson, criteria, requireOptIn));
                })
                .mutation("mailchimp.segments.update", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredString("id", MAX_ID);
                    String name = reader.optionalString("name", MAX_NAME).orElse(null);
                    String description = reader.optionalString("description", MAX_DESCRIPTION).orElse(null);
                    JsonNode criteriaJson = reader.optionalNode("filterCriteria").orElse(null);
                    if (criteriaJson != null) {
                        SegmentInput.readCriteria(reader, criteriaJson);
                    }
                    Boolean requireOptIn = reader.optionalBoolean("requireOptIn").orElse(null);
                    String listId = reader.optionalMatching("mailchimpListId", MailchimpIds.LIST_ID,
                            MailchimpIds.LIST_ID_EXPECTATION).orElse(null);
                    reader.validate();
                    return segments.update(identity, id, new SegmentService.SegmentChanges(name, description, criteriaJson,
                            requireOptIn, listId));
                })
                .mutation("mailchimp.segments.delete", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredString("id", MAX_ID);
                    reader.validate();
                    segments.delete(identity, id);
                    return Map.of("success", true);
                })
                .mutation("mailchimp.segments.sync", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredString("id", MAX_ID);
                    reader.validate();
                    return segments.sync(identity, id);
                });
    }
}
