package com.hrplatform.mailchimp.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.aws.DynamoCursor;
import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.json.Json;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The audit trail of an org, newest first. The sort key {@code at#id} orders entries by time; an
 * {@code expiresAt} TTL attribute ends retention.
 */
public final class AuditLog {
    private static final Set<String> FORBIDDEN_DETAIL_KEYS = Set.of("apikey", "email", "emailaddress", "email_address", "key", "secret", "token");
    private static final TypeReference<Map<String, Object>> DETAILS = new TypeReference<>() {
    };

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Duration retention;
    private final Clock clock;

    public AuditLog(DynamoDbClient dynamoDb, String tableName, Duration retention, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
        this.retention = retention;
        this.clock = clock;
    }

    public AuditEntry record(String orgId, String actor, String action, String targetType, String targetId,
                             Map<String, Object> details) {
        Instant now = clock.instant();
        return write(orgId, now, UUID.randomUUID().toString(), actor, action, targetType, targetId, details, false);
    }

    /**
     * Records the entry of one operation once, however often the operation is retried: {@code at} and {@code id}
     * come from the operation (kept where its retries find them, or the time of the change itself), and a second
     * write of the same entry is a no-op.
     */
    public AuditEntry recordOnce(String orgId, Instant at, String id, String actor, String action, String targetType,
                                 String targetId, Map<String, Object> details) {
        return write(orgId, at, id, actor, action, targetType, targetId, details, true);
    }

    private AuditEntry write(String orgId, Instant when, String id, String actor, String action, String targetType,
                             String targetId, Map<String, Object> details, boolean once) {
        for (String key : details.keySet()) {
            if (FORBIDDEN_DETAIL_KEYS.contains(key.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("Audit details must not hold " + key);
            }
        }
        String at = Timestamps.format(when);
        // Kept for the retention from now, also when the entry is dated earlier (a change Mailchimp made before).
        Instant now = clock.instant();
        long expiresAt = (when.isAfter(now) ? when : now).plus(retention).getEpochSecond();
        try {
            dynamoDb.putItem(request -> {
                request.tableName(tableName).item(Map.of(
                        "orgId", Items.s(orgId),
                        "sk", Items.s(at + "#" + id),
                        "at", Items.s(at),
                        "actor", Items.s(actor),
                        "action", Items.s(action),
                        "targetType", Items.s(targetType),
                        "targetId", Items.s(targetId),
                        "details", Items.s(Json.write(details)),
                        "expiresAt", Items.n(expiresAt)));
                if (once) {
                    request.conditionExpression("attribute_not_exists(sk)");
                }
            });
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException alreadyRecorded) {
            // the operation's entry is there from an earlier attempt
        }
        return new AuditEntry(at, actor, action, targetType, targetId, details);
    }

    public Page<AuditEntry> list(String orgId, PageRequest page) {
        QueryResponse response = dynamoDb.query(QueryRequest.builder()
                .tableName(tableName)
                .keyConditionExpression("orgId = :org")
                .expressionAttributeValues(Map.of(":org", Items.s(orgId)))
                .scanIndexForward(false)
                .limit(page.limit())
                .exclusiveStartKey(DynamoCursor.decode(page.cursor(), "orgId", orgId, "sk", ""))
                .build());
        long nowSeconds = clock.instant().getEpochSecond();
        var items = response.items().stream()
                // DynamoDB deletes expired items lazily (and dynalite never): treat them as gone.
                .filter(item -> Items.number(item, "expiresAt") == null || Items.number(item, "expiresAt") > nowSeconds)
                .map(AuditLog::toEntry)
                .toList();
        return new Page<>(items, DynamoCursor.encode(response.lastEvaluatedKey()));
    }

    private static AuditEntry toEntry(Map<String, AttributeValue> item) {
        Map<String, Object> details;
        try {
            details = Json.MAPPER.readValue(Items.string(item, "details"), DETAILS);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            details = Map.of();
        }
        return new AuditEntry(Items.string(item, "at"), Items.string(item, "actor"), Items.string(item, "action"),
                Items.string(item, "targetType"), Items.string(item, "targetId"), details);
    }
}
