package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.erasure.HashSealer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the consent queue's messages refer to, in the locks table: {@code job#<uuid>} holds the kind and the
 * addresses' subscriber hashes, sealed; {@code jobaddr#<keyed hash>#<uuid>} finds an address's jobs without
 * naming it. A message carries only the job's id, so nothing in the queue, its dead-letter queue or the worker's
 * logs identifies a person; when a person is erased, their pending jobs go, and finished jobs are deleted.
 */
public class ConsentJobs {
    static final Duration RETENTION = Duration.ofDays(30);
    private static final String JOB = "job#";
    private static final String BY_ADDRESS = "jobaddr#";

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final HashSealer sealer;
    private final Clock clock;

    /**
     * The job of an erasure request: its id, whom it erased (ids, no address) and the audiences that held them when
     * it was asked for (as its answer said), to tell the platform when done.
     */
    public record ErasureRequest(String requestId, List<String> entityKeys, int audiences) {
    }

    /** @param erasure the erasure request it finishes, or null */
    public record Job(String kind, List<String> subscriberHashes, ErasureRequest erasure) {
    }

    public ConsentJobs(DynamoDbClient dynamoDb, String locksTable, HashSealer sealer, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.sealer = sealer;
        this.clock = clock;
    }

    /**
     * @param erasure the erasure request the job finishes, or null
     * @return the job's id; the index items are written first, so a job is always found by its addresses
     */
    public String create(String orgId, String kind, Collection<String> subscriberHashes, ErasureRequest erasure) {
        String id = UUID.randomUUID().toString();
        long expiresAt = clock.instant().plus(RETENTION).getEpochSecond();
        List<SdkBytes> sealed = new ArrayList<>();
        for (String hash : subscriberHashes) {
            sealed.add(SdkBytes.fromByteArray(sealer.seal(orgId, hash)));
            dynamoDb.putItem(request -> request.tableName(locksTable).item(Map.of("orgId", Items.s(orgId),
                    "sk", Items.s(BY_ADDRESS + sealer.keyed(orgId, hash) + "#" + id), "expiresAt", Items.n(expiresAt))));
        }
        Map<String, AttributeValue> job = new HashMap<>(Map.of("orgId", Items.s(orgId), "sk", Items.s(JOB + id),
                "kind", Items.s(kind), "sealedHashes", AttributeValue.fromBs(sealed), "expiresAt", Items.n(expiresAt)));
        if (erasure != null) {
            job.put("requestId", Items.s(erasure.requestId()));
            job.put("entityKeys", AttributeValue.fromL(erasure.entityKeys().stream().map(Items::s).toList()));
            job.put("audiences", Items.n(erasure.audiences()));
        }
        dynamoDb.putItem(request -> request.tableName(locksTable).item(job));
        return id;
    }

    public Optional<Job> find(String orgId, String id) {
        var item = dynamoDb.getItem(request -> request.tableName(locksTable).consistentRead(true)
                .key(key(orgId, JOB + id))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        List<String> hashes = item.get("sealedHashes").bs().stream().map(bytes -> sealer.open(orgId, bytes.asByteArray())).toList();
        ErasureRequest erasure = item.containsKey("requestId") ? new ErasureRequest(Items.string(item, "requestId"),
                item.get("entityKeys").l().stream().map(AttributeValue::s).toList(), Items.number(item, "audiences").intValue())
                : null;
        return Optional.of(new Job(Items.string(item, "kind"), hashes, erasure));
    }

    /** The job is done: it and its index items go. */
    public void delete(String orgId, String id, Collection<String> subscriberHashes) {
        dynamoDb.deleteItem(request -> request.tableName(locksTable).key(key(orgId, JOB + id)));
        for (String hash : subscriberHashes) {
            dynamoDb.deleteItem(request -> request.tableName(locksTable)
                    .key(key(orgId, BY_ADDRESS + sealer.keyed(orgId, hash) + "#" + id)));
        }
    }

    /** Deletes every pending job that names this address (an erasure takes over); answers how many. */
    public int deleteForAddress(String orgId, String subscriberHash) {
        String prefix = BY_ADDRESS + sealer.keyed(orgId, subscriberHash) + "#";
        var items = dynamoDb.query(QueryRequest.builder().tableName(locksTable).consistentRead(true)
                .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":prefix", Items.s(prefix))).build()).items();
        for (var item : items) {
            String id = Items.string(item, "sk").substring(prefix.length());
            dynamoDb.deleteItem(request -> request.tableName(locksTable).key(key(orgId, JOB + id)));
            dynamoDb.deleteItem(request -> request.tableName(locksTable).key(key(orgId, Items.string(item, "sk"))));
        }
        return items.size();
    }

    private static Map<String, AttributeValue> key(String orgId, String sk) {
        return Map.of("orgId", Items.s(orgId), "sk", Items.s(sk));
    }
}
