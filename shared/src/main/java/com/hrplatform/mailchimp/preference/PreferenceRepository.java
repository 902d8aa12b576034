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
import java.util.UUID;

/**
 * Preferences table ({@code orgId}, {@code sk}): the current preference at {@code pref#type#id} and every
 * change at {@code hist#type#id#at#uuid}, so one Query reads a person's history in time order.
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
        var item = dynamoDb.getItem(request -> request.tableName(tableName).consistentRead(true)
                .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(current(entityType, entityId))))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /** Appends the change to the history first, then moves the current preference: a crash between keeps the change. */
    public Preference record(String orgId, String entityType, String entityId, boolean optedIn, String source, String at) {
        String status = optedIn ? Preference.OPTED_IN : Preference.OPTED_OUT;
        dynamoDb.putItem(request -> request.tableName(tableName).item(Map.of(
                "orgId", Items.s(orgId),
                "sk", Items.s(historyPrefix(entityType, entityId) + at + "#" + UUID.randomUUID()),
                "status", Items.s(status), "at", Items.s(at), "source", Items.s(source))));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":status", Items.s(status), ":source", Items.s(source),
                ":at", Items.s(at), ":id", Items.s(entityId), ":type", Items.s(entityType)));
        String timestamp = optedIn ? "consentGivenAt" : "consentWithdrawnAt";
        var response = dynamoDb.updateItem(request -> request.tableName(tableName)
                .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(current(entityType, entityId))))
                .updateExpression("SET #status = :status, consentSource = :source, updatedAt = :at, " + timestamp
                        + " = :at, entityId = :id, entityType = :type")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(values)
                .returnValues("ALL_NEW"));
        return fromItem(response.attributes());
    }

    /**
     * Records an opt-out learned from Mailchimp, unless the preference changed after {@code expectedStatus} /
     * {@code expectedAt} was read (null: there was none); the newer change wins then. The history item's key is
     * made from the change itself, so a retry writes it once.
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
        String expected = condition;
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
                .exclusiveStartKey(DynamoCursor.decode(page.cursor(), "orgId", orgId));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":org", Items.s(orgId), ":prefix", Items.s("pref#")));
        if (status != null) {
            query.filterExpression("#status = :status").expressionAttributeNames(Map.of("#status", "status"));
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
