package com.hrplatform.mailchimp.webhook;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.crypto.ApiKeyCipher;
import com.hrplatform.mailchimp.domain.Timestamps;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The secret token in an org's webhook URL: {@code <tokenId>.<secret>}, both base64url, the secret 32
 * random bytes. Two items in the locks table:
 * <ul>
 *   <li>{@code (webhook#<tokenId>, token)}: the owning org and SHA-256 of the secret. A webhook call reads
 *   only this (no KMS) and compares in constant time ({@link MessageDigest#isEqual}).</li>
 *   <li>{@code (<orgId>, webhook-token)}: the whole token, encrypted with the org's KMS context, so the same
 *   URL can be registered on audiences a later segment uses.</li>
 * </ul>
 * One token per org, made on first use and kept across reconnects (see {@link WebhookRegistrar}).
 */
public class WebhookTokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9_-]{16,64}\\.[A-Za-z0-9_-]{40,64}$");
    private static final String ORG_ITEM = "webhook-token";

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final ApiKeyCipher cipher;
    private final Clock clock;

    public WebhookTokens(DynamoDbClient dynamoDb, String locksTable, ApiKeyCipher cipher, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.cipher = cipher;
        this.clock = clock;
    }

    /** The org's token, made (once, race-safe) when it has none. */
    public String tokenFor(String orgId) {
        Optional<String> existing = stored(orgId);
        if (existing.isPresent()) {
            return existing.get();
        }
        String tokenId = randomText(16);
        String secret = randomText(32);
        String token = tokenId + "." + secret;
        String at = Timestamps.format(clock.instant());
        dynamoDb.putItem(request -> request.tableName(locksTable).item(Map.of(
                "orgId", Items.s(lookupPartition(tokenId)), "sk", Items.s("token"),
                "ownerOrgId", Items.s(orgId), "secretHash", Items.s(sha256(secret)), "createdAt", Items.s(at))));
        try {
            dynamoDb.putItem(request -> request.tableName(locksTable)
                    .item(Map.of("orgId", Items.s(orgId), "sk", Items.s(ORG_ITEM), "tokenId", Items.s(tokenId),
                            "sealedToken", Items.s(cipher.encrypt(orgId, token)), "createdAt", Items.s(at)))
                    .conditionExpression("attribute_not_exists(orgId)"));
            return token;
        } catch (ConditionalCheckFailedException lostRace) {
            dynamoDb.deleteItem(request -> request.tableName(locksTable).key(Map.of(
                    "orgId", Items.s(lookupPartition(tokenId)), "sk", Items.s("token"))));
            return stored(orgId).orElseThrow();
        }
    }

    /** The org a token belongs to; empty for anything that is not a current token. */
    public Optional<String> orgFor(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        String tokenId = token.substring(0, dot);
        String secret = token.substring(dot + 1);
        var item = dynamoDb.getItem(request -> request.tableName(locksTable)
                .key(Map.of("orgId", Items.s(lookupPartition(tokenId)), "sk", Items.s("token")))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        String expected = Items.string(item, "secretHash");
        boolean matches = expected != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), sha256(secret).getBytes(StandardCharsets.US_ASCII));
        return matches ? Optional.ofNullable(Items.string(item, "ownerOrgId")) : Optional.empty();
    }

    /** The id part of the org's token (never the secret), if it has one. */
    public Optional<String> tokenId(String orgId) {
        var item = dynamoDb.getItem(request -> request.tableName(locksTable).consistentRead(true)
                .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(ORG_ITEM)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.ofNullable(Items.string(item, "tokenId"));
    }

    private Optional<String> stored(String orgId) {
        var item = dynamoDb.getItem(request -> request.tableName(locksTable).consistentRead(true)
                .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(ORG_ITEM)))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(cipher.decrypt(orgId, Items.string(item, "sealedToken")));
    }

    static String lookupPartition(String tokenId) {
        return "webhook#" + tokenId;
    }

    private static String randomText(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
