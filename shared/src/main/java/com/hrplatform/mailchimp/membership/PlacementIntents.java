package com.hrplatform.mailchimp.membership;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.sync.SyncStores;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.UUID;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Batch intents in the locks table ({@code intent#<listId>#<id>}, see {@link SyncStores.Placements}): one write
 * per batch, not per member, deleted once the batch's records are written; they expire after a week.
 */
public final class PlacementIntents implements SyncStores.Placements {
    private static final Duration RETENTION = Duration.ofDays(7);

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final Clock clock;

    public PlacementIntents(DynamoDbClient dynamoDb, String locksTable, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.clock = clock;
    }

    private static String prefix(String listId) {
        return "intent#" + listId + "#";
    }

    /** @return the intent's sort key, to close it once the placements are written */
    @Override
    public String open(String orgId, String listId, Collection<String> hashes, Collection<String> pendingHashes,
                       String stamp) {
        String sk = prefix(listId) + UUID.randomUUID();
        Map<String, AttributeValue> item = new HashMap<>(Map.of(
                "orgId", Items.s(orgId), "sk", Items.s(sk), "hashes", AttributeValue.fromSs(List.copyOf(hashes)),
                "stamp", Items.s(stamp), "expiresAt", Items.n(clock.instant().plus(RETENTION).getEpochSecond())));
        if (!pendingHashes.isEmpty()) {
            item.put("pendingHashes", AttributeValue.fromSs(List.copyOf(pendingHashes)));
        }
        dynamoDb.putItem(request -> request.tableName(locksTable).item(item));
        return sk;
    }

    @Override
    public void close(String orgId, String sk) {
        dynamoDb.deleteItem(request -> request.tableName(locksTable).key(Map.of("orgId", Items.s(orgId), "sk", Items.s(sk))));
    }

    @Override
    public Map<String, Intent> openIntents(String orgId, String listId) {
        Map<String, Intent> intents = new HashMap<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(locksTable)
                    .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":prefix", Items.s(prefix(listId))))
                    .exclusiveStartKey(start).build());
            response.items().forEach(item -> {
                AttributeValue value = item.get("hashes");
                String stamp = Items.string(item, "stamp");
                AttributeValue pending = item.get("pendingHashes");
                if (value != null && value.hasSs() && stamp != null) {
                    intents.put(Items.string(item, "sk"), new Intent(stamp, Set.copyOf(value.ss()),
                            pending != null && pending.hasSs() ? Set.copyOf(pending.ss()) : Set.of()));
                }
            });
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return intents;
    }
}
