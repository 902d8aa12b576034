package com.hrplatform.mailchimp.membership;

import com.hrplatform.mailchimp.aws.Items;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Crash safety for "only archive whom we placed": before a batch adds new addresses to an audience, the
 * sync writes one intent item naming them. If the worker dies after Mailchimp added them but before it
 * recorded the memberships, the redelivered slice sees Mailchimp call them "updated", and the intent
 * still tells that we placed them. One write per batch, not per member.
 */
public final class PlacementIntents {
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

    /** @return the intent's sort key, to delete it once the memberships are written */
    public String record(String orgId, String listId, String runId, String batchId, Collection<String> hashes) {
        String sk = prefix(listId) + runId + "#" + batchId;
        dynamoDb.putItem(request -> request.tableName(locksTable).item(Map.of(
                "orgId", Items.s(orgId), "sk", Items.s(sk), "hashes", AttributeValue.fromSs(List.copyOf(hashes)),
                "expiresAt", Items.n(clock.instant().plus(RETENTION).getEpochSecond()))));
        return sk;
    }

    public void delete(String orgId, String sk) {
        dynamoDb.deleteItem(request -> request.tableName(locksTable).key(Map.of("orgId", Items.s(orgId), "sk", Items.s(sk))));
    }

    /** Hashes of every open intent for the audience. */
    public Set<String> open(String orgId, String listId) {
        Set<String> hashes = new HashSet<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(locksTable)
                    .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":prefix", Items.s(prefix(listId))))
                    .exclusiveStartKey(start).build());
            response.items().forEach(item -> {
                AttributeValue value = item.get("hashes");
                if (value != null && value.hasSs()) {
                    hashes.addAll(value.ss());
                }
            });
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return hashes;
    }
}
