package com.hrplatform.mailchimp.connection;

import com.hrplatform.mailchimp.aws.Items;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The connections table: one item per org, keyed by {@code orgId}. */
public final class ConnectionRepository {
    static final String ACTIVE_INDEX = "ActiveConnectionsIndex";
    static final String ACTIVE_SHARD = "active";

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public ConnectionRepository(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
    }

    public Optional<StoredConnection> find(String orgId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(request -> request
                .tableName(tableName).key(Map.of("orgId", Items.s(orgId))).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /** Writes the whole record: connecting and reconnecting replace the previous key (a default mapping stays). */
    public void save(StoredConnection connection) {
        Map<String, AttributeValue> item = new HashMap<>(toItem(connection));
        mergeFieldMapping(connection.orgId()).ifPresent(mapping -> item.put("mergeFieldMapping", Items.s(mapping)));
        dynamoDb.putItem(request -> request.tableName(tableName).item(item));
    }

    /**
     * Soft delete: the record stays (segments and campaigns keep their history) but loses its key and
     * leaves the active index. Answers false when there was no connected record to disconnect.
     */
    public boolean markDisconnected(String orgId, String at) {
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(Map.of("orgId", Items.s(orgId)))
                    .updateExpression("SET #status = :disconnected, softDeletedAt = :at, updatedAt = :at "
                            + "REMOVE activeShard, encryptedApiKey")
                    .conditionExpression("#status = :connected")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":disconnected", Items.s(StoredConnection.DISCONNECTED),
                            ":connected", Items.s(StoredConnection.CONNECTED),
                            ":at", Items.s(at))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Stores (or, with {@code permissionId} null, clears) which marketing permission of audience {@code listId} means
     * email. Only on a connected record; false when there is none. Two steps (the map, then its entry), each idempotent.
     */
    public boolean setEmailPermission(String orgId, String listId, String permissionId, String at) {
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(Map.of("orgId", Items.s(orgId)))
                    .updateExpression("SET emailPermissions = if_not_exists(emailPermissions, :empty)")
                    .conditionExpression("#status = :connected")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":empty", AttributeValue.fromM(Map.of()),
                            ":connected", Items.s(StoredConnection.CONNECTED))));
            Map<String, AttributeValue> values = new HashMap<>();
            values.put(":connected", Items.s(StoredConnection.CONNECTED));
            values.put(":at", Items.s(at));
            if (permissionId != null) {
                values.put(":permission", Items.s(permissionId));
            }
            dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(Map.of("orgId", Items.s(orgId)))
                    .updateExpression(permissionId == null ? "SET updatedAt = :at REMOVE emailPermissions.#list"
                            : "SET emailPermissions.#list = :permission, updatedAt = :at")
                    .conditionExpression("#status = :connected")
                    .expressionAttributeNames(Map.of("#status", "status", "#list", listId))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** The connection's default merge field mapping as stored, if one was set (kept across reconnects). */
    public Optional<String> mergeFieldMapping(String orgId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(request -> request.tableName(tableName)
                .key(Map.of("orgId", Items.s(orgId))).projectionExpression("mergeFieldMapping").consistentRead(true)).item();
        return Optional.ofNullable(item == null ? null : Items.string(item, "mergeFieldMapping"));
    }

    /** Sets (or, with null, removes) the default mapping of a connected org; false when it is not connected. */
    public boolean setMergeFieldMapping(String orgId, String stored, String at) {
        boolean remove = stored == null;
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":connected", Items.s(StoredConnection.CONNECTED),
                ":at", Items.s(at)));
        if (!remove) {
            values.put(":mapping", Items.s(stored));
        }
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName).key(Map.of("orgId", Items.s(orgId)))
                    .updateExpression(remove ? "SET updatedAt = :at REMOVE mergeFieldMapping"
                            : "SET mergeFieldMapping = :mapping, updatedAt = :at")
                    .conditionExpression("#status = :connected")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Org ids of every connected org, from the sparse index (no table scan). */
    public List<String> connectedOrgIds() {
        List<String> orgIds = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var response = dynamoDb.query(QueryRequest.builder()
                    .tableName(tableName)
                    .indexName(ACTIVE_INDEX)
                    .keyConditionExpression("activeShard = :active")
                    .expressionAttributeValues(Map.of(":active", Items.s(ACTIVE_SHARD)))
                    .exclusiveStartKey(start)
                    .build());
            response.items().forEach(item -> orgIds.add(Items.string(item, "orgId")));
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return orgIds;
    }

    private static Map<String, AttributeValue> toItem(StoredConnection connection) {
        Map<String, AttributeValue> item = new HashMap<>();
        put(item, "orgId", connection.orgId());
        put(item, "status", connection.status());
        put(item, "accountId", connection.accountId());
        put(item, "accountName", connection.accountName());
        put(item, "dataCenter", connection.dataCenter());
        put(item, "apiKeyHint", connection.apiKeyHint());
        put(item, "encryptedApiKey", connection.encryptedApiKey());
        put(item, "connectedAt", connection.connectedAt());
        put(item, "connectedBy", connection.connectedBy());
        put(item, "updatedAt", connection.updatedAt());
        put(item, "lastSyncAt", connection.lastSyncAt());
        put(item, "softDeletedAt", connection.softDeletedAt());
        if (connection.isConnected()) {
            put(item, "activeShard", ACTIVE_SHARD);
        }
        if (!connection.emailPermissions().isEmpty()) {
            Map<String, AttributeValue> chosen = new HashMap<>();
            connection.emailPermissions().forEach((listId, permissionId) -> chosen.put(listId, Items.s(permissionId)));
            item.put("emailPermissions", AttributeValue.fromM(chosen));
        }
        return item;
    }

    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, Items.s(value));
        }
    }

    private static StoredConnection fromItem(Map<String, AttributeValue> item) {
        return new StoredConnection(Items.string(item, "orgId"), Items.string(item, "status"),
                Items.string(item, "accountId"), Items.string(item, "accountName"), Items.string(item, "dataCenter"),
                Items.string(item, "apiKeyHint"), Items.string(item, "encryptedApiKey"),
                Items.string(item, "connectedAt"), Items.string(item, "connectedBy"), Items.string(item, "updatedAt"),
                Items.string(item, "lastSyncAt"), Items.string(item, "softDeletedAt"), emailPermissions(item));
    }

    private static Map<String, String> emailPermissions(Map<String, AttributeValue> item) {
        AttributeValue chosen = item.get("emailPermissions");
        if (chosen == null || !chosen.hasM()) {
            return Map.of();
        }
        Map<String, String> byList = new HashMap<>();
        chosen.m().forEach((listId, permissionId) -> byList.put(listId, permissionId.s()));
        return byList;
    }
}
