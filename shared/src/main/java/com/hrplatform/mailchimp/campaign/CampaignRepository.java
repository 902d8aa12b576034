package com.hrplatform.mailchimp.campaign;

import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.aws.DynamoCursor;
import com.hrplatform.mailchimp.aws.Items;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The campaigns table: HASH {@code orgId}, RANGE {@code campaignId} (the Mailchimp campaign id).
 *
 * <p>Only campaigns that still need refreshing carry {@code refreshDue}, the partition key of the sparse
 * GSI {@code RefreshDueIndex} (RANGE {@code orgId}); the refresh job reads that index instead of scanning
 * the table. Its value is one of {@link #SHARDS} shard names chosen by org, so the writes of a refresh run
 * spread over several index partitions instead of one hot key; the job queries each shard.
 */
public final class CampaignRepository {
    static final String REFRESH_INDEX = "RefreshDueIndex";
    static final int SHARDS = 4;

    private final DynamoDbClient dynamoDb;
    private final String tableName;

    public CampaignRepository(DynamoDbClient dynamoDb, String tableName) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
    }

    static String shardOf(String orgId) {
        return "due#" + Math.floorMod(orgId.hashCode(), SHARDS);
    }

    public Optional<StoredCampaign> find(String orgId, String campaignId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(request -> request.tableName(tableName)
                .key(key(orgId, campaignId)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /** Which of these campaign ids (at most 100) the org tracks: one BatchGetItem of keys only. */
    public Set<String> trackedAmong(String orgId, Collection<String> campaignIds) {
        Set<String> tracked = new HashSet<>();
        List<Map<String, AttributeValue>> keys = campaignIds.stream().distinct().map(id -> key(orgId, id)).toList();
        Map<String, KeysAndAttributes> pending = keys.isEmpty() ? Map.of()
                : Map.of(tableName, KeysAndAttributes.builder().keys(keys).projectionExpression("campaignId").build());
        for (int round = 0; !pending.isEmpty(); round++) {
            if (round == 5) {
                throw new IllegalStateException("DynamoDB left keys unprocessed after 5 rounds");
            }
            Map<String, KeysAndAttributes> request = pending;
            var response = dynamoDb.batchGetItem(batch -> batch.requestItems(request));
            response.responses().getOrDefault(tableName, List.of()).forEach(item -> tracked.add(Items.string(item, "campaignId")));
            pending = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
        }
        return tracked;
    }

    /** Stores a newly tracked campaign; false (and nothing written) when the org already tracks it. */
    public boolean insertIfAbsent(StoredCampaign campaign) {
        try {
            dynamoDb.putItem(request -> request.tableName(tableName).item(toItem(campaign))
                    .conditionExpression("attribute_not_exists(campaignId)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Writes a refreshed record; false when the record no longer exists (it is not recreated). */
    public boolean replaceExisting(StoredCampaign campaign) {
        try {
            dynamoDb.putItem(request -> request.tableName(tableName).item(toItem(campaign))
                    .conditionExpression("attribute_exists(campaignId)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Records why the last refresh failed; the campaign stays due so the next run tries again. */
    public void recordFailure(String orgId, String campaignId, String error, String at) {
        update(orgId, campaignId, "SET lastRefreshError = :error, lastRefreshErrorAt = :at",
                Map.of(":error", Items.s(error), ":at", Items.s(at)));
    }

    /** Mailchimp no longer has the campaign: keep our record and its last stats, stop refreshing it. */
    public void markDeletedInMailchimp(String orgId, String campaignId, String at) {
        update(orgId, campaignId, "SET deletedInMailchimpAt = :at, lastRefreshErrorAt = :at, "
                + "lastRefreshError = :error REMOVE refreshDue",
                Map.of(":at", Items.s(at), ":error", Items.s("Mailchimp no longer has this campaign")));
    }

    /** Takes a campaign out of the refresh index (sent and outside the post-send window). */
    public void leaveRefreshIndex(String orgId, String campaignId) {
        update(orgId, campaignId, "REMOVE refreshDue", Map.of());
    }

    private void update(String orgId, String campaignId, String expression, Map<String, AttributeValue> values) {
        try {
            dynamoDb.updateItem(request -> {
                request.tableName(tableName).key(key(orgId, campaignId)).updateExpression(expression)
                        .conditionExpression("attribute_exists(campaignId)");
                if (!values.isEmpty()) {
                    request.expressionAttributeValues(values);
                }
            });
        } catch (ConditionalCheckFailedException e) {
            // The record is gone: nothing to annotate.
        }
    }

    public Page<StoredCampaign> list(String orgId, PageRequest page) {
        QueryResponse response = dynamoDb.query(QueryRequest.builder()
                .tableName(tableName)
                .keyConditionExpression("orgId = :org")
                .expressionAttributeValues(Map.of(":org", Items.s(orgId)))
                .limit(page.limit())
                .exclusiveStartKey(DynamoCursor.decode(page.cursor(), "orgId", orgId, "campaignId", ""))
                .build());
        return new Page<>(response.items().stream().map(CampaignRepository::fromItem).toList(),
                DynamoCursor.encode(response.lastEvaluatedKey()));
    }

    /** Every campaign due for refreshing, of every org, from the sparse index (all shards, all pages). */
    public List<StoredCampaign> due() {
        List<StoredCampaign> due = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            Map<String, AttributeValue> start = null;
            do {
                QueryResponse response = dynamoDb.query(QueryRequest.builder()
                        .tableName(tableName)
                        .indexName(REFRESH_INDEX)
                        .keyConditionExpression("refreshDue = :shard")
                        .expressionAttributeValues(Map.of(":shard", Items.s("due#" + shard)))
                        .exclusiveStartKey(start)
                        .build());
                response.items().forEach(item -> due.add(fromItem(item)));
                start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                        ? response.lastEvaluatedKey() : null;
            } while (start != null);
        }
        return due;
    }

    private static Map<String, AttributeValue> key(String orgId, String campaignId) {
        return Map.of("orgId", Items.s(orgId), "campaignId", Items.s(campaignId));
    }

    static Map<String, AttributeValue> toItem(StoredCampaign c) {
        Map<String, AttributeValue> item = new HashMap<>();
        put(item, "orgId", c.orgId());
        put(item, "campaignId", c.campaignId());
        put(item, "title", c.title());
        put(item, "subjectLine", c.subjectLine());
        put(item, "listId", c.listId());
        put(item, "mailchimpStatus", c.mailchimpStatus());
        put(item, "status", c.status() == null ? null : c.status().wireName());
        put(item, "sendTime", c.sendTime());
        item.put("emailsSent", Items.n(c.emailsSent()));
        putNumber(item, "openRate", c.openRate());
        putNumber(item, "clickRate", c.clickRate());
        putNumber(item, "uniqueOpens", c.uniqueOpens());
        putNumber(item, "uniqueClicks", c.uniqueClicks());
        put(item, "lastRefreshedAt", c.lastRefreshedAt());
        put(item, "createdAt", c.createdAt());
        put(item, "trackedBy", c.trackedBy());
        put(item, "lastRefreshError", c.lastRefreshError());
        put(item, "lastRefreshErrorAt", c.lastRefreshErrorAt());
        put(item, "deletedInMailchimpAt", c.deletedInMailchimpAt());
        if (c.refreshDue()) {
            put(item, "refreshDue", shardOf(c.orgId()));
        }
        return item;
    }

    static StoredCampaign fromItem(Map<String, AttributeValue> item) {
        String status = Items.string(item, "status");
        Long emailsSent = Items.number(item, "emailsSent");
        Long uniqueOpens = Items.number(item, "uniqueOpens");
        Long uniqueClicks = Items.number(item, "uniqueClicks");
        return new StoredCampaign(Items.string(item, "orgId"), Items.string(item, "campaignId"),
                Items.string(item, "title"), Items.string(item, "subjectLine"), Items.string(item, "listId"),
                Items.string(item, "mailchimpStatus"), status == null ? null : CampaignStatus.fromWireName(status),
                Items.string(item, "sendTime"), emailsSent == null ? 0 : emailsSent,
                decimal(item, "openRate"), decimal(item, "clickRate"), uniqueOpens, uniqueClicks,
                Items.string(item, "lastRefreshedAt"), Items.string(item, "createdAt"), Items.string(item, "trackedBy"),
                Items.string(item, "lastRefreshError"), Items.string(item, "lastRefreshErrorAt"),
                Items.string(item, "deletedInMailchimpAt"), item.containsKey("refreshDue"));
    }

    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, Items.s(value));
        }
    }

    private static void putNumber(Map<String, AttributeValue> item, String name, Number value) {
        if (value instanceof Double d) {
            item.put(name, AttributeValue.fromN(BigDecimal.valueOf(d).toPlainString()));
        } else if (value != null) {
            item.put(name, Items.n(value.longValue()));
        }
    }

    private static Double decimal(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? null : Double.valueOf(value.n());
    }
}
