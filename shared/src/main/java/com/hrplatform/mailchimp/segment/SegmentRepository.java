package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.aws.DynamoCursor;
import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.mapping.MergeFieldMapping;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Segments table ({@code orgId}, {@code segmentId}). Status changes are conditional writes, which make
 * the sync state machine safe under concurrent requests and redelivered messages (design rule 7).
 */
public final class SegmentRepository {
    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public SegmentRepository(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
    }

    public Optional<Segment> find(String orgId, String segmentId) {
        var item = dynamoDb.getItem(request -> request.tableName(tableName).key(key(orgId, segmentId))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /** A page of the org's segments that are not deleted. */
    public Page<Segment> list(String orgId, PageRequest page) {
        QueryResponse response = dynamoDb.query(QueryRequest.builder()
                .tableName(tableName)
                .keyConditionExpression("orgId = :org")
                .filterExpression("attribute_not_exists(softDeletedAt)")
                .expressionAttributeValues(Map.of(":org", Items.s(orgId)))
                .limit(page.limit())
                .exclusiveStartKey(DynamoCursor.decode(page.cursor(), "orgId", orgId, "segmentId", ""))
                .build());
        return new Page<>(response.items().stream().map(SegmentRepository::fromItem).toList(),
                DynamoCursor.encode(response.lastEvaluatedKey()));
    }

    /** Every segment of the org that is not deleted (an org has tens, not millions). */
    public List<Segment> listAll(String orgId) {
        List<Segment> segments = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder()
                    .tableName(tableName)
                    .keyConditionExpression("orgId = :org")
                    .filterExpression("attribute_not_exists(softDeletedAt)")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId)))
                    .exclusiveStartKey(start)
                    .build());
            response.items().forEach(item -> segments.add(fromItem(item)));
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return segments;
    }

    public void create(Segment segment, JsonNode filterCriteriaJson) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("orgId", Items.s(segment.orgId()));
        item.put("segmentId", Items.s(segment.id()));
        item.put("name", Items.s(segment.name()));
        if (segment.description() != null) {
            item.put("description", Items.s(segment.description()));
        }
        item.put("segmentType", Items.s(segment.segmentType()));
        item.put("mailchimpListId", Items.s(segment.mailchimpListId()));
        item.put("filterCriteria", Items.s(Json.write(filterCriteriaJson)));
        item.put("requireOptIn", AttributeValue.fromBool(segment.requireOptIn()));
        item.put("status", Items.s(segment.status()));
        item.put("memberCount", Items.n(0));
        item.put("createdAt", Items.s(segment.createdAt()));
        item.put("updatedAt", Items.s(segment.updatedAt()));
        dynamoDb.putItem(request -> request.tableName(tableName).item(item)
                .conditionExpression("attribute_not_exists(segmentId)"));
    }

    /** Applies the given changes unless the segment is deleted or a live sync runs; false otherwise. */
    public boolean update(String orgId, String segmentId, Map<String, AttributeValue> changes, String at, long nowEpoch) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> sets = new ArrayList<>();
        List<String> removes = new ArrayList<>();
        changes.forEach((field, value) -> {
            names.put("#" + field, field);
            if (value == null) {
                removes.add("#" + field);
            } else {
                values.put(":" + field, value);
                sets.add("#" + field + " = :" + field);
            }
        });
        names.put("#updatedAt", "updatedAt");
        values.put(":updatedAt", Items.s(at));
        sets.add("#updatedAt = :updatedAt");
        names.put("#status", "status");
        values.put(":syncing", Items.s(Segment.SYNCING));
        values.put(":now", Items.n(nowEpoch));
        String expression = "SET " + String.join(", ", sets) + (removes.isEmpty() ? "" : " REMOVE " + String.join(", ", removes));
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName).key(key(orgId, segmentId))
                    .updateExpression(expression)
                    .conditionExpression("attribute_exists(segmentId) AND attribute_not_exists(softDeletedAt) "
                            + "AND (#status <> :syncing OR leaseExpiresAt < :now)")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Soft delete; {@code release} (may be null) names the audience whose people the next sync releases. */
    public boolean softDelete(String orgId, String segmentId, String at, Segment.Release release) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":at", Items.s(at)));
        String expression = "SET softDeletedAt = :at, updatedAt = :at REMOVE runId";
        if (release != null) {
            values.put(":release", AttributeValue.fromSs(List.of(entry(release))));
            expression += " ADD releases :release";
        }
        String update = expression;
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName).key(key(orgId, segmentId))
                    .updateExpression(update)
                    .conditionExpression("attribute_exists(segmentId) AND attribute_not_exists(softDeletedAt)")
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * pending/synced/error (or a syncing whose lease expired) -> syncing under run {@code runId}; the same run
     * starting again while it goes (a redelivered message) resumes it. False when another live sync holds the
     * segment, the run already ended (it never starts twice), or the segment is gone.
     */
    public boolean startRun(String orgId, String segmentId, String runId, String startedAt, long nowEpoch, long leaseUntil) {
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName).key(key(orgId, segmentId))
                    .updateExpression("SET #status = :syncing, runId = :run, runStartedAt = :startedAt, leaseExpiresAt = :lease")
                    .conditionExpression("attribute_exists(segmentId) AND attribute_not_exists(softDeletedAt) "
                            + "AND ((#status <> :syncing AND (attribute_not_exists(runId) OR runId <> :run)) "
                            + "OR (#status = :syncing AND (leaseExpiresAt < :now OR runId = :run)))")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":syncing", Items.s(Segment.SYNCING), ":run", Items.s(runId),
                            ":startedAt", Items.s(startedAt), ":lease", Items.n(leaseUntil), ":now", Items.n(nowEpoch))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Extends the run's lease; false when the run no longer owns the segment. */
    public boolean renewLease(String orgId, String segmentId, String runId, long leaseUntil, String tagId) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":run", Items.s(runId), ":lease", Items.n(leaseUntil),
                ":syncing", Items.s(Segment.SYNCING)));
        String set = "SET leaseExpiresAt = :lease";
        if (tagId != null) {
            values.put(":tag", Items.s(tagId));
            set += ", tagId = :tag";
        }
        String expression = set;
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName).key(key(orgId, segmentId))
                    .updateExpression(expression)
                    .conditionExpression("runId = :run AND #status = :syncing AND attribute_not_exists(softDeletedAt)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Ends the run: synced or error, with its summary. False when another run took the segment over. */
    public boolean finishRun(String orgId, String segmentId, String runId, String status, int memberCount,
                             SegmentRun run, String lastError, String at) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":run", Items.s(runId), ":status", Items.s(status),
                ":count", Items.n(memberCount), ":lastRun", Items.s(Json.write(run)), ":at", Items.s(at)));
        String expression = "SET #status = :status, memberCount = :count, lastRun = :lastRun, lastSyncedAt = :at, "
                + "leaseExpiresAt = :zero";
        values.put(":zero", Items.n(0));
        if (lastError == null) {
            expression += " REMOVE lastError";
        } else {
            values.put(":error", Items.s(lastError));
            expression += ", lastError = :error";
        }
        String update = expression;
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName).key(key(orgId, segmentId))
                    .updateExpression(update)
                    .conditionExpression("runId = :run")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static Map<String, AttributeValue> key(String orgId, String segmentId) {
        return Map.of("orgId", Items.s(orgId), "segmentId", Items.s(segmentId));
    }

    static JsonNode filterJson(Map<String, AttributeValue> item) {
        try {
            String text = Items.string(item, "filterCriteria");
            return text == null ? Json.object() : Json.read(text);
        } catch (JsonProcessingException e) {
            return Json.object();
        }
    }

    static Segment fromItem(Map<String, AttributeValue> item) {
        SegmentRun lastRun = null;
        String lastRunJson = Items.string(item, "lastRun");
        if (lastRunJson != null) {
            try {
                lastRun = Json.MAPPER.readValue(lastRunJson, SegmentRun.class);
            } catch (JsonProcessingException e) {
                lastRun = null;
            }
        }
        AttributeValue requireOptIn = item.get("requireOptIn");
        Long count = Items.number(item, "memberCount");
        Long lease = Items.number(item, "leaseExpiresAt");
        return new Segment(Items.string(item, "orgId"), Items.string(item, "segmentId"), Items.string(item, "name"),
                Items.string(item, "description"), Items.string(item, "segmentType"),
                Items.string(item, "mailchimpListId"), SegmentInput.criteria(filterJson(item)),
                requireOptIn != null && Boolean.TRUE.equals(requireOptIn.bool()), Items.string(item, "status"),
                count == null ? 0 : count.intValue(), Items.string(item, "lastSyncedAt"), Items.string(item, "lastError"),
                lastRun, Items.string(item, "createdAt"), Items.string(item, "updatedAt"), Items.string(item, "runId"),
                lease == null ? 0 : lease, Items.string(item, "tagId"), Items.string(item, "softDeletedAt"),
                releases(item.get("releases")), MergeFieldMapping.fromStored(Items.string(item, "mergeFieldMapping")));
    }

    /** Releases are stored as a string set of {@code listId#tagId} (Mailchimp list ids hold no '#'). */
    static List<Segment.Release> releases(AttributeValue value) {
        if (value == null || !value.hasSs()) {
            return List.of();
        }
        return value.ss().stream().sorted().map(entry -> {
            int separator = entry.indexOf('#');
            String tagId = entry.substring(separator + 1);
            return new Segment.Release(entry.substring(0, separator), tagId.isEmpty() ? null : tagId);
        }).toList();
    }

    /** The stored form of releases; null (remove the attribute) when there are none. */
    public static AttributeValue releasesValue(List<Segment.Release> releases) {
        if (releases.isEmpty()) {
            return null;
        }
        return AttributeValue.fromSs(releases.stream().map(SegmentRepository::entry).distinct().toList());
    }

    private static String entry(Segment.Release release) {
        return release.listId() + "#" + (release.tagId() == null ? "" : release.tagId());
    }

    /** The release is done: its people were released and its tag deleted. */
    public void removeRelease(String orgId, String segmentId, Segment.Release release) {
        dynamoDb.updateItem(request -> request.tableName(tableName).key(key(orgId, segmentId))
                .updateExpression("DELETE releases :release")
                .expressionAttributeValues(Map.of(":release", AttributeValue.fromSs(List.of(entry(release))))));
    }

    /** Every segment of the org, deleted ones included (their releases may be pending). */
    public List<Segment> listEverything(String orgId) {
        List<Segment> segments = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(tableName)
                    .keyConditionExpression("orgId = :org")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId)))
                    .exclusiveStartKey(start).build());
            response.items().forEach(item -> segments.add(fromItem(item)));
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return segments;
    }
}
