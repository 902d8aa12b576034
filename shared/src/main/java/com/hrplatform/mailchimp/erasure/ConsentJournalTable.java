package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.sync.SyncStores;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Recent consent changes of each org ({@code consent#<time>#<uuid>} in the locks table): opt-outs, opt-ins and
 * erasures, with the subscriber hash sealed ({@link HashSealer}) and the entity ids, kept for {@link #RETENTION}.
 * A sync checks it before and after each batch, so a change made while it runs wins; when a run ends, erasures
 * made during it are applied again from here.
 */
public class ConsentJournalTable implements SyncStores.ConsentJournal {
    public static final Duration RETENTION = Duration.ofDays(7);
    /** An erasure's entry is kept only for the syncs running when it happened, then nothing names the address. */
    public static final Duration ERASURE_RETENTION = Duration.ofHours(1);
    private static final String PREFIX = "consent#";

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final HashSealer sealer;
    private final Clock clock;

    /** A change as recorded: {@code at} when, {@code consentAt} the consent time written on the record. */
    public record Entry(Kind kind, String subscriberHash, String entityType, String entityId, String consentAt, Instant at) {
    }

    public ConsentJournalTable(DynamoDbClient dynamoDb, String locksTable, HashSealer sealer, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.sealer = sealer;
        this.clock = clock;
    }

    /** Records a change of one record's consent (or its erasure), which wrote {@code consentAt} on it. */
    public void record(String orgId, Kind kind, String subscriberHash, String entityType, String entityId,
                       String consentAt) {
        Instant at = clock.instant();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("orgId", Items.s(orgId));
        item.put("sk", Items.s(PREFIX + Timestamps.format(at) + "#" + UUID.randomUUID()));
        item.put("kind", Items.s(kind.name()));
        item.put("sealedHash", AttributeValue.fromB(SdkBytes.fromByteArray(sealer.seal(orgId, subscriberHash))));
        item.put("entityType", Items.s(entityType));
        item.put("entityId", Items.s(entityId));
        item.put("consentAt", Items.s(consentAt));
        item.put("expiresAt", Items.n(at.plus(kind == Kind.ERASURE ? ERASURE_RETENTION : RETENTION).getEpochSecond()));
        dynamoDb.putItem(request -> request.tableName(locksTable).item(item));
    }

    @Override
    public List<Change> changesSince(String orgId, Instant from) {
        return since(orgId, from).stream().map(entry -> new Change(entry.subscriberHash(), entry.kind(),
                entry.entityType() + "#" + entry.entityId(), entry.consentAt())).toList();
    }

    /** An erasure: the entries of its addresses go, but for its own (short-lived) erasure entries. */
    public void forget(String orgId, java.util.Collection<String> subscriberHashes) {
        if (subscriberHashes.isEmpty()) {
            return;
        }
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(locksTable).consistentRead(true)
                    .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":prefix", Items.s(PREFIX)))
                    .exclusiveStartKey(from).build());
            for (Map<String, AttributeValue> item : response.items()) {
                if (!Kind.ERASURE.name().equals(Items.string(item, "kind"))
                        && subscriberHashes.contains(sealer.open(orgId, item.get("sealedHash").b().asByteArray()))) {
                    dynamoDb.deleteItem(request -> request.tableName(locksTable)
                            .key(Map.of("orgId", item.get("orgId"), "sk", item.get("sk"))));
                }
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
    }

    /** The org's changes at or after {@code from} that have not expired, oldest first. */
    public List<Entry> since(String orgId, Instant from) {
        List<Entry> entries = new ArrayList<>();
        long now = clock.instant().getEpochSecond();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(locksTable).consistentRead(true)
                    .keyConditionExpression("orgId = :org AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":from", Items.s(PREFIX + Timestamps.format(from)),
                            ":to", Items.s(PREFIX + "~")))
                    .exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : response.items()) {
                Long expiresAt = Items.number(item, "expiresAt");
                if (expiresAt != null && expiresAt <= now) {
                    continue; // DynamoDB's TTL deletes lazily (dynalite never): expired counts as gone
                }
                String sk = Items.string(item, "sk");
                Instant at = Timestamps.parse(sk.substring(PREFIX.length(), PREFIX.length() + 24));
                entries.add(new Entry(Kind.valueOf(Items.string(item, "kind")),
                        sealer.open(orgId, item.get("sealedHash").b().asByteArray()), Items.string(item, "entityType"),
                        Items.string(item, "entityId"), Items.string(item, "consentAt"), at));
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return entries;
    }
}
