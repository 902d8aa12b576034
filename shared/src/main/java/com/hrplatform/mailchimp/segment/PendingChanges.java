package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.aws.Items;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The addresses of a segment whose directory entry or consent changed and that the change path has not applied yet:
 * one item per segment in the locks table ({@code orgId}, {@code changes#<segmentId>}).
 * <ul>
 * <li>{@code hashes}: subscriber hashes waiting. Senders {@code ADD} to it, so a retried event adds nothing new.</li>
 * <li>{@code generation}: grows by one each time the worker claims the waiting hashes. A sender's message carries
 * the generation it added to, and its deduplication id names it: senders of one generation share one message
 * (the debounce), and a change added after a claim is in a new generation, so its message is never deduplicated
 * against the one the worker already took (no change is stranded).</li>
 * <li>{@code since}: when the first of the waiting hashes came (epoch milliseconds): the worker lets a burst gather
 * for a short while after it before claiming (see {@code SegmentSyncService#processChanges}).</li>
 * <li>{@code inflight} and {@code claimId}: the hashes the worker took, moved there by the same write that empties
 * {@code hashes}. They stay until applied, so a crash or a lost message only delays them: the next message of the
 * segment (a redelivery or a new change's) applies them first.</li>
 * </ul>
 * Items expire after {@link #RETENTION} (the daily run covers anything older).
 */
public final class PendingChanges {
    static final Duration RETENTION = Duration.ofDays(2);
    private static final String PREFIX = "changes#";

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final Clock clock;

    public PendingChanges(DynamoDbClient dynamoDb, String locksTable, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.clock = clock;
    }

    /**
     * Hashes the worker took and must apply; {@code id} releases them. {@code recovered}: taken by an earlier attempt
     * that never released them (it crashed, or its message was redelivered or went to the dead-letter queue).
     */
    public record Claim(String id, Set<String> hashes, boolean recovered) {
    }

    /** Adds the hashes (idempotent) and answers the generation they were added to. */
    public long add(String orgId, String segmentId, Collection<String> subscriberHashes) {
        var response = dynamoDb.updateItem(request -> request.tableName(locksTable).key(key(orgId, segmentId))
                .updateExpression("ADD hashes :hashes, generation :zero SET expiresAt = :expires, since = if_not_exists(since, :now)")
                .expressionAttributeValues(Map.of(":hashes", AttributeValue.fromSs(List.copyOf(new TreeSet<>(subscriberHashes))),
                        ":zero", Items.n(0), ":expires", Items.n(clock.instant().plus(RETENTION).getEpochSecond()),
                        ":now", Items.n(clock.millis())))
                .returnValues(ReturnValue.UPDATED_NEW));
        return Items.number(response.attributes(), "generation");
    }

    /**
     * Takes the waiting hashes: moves them to {@code inflight} and starts a new generation, in one write. A claim
     * that was never released (the worker crashed, or the message came again) is answered as it is, to be applied
     * again first. Empty when nothing waits.
     */
    public Optional<Claim> claim(String orgId, String segmentId) {
        String claimId = UUID.randomUUID().toString();
        try {
            var response = dynamoDb.updateItem(request -> request.tableName(locksTable).key(key(orgId, segmentId))
                    .conditionExpression("attribute_exists(hashes) AND attribute_not_exists(inflight)")
                    .updateExpression("SET inflight = hashes, claimId = :claim REMOVE hashes, since ADD generation :one")
                    .expressionAttributeValues(Map.of(":claim", Items.s(claimId), ":one", Items.n(1)))
                    .returnValues(ReturnValue.ALL_NEW));
            return Optional.of(new Claim(claimId, Set.copyOf(response.attributes().get("inflight").ss()), false));
        } catch (ConditionalCheckFailedException nothingOrUnreleased) {
            Map<String, AttributeValue> item = read(orgId, segmentId);
            if (item.containsKey("inflight") && item.containsKey("claimId")) {
                return Optional.of(new Claim(Items.string(item, "claimId"), Set.copyOf(item.get("inflight").ss()), true));
            }
            return Optional.empty();
        }
    }

    /** The claimed hashes are applied: they go (a second release of the same claim changes nothing). */
    public void release(String orgId, String segmentId, String claimId) {
        try {
            dynamoDb.updateItem(request -> request.tableName(locksTable).key(key(orgId, segmentId))
                    .conditionExpression("claimId = :claim")
                    .updateExpression("REMOVE inflight, claimId")
                    .expressionAttributeValues(Map.of(":claim", Items.s(claimId))));
        } catch (ConditionalCheckFailedException releasedAlready) {
            // a redelivery of the same message released it first
        }
    }

    /** Hashes wait in {@code generation}, the first of them since {@code sinceMillis} (epoch milliseconds). */
    public record Waiting(long generation, long sinceMillis) {
    }

    /** What waits, if anything does. */
    public Optional<Waiting> waiting(String orgId, String segmentId) {
        Map<String, AttributeValue> item = read(orgId, segmentId);
        if (!item.containsKey("hashes")) {
            return Optional.empty();
        }
        Long since = Items.number(item, "since");
        return Optional.of(new Waiting(Items.number(item, "generation"), since == null ? 0 : since));
    }

    /**
     * An erasure: the addresses leave every segment's waiting and claimed hashes (the change path has nothing to do
     * for them; the sync skips an erased address anyway), so no hash of theirs stays behind for up to the retention.
     */
    public void forget(String orgId, Collection<String> subscriberHashes) {
        if (subscriberHashes.isEmpty()) {
            return;
        }
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var response = dynamoDb.query(request -> request.tableName(locksTable).consistentRead(true)
                    .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":prefix", Items.s(PREFIX)))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : response.items()) {
                Set<String> held = new TreeSet<>();
                for (String attribute : List.of("hashes", "inflight")) {
                    if (item.containsKey(attribute)) {
                        item.get(attribute).ss().stream().filter(subscriberHashes::contains).forEach(held::add);
                    }
                }
                if (!held.isEmpty()) {
                    dynamoDb.updateItem(request -> request.tableName(locksTable)
                            .key(Map.of("orgId", item.get("orgId"), "sk", item.get("sk")))
                            .updateExpression("DELETE hashes :erased, inflight :erased")
                            .expressionAttributeValues(Map.of(":erased", AttributeValue.fromSs(List.copyOf(held)))));
                }
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
    }

    /** Drops what waits for a segment that no longer needs it (deleted: its release covers its people). */
    public void discard(String orgId, String segmentId) {
        dynamoDb.deleteItem(request -> request.tableName(locksTable).key(key(orgId, segmentId)));
    }

    private Map<String, AttributeValue> read(String orgId, String segmentId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(request -> request.tableName(locksTable)
                .key(key(orgId, segmentId)).consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    private static Map<String, AttributeValue> key(String orgId, String segmentId) {
        return Map.of("orgId", Items.s(orgId), "sk", Items.s(PREFIX + segmentId));
    }
}
