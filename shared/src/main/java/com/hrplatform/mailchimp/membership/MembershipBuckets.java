package com.hrplatform.mailchimp.membership;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.domain.Timestamps;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import static com.hrplatform.mailchimp.membership.MembershipRepository.BATCH_GET_LIMIT;
import static com.hrplatform.mailchimp.membership.MembershipRepository.BUCKETS;
import static com.hrplatform.mailchimp.membership.MembershipRepository.audienceKey;
import static com.hrplatform.mailchimp.membership.MembershipRepository.backOff;
import static com.hrplatform.mailchimp.membership.MembershipRepository.decode;
import static com.hrplatform.mailchimp.membership.MembershipRepository.key;

/** The version-guarded read-modify-write of membership buckets (see {@link MembershipRepository}). */
final class MembershipBuckets {
    /** DynamoDB refuses items over 400 KB; refuse a little before, with words that say why. */
    private static final int MAX_BUCKET_BYTES = 380_000;
    private static final int MAX_ATTEMPTS = 10;
    /** "bucket" and "version" are DynamoDB reserved words. */
    private static final Map<String, String> VERSION_NAME = Map.of("#version", "version");

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Clock clock;

    MembershipBuckets(DynamoDbClient dynamoDb, String tableName, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
        this.clock = clock;
    }

    /**
     * Read-modify-write of one bucket. {@code change} edits the members (hash to membership) and tells
     * whether it changed anything; the write only lands if nobody wrote the bucket in between, else
     * the bucket is read again and the change applied again.
     *
     * @param firstRead the bucket as just read (an empty map: absent), used by the first attempt; null: read it
     */
    void update(String orgId, String listId, String bucket, Map<String, AttributeValue> firstRead,
                Predicate<Map<String, Membership>> change) {
        Map<String, AttributeValue> key = key(audienceKey(orgId, listId), bucket);
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> item = attempt == 1 && firstRead != null ? firstRead
                    : dynamoDb.getItem(request -> request.tableName(tableName).key(key).consistentRead(true)).item();
            boolean exists = item != null && !item.isEmpty();
            long version = exists ? Items.number(item, "version") : 0;
            Map<String, Membership> members = new TreeMap<>();
            if (exists) {
                decode(orgId, listId, item).forEach(member -> members.put(member.subscriberHash(), member));
            }
            if (!change.test(members)) {
                return;
            }
            try {
                write(key, exists, version, members.values());
                return;
            } catch (ConditionalCheckFailedException writtenMeanwhile) {
                if (attempt == MAX_ATTEMPTS) {
                    throw new IllegalStateException("Memberships of bucket " + bucket + " kept changing; try again", writtenMeanwhile);
                }
                backOff(attempt);
            }
        }
    }

    private void write(Map<String, AttributeValue> key, boolean exists, long version, Collection<Membership> members) {
        Map<String, AttributeValue> expected = Map.of(":version", Items.n(version));
        if (members.isEmpty()) {
            if (exists) {
                dynamoDb.deleteItem(request -> request.tableName(tableName).key(key)
                        .conditionExpression("#version = :version").expressionAttributeNames(VERSION_NAME)
                        .expressionAttributeValues(expected));
            }
            return;
        }
        byte[] encoded = MembershipBucketCodec.encode(members);
        if (encoded.length > MAX_BUCKET_BYTES) {
            throw new IllegalStateException("This audience holds more members than the sync can track ("
                    + members.size() + " in one of its " + BUCKETS + " buckets)");
        }
        Map<String, AttributeValue> item = new HashMap<>(key);
        item.put("members", AttributeValue.fromB(SdkBytes.fromByteArray(encoded)));
        item.put("memberCount", Items.n(members.size()));
        item.put("version", Items.n(version + 1));
        item.put("updatedAt", Items.s(Timestamps.format(clock.instant())));
        if (exists) {
            dynamoDb.putItem(request -> request.tableName(tableName).item(item)
                    .conditionExpression("#version = :version").expressionAttributeNames(VERSION_NAME)
                    .expressionAttributeValues(expected));
        } else {
            dynamoDb.putItem(request -> request.tableName(tableName).item(item)
                    .conditionExpression("attribute_not_exists(#version)").expressionAttributeNames(VERSION_NAME));
        }
    }

    /**
     * The buckets as they are now (consistent reads), by bucket; an absent one maps to an empty item. A bucket the
     * batch read left unprocessed after a few tries is missing from the answer: its update reads it itself.
     */
    Map<String, Map<String, AttributeValue>> read(String orgId, String listId, Collection<String> buckets) {
        String audienceKey = audienceKey(orgId, listId);
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        buckets.forEach(bucket -> keys.add(key(audienceKey, bucket)));
        Map<String, Map<String, AttributeValue>> read = new HashMap<>();
        for (int from = 0; from < keys.size(); from += BATCH_GET_LIMIT) {
            List<Map<String, AttributeValue>> asked = keys.subList(from, Math.min(keys.size(), from + BATCH_GET_LIMIT));
            Map<String, KeysAndAttributes> pending = Map.of(tableName, KeysAndAttributes.builder().consistentRead(true)
                    .keys(asked).build());
            for (int attempt = 0; !pending.isEmpty() && attempt < 3; attempt++) {
                if (attempt > 0) {
                    backOff(attempt);
                }
                Map<String, KeysAndAttributes> batch = pending;
                BatchGetItemResponse response = dynamoDb.batchGetItem(request -> request.requestItems(batch));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(tableName, List.of())) {
                    read.put(Items.string(item, "bucket"), item);
                }
                pending = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
            Set<String> unprocessed = new HashSet<>();
            pending.values().forEach(left -> left.keys().forEach(key -> unprocessed.add(Items.string(key, "bucket"))));
            for (Map<String, AttributeValue> key : asked) {
                String bucket = Items.string(key, "bucket");
                if (!unprocessed.contains(bucket)) {
                    read.putIfAbsent(bucket, Map.of());
                }
            }
        }
        return read;
    }
}
