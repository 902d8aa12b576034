package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.aws.Items;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What the rest of the system must know about erasures, in the locks table, without keeping the address:
 * <ul>
 *   <li>{@code erased#type#id}: this person was erased (ids only), so erasing again is answered, not refused;</li>
 *   <li>{@code erasure#<at>#<uuid>}: a recent erasure, for a sync run that was in flight when it happened
 *   (its writes may land after the erasure deleted the memberships). It holds the subscriber hash
 *   encrypted (AES-GCM, key derived from the tombstone secret) and expires after {@link #RETENTION},
 *   far longer than a run's lease.</li>
 * </ul>
 */
public class ErasureJournal {
    public static final Duration RETENTION = Duration.ofDays(7);
    private static final String RECENT = "erasure#";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Fixed width, so sort keys order by time (ISO_INSTANT drops zero fractions and would not). */
    private static final DateTimeFormatter SORTABLE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final Supplier<byte[]> secret;
    private final Clock clock;
    private volatile SecretKeySpec key;

    public record Entry(String entityType, String entityId, String subscriberHash, List<String> listIds, String at) {
    }

    public ErasureJournal(DynamoDbClient dynamoDb, String locksTable, Supplier<byte[]> secret, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.secret = secret;
        this.clock = clock;
    }

    public void recordRecent(String orgId, String entityType, String entityId, String subscriberHash,
                             List<String> listIds, Instant at) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("orgId", Items.s(orgId));
        item.put("sk", Items.s(RECENT + SORTABLE.format(at) + "#" + UUID.randomUUID()));
        item.put("entityType", Items.s(entityType));
        item.put("entityId", Items.s(entityId));
        item.put("sealedHash", AttributeValue.fromB(SdkBytes.fromByteArray(seal(orgId, subscriberHash))));
        if (!listIds.isEmpty()) {
            item.put("listIds", AttributeValue.fromSs(List.copyOf(listIds)));
        }
        item.put("erasedAt", Items.s(iso(at)));
        item.put("expiresAt", Items.n(at.plus(RETENTION).getEpochSecond()));
        dynamoDb.putItem(request -> request.tableName(locksTable).item(item));
    }

    /** Erasures of the org recorded at or after {@code from} that have not expired. */
    public List<Entry> since(String orgId, Instant from) {
        List<Entry> entries = new ArrayList<>();
        long now = clock.instant().getEpochSecond();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(locksTable).consistentRead(true)
                    .keyConditionExpression("orgId = :org AND sk BETWEEN :from AND :to")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":from", Items.s(RECENT + SORTABLE.format(from)),
                            ":to", Items.s(RECENT + "~")))
                    .exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : response.items()) {
                Long expiresAt = Items.number(item, "expiresAt");
                if (expiresAt != null && expiresAt <= now) {
                    continue; // DynamoDB's TTL deletes lazily (dynalite never): expired counts as gone
                }
                AttributeValue lists = item.get("listIds");
                entries.add(new Entry(Items.string(item, "entityType"), Items.string(item, "entityId"),
                        open(orgId, item.get("sealedHash").b().asByteArray()),
                        lists == null || !lists.hasSs() ? List.of() : lists.ss(), Items.string(item, "erasedAt")));
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return entries;
    }

    public void markErased(String orgId, String entityType, String entityId, Instant at) {
        dynamoDb.putItem(request -> request.tableName(locksTable).item(Map.of(
                "orgId", Items.s(orgId), "sk", Items.s(marker(entityType, entityId)), "erasedAt", Items.s(iso(at)))));
    }

    public boolean wasErased(String orgId, String entityType, String entityId) {
        var item = dynamoDb.getItem(request -> request.tableName(locksTable).consistentRead(true)
                .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(marker(entityType, entityId))))).item();
        return item != null && !item.isEmpty();
    }

    private static String marker(String entityType, String entityId) {
        return "erased#" + entityType + "#" + entityId;
    }

    private byte[] seal(String orgId, String plaintext) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(128, iv));
            cipher.updateAAD(orgId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JVM", e);
        }
    }

    private String open(String orgId, byte[] sealed) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(128, sealed, 0, 12));
            cipher.updateAAD(orgId.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(sealed, 12, sealed.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("An erasure journal entry does not open with this deployment's key", e);
        }
    }

    private SecretKeySpec key() {
        if (key == null) {
            synchronized (this) {
                if (key == null) {
                    try {
                        // A key of its own, derived from the tombstone secret: the tombstone HMAC key is not reused as is.
                        Mac mac = Mac.getInstance("HmacSHA256");
                        mac.init(new SecretKeySpec(secret.get(), "HmacSHA256"));
                        key = new SecretKeySpec(mac.doFinal("erasure-journal".getBytes(StandardCharsets.UTF_8)), "AES");
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
                    }
                }
            }
        }
        return key;
    }

    private static String iso(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
