package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ErasureRegistry;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Erasure tombstones (design rule 3): {@code tomb#HMAC-SHA256(secret, orgId + ":" + email)} in the locks
 * table. One-way and keyed, so the table cannot be used to confirm a guessed address, yet every later
 * import, event and sync can ask whether an address was erased.
 */
public final class Tombstones implements ErasureRegistry {
    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final Supplier<byte[]> secret;
    private volatile SecretKeySpec key;

    /** @param secret read once, on first use (a KMS call), then kept for the container's life */
    public Tombstones(DynamoDbClient dynamoDb, String locksTable, Supplier<byte[]> secret) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.secret = secret;
    }

    public String tombstoneId(String orgId, String email) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            return HexFormat.of().formatHex(mac.doFinal((orgId + ":" + Contact.normaliseEmail(email))
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
        }
    }

    private SecretKeySpec key() {
        if (key == null) {
            synchronized (this) {
                if (key == null) {
                    key = new SecretKeySpec(secret.get(), "HmacSHA256");
                }
            }
        }
        return key;
    }

    public void record(String orgId, String email, String at) {
        dynamoDb.putItem(request -> request.tableName(locksTable).item(Map.of(
                "orgId", Items.s(orgId), "sk", Items.s("tomb#" + tombstoneId(orgId, email)), "erasedAt", Items.s(at))));
    }

    @Override
    public boolean isErased(String orgId, String email) {
        var item = dynamoDb.getItem(request -> request.tableName(locksTable).consistentRead(true)
                .key(Map.of("orgId", Items.s(orgId), "sk", Items.s("tomb#" + tombstoneId(orgId, email))))).item();
        return item != null && !item.isEmpty();
    }
}
