package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.aws.DynamoCursor;
import com.hrplatform.mailchimp.aws.Items;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Preferences table ({@code orgId}, {@code sk}): the current preference at {@code pref#type#id} (with a change
 * being recorded, if any) and every change at {@code hist#type#id#at#status} (or {@code #source}), so one Query
 * reads a person's history in time order.
 */
public final class PreferenceRepository {
    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public PreferenceRepository(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
    }

    static String current(String entityType, String entityId) {
        return "pref#" + entityType + "#" + entityId;
    }

    static String historyPrefix(String entityType, String entityId) {
        return "hist#" + entityType + "#" + entityId + "#";
    }

    public Optional<Preference> find(String orgId, String entityType, String entityId) {
        return Optional.ofNullable(state(orgId, entityType, entityId).preference());
    }

    /** What is stored for a person: the current preference (null: none yet) and a change begun but not finished. */
    public record State(Preference preference, PendingChange pending) {
    }

    /**
     * A change being recorded: noted on the current item first, so a retry after a crash at any later step finds it
     * and finishes it with the same time (one history item, one audit entry).
     */
    public record PendingChange(String status, String at, String source, String actor) {
        boolean optedIn() {
            return Preference.OPTED_IN.equals(status);
        }
    }

    public State state(String orgId, String entityType, String entityId) {
        var item = dynamoDb.getItem(request -> request.tableName(tableName).consistentRead(true)
                .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(current(entityType, entityId))))).item();
        if (item == null || item.isEmpty()) {
            return new State(null, null);
        }
        PendingChange pending = item.containsKey("pendingAt") ? new PendingChange(Items.string(item, "pendingStatus"),
                Items.string(item, "pendingAt"), Items.string(item, "pendingSource"), Items.string(item, "pendingActor")) : null;
        return new State(item.containsKey("status") ? fromItem(item) : null, pending);
    }

    /** Notes the change on the current item; false when another change is pending (finish that one first). */
    public boolean begin(String orgId, String entityType, String entityId, PendingChange change) {
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(current(entityType, entityId))))
                    .conditionExpression("attribute_not_exists(pendingAt)")
                    .updateExpression("SET pendingStatus = :status, pendingAt = :at, pendingSource = :source, "
                            + "pendingActor = :actor, entityId = :id, entityType = :type")
                    .expressionAttributeValues(Map.of(":status", Items.s(change.status()), ":at", Items.s(change.at()),
                            ":source", Items.s(change.source()), ":actor", Items.s(change.actor()),
                            ":id", Items.s(entityId), ":type", Items.s(entityType))));
            return true;
        } catch (ConditionalCheckFailedException anotherPending) {
            return false;
        }
    }

    /** The change's history item; its key is made from the change, so writing it again changes nothing. */
    public void appendHistory(String orgId, String entityType, String entityId, PendingChange change) {
        dynamoDb.putItem(request -> request.tableName(tableName).item(Map.of(
                "orgId", Items.s(orgId),
                "sk", Items.s(historyPrefix(entityType, entityId) + change.at() + "#" + change.status()),
                "status", Items.s(change.status()), "at", Items.s(change.at()), "source", Items.s(change.source()))));
    }

    /** Makes the pending change the current preference (a no-op when a retry finished it already). */
    public Preference finish(String orgId, String entityType, String entityId, PendingChange change) {
        String timestamp = change.optedIn() ? "consentGivenAt" : "consentWithdrawnAt";
        try {
            var response = dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(current(entityType, entityId))))
                    .conditionExpression("pendingAt = :at")
                    .updateExpression("SET #status = :status, consentSource = :source, updatedAt = :at, " + timestamp
                            + " = :at REMOVE pendingStatus, pendingAt, pendingSource, pendingActor")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":status", Items.s(change.status()),
                            ":source", Items.s(change.source()), ":at", Items.s(change.at())))
                    .returnValues("ALL_NEW"));
            return fromItem(response.attributes());
        } catch (ConditionalCheckFailedException finishedAlready) {
            return state(orgId, entityType, entityId).preference();
        }
    }

    /**
     * Records an opt-out learned from Mailchimp, unless the preference changed after {@code expectedStatus} /
     * {@code expectedAt} was read (null: there was none) or a statement is being recorded; the newer change wins
     * then. The history item's key is made from the change itself, so a retry writes it once, and a retry after
     * this write answers true again, so the steps after it are done.
     *
     * @return whether it was recorded
     */
    public boolean recordOptOutIfUnchanged(String orgId, String entityType, String entityId, String source, String at,
                                           String expectedStatus, String expectedAt) {
        String historyKey = historyPrefix(entityType, entityId) + at + "#" + source;
        dynamoDb.putItem(request -> request.tableName(tableName).item(Map.of(
                "orgId", Items.s(orgId), "sk", Items.s(historyKey),
                "status", Items.s(Preference.OPTED_OUT), "at", Items.s(at), "source", Items.s(source))));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":status", Items.s(Preference.OPTED_OUT),
                ":source", Items.s(source), ":at", Items.s(at), ":id", Items.s(entityId), ":type", Items.s(entityType)));
        String condition = "attribute_not_exists(#status)";
        if (expectedStatus != null) {
            condition = "#status = :expected AND updatedAt = :expectedAt";
            values.put(":expected", Items.s(expectedStatus));
            values.put(":expectedAt", Items.s(expectedAt == null ? "" : expectedAt));
        }
        // A retry of this very change (a crash came after this write) goes on to the steps after it.
        String expected = "(" + condition + " OR (#status = :status AND updatedAt = :at AND consentSource = :source))"
                + " AND attribute_not_exists(pendingAt)";
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(current(entityType, entityId))))
                    .conditionExpression(expected)
                    .updateExpression("SET #status = :status, consentSource = :source, updatedAt = :at, "
                            + "consentWithdrawnAt = :at, entityId = :id, entityType = :type")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException changedMeanwhile) {
            dynamoDb.deleteItem(request -> request.tableName(tableName)
                    .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(historyKey))));
            return false;
        }
    }

    public List<Preference.Change> history(String orgId, String entityType, String entityId) {
        List<Preference.Change> changes = new ArrayList<>();
        forEachHistoryItem(orgId, entityType, entityId, item -> changes.add(new Preference.Change(
                Items.string(item, "status"), Items.string(item, "at"), Items.string(item, "source"))));
        return changes;
    }

    public Page<Preference> list(String orgId, String status, PageRequest page) {
        QueryRequest.Builder query = QueryRequest.builder().tableName(tableName)
                .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                .limit(page.limit())
                .exclusiveStartKey(DynamoCursor.decode(page.cursor(), "orgId", orgId, "sk", "pref#"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":org", Items.s(orgId), ":prefix", Items.s("pref#")));
        // An item holding only a change being recorded is no preference yet.
        query.filterExpression(status == null ? "attribute_exists(#status)" : "#status = :status")
                .expressionAttributeNames(Map.of("#status", "status"));
        if (status != null) {
            values.put(":status", Items.s(status));
        }
        QueryResponse response = dynamoDb.query(query.expressionAttributeValues(values).build());
        return new Page<>(response.items().stream().map(PreferenceRepository::fromItem).toList(),
                DynamoCursor.encode(response.lastEvaluatedKey()));
    }

    /** Removes the preference and its whole history (erasure). */
    public void deleteAll(String orgId, String entityType, String entityId) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        keys.add(Map.of("orgId", Items.s(orgId), "sk", Items.s(current(entityType, entityId))));
        forEachHistoryItem(orgId, entityType, entityId, item -> keys.add(Map.of("orgId", item.get("orgId"), "sk", item.get("sk"))));
        for (int from = 0; from < keys.size(); from += 25) {
            List<WriteRequest> deletes = keys.subList(from, Math.min(keys.size(), from + 25)).stream()
                    .map(key -> WriteRequest.builder().deleteRequest(delete -> delete.key(key)).build()).toList();
            Map<String, List<WriteRequest>> pending = Map.of(tableName, deletes);
            while (!pending.isEmpty()) {
                Map<String, List<WriteRequest>> batch = pending;
                var response = dynamoDb.batchWriteItem(request -> request.requestItems(batch));
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
        }
    }

    private void forEachHistoryItem(String orgId, String entityType, String entityId,
                                    java.util.function.Consumer<Map<String, AttributeValue>> action) {
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(tableName)
                    .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId),
                            ":prefix", Items.s(historyPrefix(entityType, entityId))))
                    .exclusiveStartKey(start).build());
            response.items().forEach(action);
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
    }

    static Preference fromItem(Map<String, AttributeValue> item) {
        return new Preference(Items.string(item, "entityId"), Items.string(item, "entityType"),
                Items.string(item, "status"), Items.string(item, "consentGivenAt"),
                Items.string(item, "consentWithdrawnAt"), Items.string(item, "consentSource"),
                Items.string(item, "updatedAt"), null);
    }
}
