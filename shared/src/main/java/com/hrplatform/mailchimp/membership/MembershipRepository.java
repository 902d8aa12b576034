package com.hrplatform.mailchimp.membership;

import com.hrplatform.mailchimp.aws.Items;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Memberships table: {@code orgId#listId} + {@code subscriberHash}, so one audience reads in hash order;
 * the index {@code OrgSubscriberIndex} ({@code orgId#subscriberHash}) finds every audience of one address.
 */
public final class MembershipRepository {
    static final String SUBSCRIBER_INDEX = "OrgSubscriberIndex";
    private static final int BATCH_WRITE_LIMIT = 25;

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public MembershipRepository(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
    }

    public static String audienceKey(String orgId, String listId) {
        return orgId + "#" + listId;
    }

    /** The audience's memberships with a hash after {@code afterHash} (null: from the start) up to {@code toHash} (null: to the end). */
    public List<Membership> range(String orgId, String listId, String afterHash, String toHash) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":aud", Items.s(audienceKey(orgId, listId)));
        String condition = "audienceKey = :aud";
        if (afterHash != null && toHash != null) {
            condition += " AND subscriberHash BETWEEN :after AND :to";
            values.put(":after", Items.s(afterHash));
            values.put(":to", Items.s(toHash));
        } else if (afterHash != null) {
            condition += " AND subscriberHash > :after";
            values.put(":after", Items.s(afterHash));
        } else if (toHash != null) {
            condition += " AND subscriberHash <= :to";
            values.put(":to", Items.s(toHash));
        }
        List<Membership> memberships = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(tableName)
                    .keyConditionExpression(condition).expressionAttributeValues(values).exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : response.items()) {
                Membership membership = fromItem(item);
                if (!membership.subscriberHash().equals(afterHash)) {
                    memberships.add(membership);
                }
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return memberships;
    }

    /** Every audience of the org that holds this address. */
    public List<Membership> forAddress(String orgId, String subscriberHash) {
        List<Membership> memberships = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(tableName).indexName(SUBSCRIBER_INDEX)
                    .keyConditionExpression("orgSubscriber = :key")
                    .expressionAttributeValues(Map.of(":key", Items.s(orgId + "#" + subscriberHash)))
                    .exclusiveStartKey(start).build());
            response.items().forEach(item -> memberships.add(fromItem(item)));
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return memberships;
    }

    /**
     * Records the Mailchimp status of an address (learned from Mailchimp, a webhook or a batch error),
     * keeping what we know of it otherwise. No write when the status is already the same.
     */
    public void markStatus(String orgId, String listId, String subscriberHash, String email, String status, String at) {
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(Map.of("audienceKey", Items.s(audienceKey(orgId, listId)), "subscriberHash", Items.s(subscriberHash)))
                    .updateExpression("SET #status = :status, orgSubscriber = :orgSubscriber, "
                            + "email = if_not_exists(email, :email), placedByUs = if_not_exists(placedByUs, :false), updatedAt = :at")
                    .conditionExpression("attribute_not_exists(#status) OR #status <> :status")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":status", Items.s(status),
                            ":orgSubscriber", Items.s(orgId + "#" + subscriberHash),
                            ":email", Items.s(email), ":false", AttributeValue.fromBool(false),
                            ":at", Items.s(at))));
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException alreadyThatStatus) {
            // Nothing to change.
        }
    }

    public void put(Membership membership) {
        dynamoDb.putItem(request -> request.tableName(tableName).item(toItem(membership)));
    }

    public void delete(String orgId, String listId, String subscriberHash) {
        dynamoDb.deleteItem(request -> request.tableName(tableName).key(Map.of(
                "audienceKey", Items.s(audienceKey(orgId, listId)), "subscriberHash", Items.s(subscriberHash))));
    }

    /** Writes in batches of 25, resubmitting what DynamoDB leaves unprocessed. */
    public void putAll(List<Membership> memberships) {
        for (int from = 0; from < memberships.size(); from += BATCH_WRITE_LIMIT) {
            List<WriteRequest> writes = new ArrayList<>();
            for (Membership membership : memberships.subList(from, Math.min(memberships.size(), from + BATCH_WRITE_LIMIT))) {
                writes.add(WriteRequest.builder().putRequest(put -> put.item(toItem(membership))).build());
            }
            Map<String, List<WriteRequest>> pending = Map.of(tableName, writes);
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt > 0) {
                    backOff(attempt);
                }
                Map<String, List<WriteRequest>> batch = pending;
                var response = dynamoDb.batchWriteItem(request -> request.requestItems(batch));
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
        }
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(Math.min(1000L, 25L << Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while writing memberships", e);
        }
    }

    static Map<String, AttributeValue> toItem(Membership membership) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("audienceKey", Items.s(audienceKey(membership.orgId(), membership.listId())));
        item.put("subscriberHash", Items.s(membership.subscriberHash()));
        item.put("orgSubscriber", Items.s(membership.orgId() + "#" + membership.subscriberHash()));
        if (membership.email() != null) {
            item.put("email", Items.s(membership.email()));
        }
        if (membership.entityKey() != null) {
            item.put("entityKey", Items.s(membership.entityKey()));
        }
        item.put("status", Items.s(membership.status()));
        if (membership.digest() != null) {
            item.put("digest", Items.s(membership.digest()));
        }
        if (!membership.segments().isEmpty()) {
            item.put("segments", AttributeValue.fromSs(new ArrayList<>(membership.segments())));
        }
        item.put("placedByUs", AttributeValue.fromBool(membership.placedByUs()));
        item.put("updatedAt", Items.s(membership.updatedAt()));
        return item;
    }

    static Membership fromItem(Map<String, AttributeValue> item) {
        AttributeValue segments = item.get("segments");
        AttributeValue placed = item.get("placedByUs");
        // audienceKey is orgId#listId; Mailchimp list ids hold no '#', so the last one separates them.
        String audienceKey = Items.string(item, "audienceKey");
        int separator = audienceKey.lastIndexOf('#');
        return new Membership(audienceKey.substring(0, separator), audienceKey.substring(separator + 1),
                Items.string(item, "subscriberHash"), Items.string(item, "email"), Items.string(item, "entityKey"),
                Items.string(item, "status"), Items.string(item, "digest"),
                segments == null || !segments.hasSs() ? Set.of() : new HashSet<>(segments.ss()),
                placed != null && Boolean.TRUE.equals(placed.bool()), Items.string(item, "updatedAt"));
    }
}
