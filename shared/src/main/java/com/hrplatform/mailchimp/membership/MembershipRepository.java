package com.hrplatform.mailchimp.membership;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.sync.SyncStores;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What we placed in each audience, stored in buckets: the memberships table holds one item per
 * audience ({@code orgId#listId}) and bucket (the first 10 bits of the subscriber hash, 1024 buckets),
 * its members encoded by {@link MembershipBucketCodec}. A first sync of 100,000 people writes about
 * 1,200 items instead of 100,000, and buckets sort like hashes, so the sync still reads an audience in
 * hash order. Every change is a read-modify-write guarded by the bucket's version, so concurrent
 * writers (sync batches, webhooks, opt-outs, erasures) never lose each other's changes.
 * <p>
 * One item per org ({@code orgId}, {@code #audiences}) lists the audiences the org has memberships in;
 * it is what finds every audience of one address (opt-out, erasure), instead of an index per member.
 */
public final class MembershipRepository implements SyncStores.Memberships {
    static final int BUCKETS = 1024;
    private static final String FIRST_BUCKET = String.format("%03x", 0);
    private static final String LAST_BUCKET = String.format("%03x", BUCKETS - 1);
    private static final String DIRECTORY = "#audiences";
    static final int BATCH_GET_LIMIT = 100;

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Clock clock;
    private final MembershipBuckets buckets;
    /** Audiences this container has already listed in their org's directory item. */
    private final Set<String> listedAudiences = ConcurrentHashMap.newKeySet();

    public MembershipRepository(DynamoDbClient dynamoDb, String tableName, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
        this.clock = clock;
        this.buckets = new MembershipBuckets(dynamoDb, tableName, clock);
    }

    public static String audienceKey(String orgId, String listId) {
        return orgId + "#" + listId;
    }

    /** The bucket keys, made once: every change of a sync asks for one (String.format was a hot spot). */
    private static final String[] BUCKET_KEYS = new String[BUCKETS];

    static {
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            BUCKET_KEYS[bucket] = String.format("%03x", bucket);
        }
    }

    /** The bucket of a subscriber hash: its first 10 bits as three hex digits, so buckets sort like hashes. */
    public static String bucketOf(String subscriberHash) {
        int bits = Character.digit(subscriberHash.charAt(0), 16) << 8 | Character.digit(subscriberHash.charAt(1), 16) << 4
                | Character.digit(subscriberHash.charAt(2), 16);
        if (bits < 0) {
            throw new NumberFormatException("Not a subscriber hash: " + subscriberHash);
        }
        return BUCKET_KEYS[bits >> 2];
    }


    /**
     * The audience's memberships with a hash after {@code afterHash} (null: from the start) up to
     * {@code toHash} (null: to the end), in hash order.
     */
    public List<Membership> range(String orgId, String listId, String afterHash, String toHash) {
        String fromBucket = afterHash == null ? FIRST_BUCKET : bucketOf(afterHash);
        String toBucket = toHash == null ? LAST_BUCKET : bucketOf(toHash);
        Map<String, AttributeValue> values = Map.of(":aud", Items.s(audienceKey(orgId, listId)),
                ":from", Items.s(fromBucket), ":to", Items.s(toBucket));
        List<Membership> memberships = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(tableName).consistentRead(true)
                    .keyConditionExpression("audienceKey = :aud AND #bucket BETWEEN :from AND :to")
                    .expressionAttributeNames(Map.of("#bucket", "bucket")).expressionAttributeValues(values).exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : response.items()) {
                for (Membership membership : decode(orgId, listId, item)) {
                    String hash = membership.subscriberHash();
                    if ((afterHash == null || hash.compareTo(afterHash) > 0) && (toHash == null || hash.compareTo(toHash) <= 0)) {
                        memberships.add(membership);
                    }
                }
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        memberships.sort((a, b) -> a.subscriberHash().compareTo(b.subscriberHash()));
        return memberships;
    }

    @Override
    public Membership find(String orgId, String listId, String subscriberHash) {
        Map<String, AttributeValue> item = dynamoDb.getItem(request -> request.tableName(tableName).consistentRead(true)
                .key(key(audienceKey(orgId, listId), bucketOf(subscriberHash)))).item();
        return item == null || item.isEmpty() ? null : decode(orgId, listId, item).stream()
                .filter(membership -> membership.subscriberHash().equals(subscriberHash)).findFirst().orElse(null);
    }

    /** Every audience of the org that holds this address. */
    public List<Membership> forAddress(String orgId, String subscriberHash) {
        Map<String, AttributeValue> directory = dynamoDb.getItem(request -> request.tableName(tableName).consistentRead(true)
                .key(key(orgId, DIRECTORY))).item();
        AttributeValue listIds = directory == null ? null : directory.get("listIds");
        if (listIds == null || !listIds.hasSs()) {
            return List.of();
        }
        String bucket = bucketOf(subscriberHash);
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        listIds.ss().forEach(listId -> keys.add(key(audienceKey(orgId, listId), bucket)));
        List<Membership> memberships = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += BATCH_GET_LIMIT) {
            Map<String, KeysAndAttributes> pending = Map.of(tableName, KeysAndAttributes.builder().consistentRead(true)
                    .keys(keys.subList(from, Math.min(keys.size(), from + BATCH_GET_LIMIT))).build());
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt > 0) {
                    backOff(attempt);
                }
                Map<String, KeysAndAttributes> batch = pending;
                BatchGetItemResponse response = dynamoDb.batchGetItem(request -> request.requestItems(batch));
                for (Map<String, AttributeValue> item : response.responses().getOrDefault(tableName, List.of())) {
                    decode(item).stream().filter(m -> m.subscriberHash().equals(subscriberHash))
                            .forEach(memberships::add);
                }
                pending = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
        }
        return memberships;
    }

    /** Records the Mailchimp status learned for an address we have a record of (a webhook, the consent worker). */
    public void markStatus(String orgId, String listId, String subscriberHash, String status) {
        update(orgId, listId, bucketOf(subscriberHash), members -> {
            Membership known = members.get(subscriberHash);
            if (known == null || status.equals(known.status())) {
                return false;
            }
            members.put(subscriberHash, known.with(status, known.digest(), known.segments(), known.placedByUs(),
                    known.email(), known.entityKey(), Timestamps.format(clock.instant())));
            return true;
        });
    }

    public void put(Membership membership) {
        putAll(List.of(membership));
    }

    /** Stores these memberships as they are, replacing what was known of their addresses. */
    public void putAll(List<Membership> memberships) {
        Map<List<String>, List<Membership>> byBucket = new LinkedHashMap<>();
        for (Membership membership : memberships) {
            byBucket.computeIfAbsent(List.of(membership.orgId(), membership.listId(), bucketOf(membership.subscriberHash())),
                    b -> new ArrayList<>()).add(membership);
        }
        byBucket.forEach((bucket, bucketMembers) -> update(bucket.get(0), bucket.get(1), bucket.get(2), members -> {
            bucketMembers.forEach(membership -> members.put(membership.subscriberHash(), membership));
            return true;
        }));
    }

    /** The run's changes, each applied only over what the run read (see {@link MembershipMerge}). */
    @Override
    public void apply(String orgId, String listId, Collection<SyncStores.MembershipChange> changes) {
        Map<String, List<SyncStores.MembershipChange>> byBucket = new TreeMap<>();
        changes.forEach(change -> byBucket.computeIfAbsent(bucketOf(change.subscriberHash()), b -> new ArrayList<>()).add(change));
        // One read for up to 100 buckets instead of one each: a batch touches a few buckets, a scattered change hundreds.
        listAudience(orgId, listId);
        Map<String, Map<String, AttributeValue>> read = buckets.read(orgId, listId, byBucket.keySet());
        byBucket.forEach((bucket, bucketChanges) -> buckets.update(orgId, listId, bucket, read.get(bucket), members -> {
            boolean changed = false;
            for (SyncStores.MembershipChange change : bucketChanges) {
                Membership stored = members.get(change.subscriberHash());
                Membership result = MembershipMerge.resolve(stored, change.before(), change.after());
                if (result == null) {
                    changed |= members.remove(change.subscriberHash()) != null;
                } else if (!result.equals(stored)) {
                    members.put(change.subscriberHash(), result);
                    changed = true;
                }
            }
            return changed;
        }));
    }

    public void delete(String orgId, String listId, String subscriberHash) {
        update(orgId, listId, bucketOf(subscriberHash), members -> members.remove(subscriberHash) != null);
    }

    private void update(String orgId, String listId, String bucket, Predicate<Map<String, Membership>> change) {
        listAudience(orgId, listId);
        buckets.update(orgId, listId, bucket, null, change);
    }

    /** Lists the audience in the org's directory before its first bucket is written (once per container). */
    private void listAudience(String orgId, String listId) {
        String audienceKey = audienceKey(orgId, listId);
        if (listedAudiences.contains(audienceKey)) {
            return;
        }
        dynamoDb.updateItem(request -> request.tableName(tableName).key(key(orgId, DIRECTORY))
                .updateExpression("ADD listIds :listId")
                .expressionAttributeValues(Map.of(":listId", AttributeValue.fromSs(List.of(listId)))));
        listedAudiences.add(audienceKey);
    }

    /** The memberships stored in one item of the table (none for the org's directory item). */
    public static List<Membership> decode(Map<String, AttributeValue> item) {
        String audienceKey = Items.string(item, "audienceKey");
        // audienceKey is orgId#listId; Mailchimp list ids hold no '#', so the last one separates them.
        int separator = audienceKey == null ? -1 : audienceKey.lastIndexOf('#');
        return separator < 0 ? List.of()
                : decode(audienceKey.substring(0, separator), audienceKey.substring(separator + 1), item);
    }

    static List<Membership> decode(String orgId, String listId, Map<String, AttributeValue> item) {
        AttributeValue members = item.get("members");
        return members == null || members.b() == null ? List.of()
                : MembershipBucketCodec.decode(orgId, listId, members.b().asByteArray());
    }

    static Map<String, AttributeValue> key(String audienceKey, String bucket) {
        return Map.of("audienceKey", Items.s(audienceKey), "bucket", Items.s(bucket));
    }

    static void backOff(int attempt) {
        try {
            long ceiling = Math.min(1000L, 10L << Math.min(attempt, 6));
            Thread.sleep(ceiling / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while writing memberships", e);
        }
    }
}
