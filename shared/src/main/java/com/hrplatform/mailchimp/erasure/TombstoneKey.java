package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.aws.Items;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.kms.KmsClient;

import java.security.SecureRandom;
import java.util.Map;

/**
 * The secret behind erasure tombstones. Made once per deployment: 32 random bytes, stored only as KMS
 * ciphertext in the locks table; the first writer wins a conditional put and everyone reads its key.
 */
public final class TombstoneKey {
    private static final Map<String, AttributeValue> KEY = Map.of(
            "orgId", Items.s("_system"), "sk", Items.s("tombstone-key"));
    private static final Map<String, String> CONTEXT = Map.of("purpose", "erasure-tombstones");

    private TombstoneKey() {
    }

    public static byte[] load(DynamoDbClient dynamoDb, String locksTable, KmsClient kms, String kmsKeyId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(request -> request.tableName(locksTable).key(KEY)
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            SdkBytes ciphertext = kms.encrypt(request -> request.keyId(kmsKeyId).encryptionContext(CONTEXT)
                    .plaintext(SdkBytes.fromByteArray(secret))).ciphertextBlob();
            try {
                dynamoDb.putItem(request -> request.tableName(locksTable)
                        .item(Map.of("orgId", KEY.get("orgId"), "sk", KEY.get("sk"), "ciphertext", AttributeValue.fromB(ciphertext)))
                        .conditionExpression("attribute_not_exists(orgId)"));
                return secret;
            } catch (ConditionalCheckFailedException lostRace) {
                item = dynamoDb.getItem(request -> request.tableName(locksTable).key(KEY).consistentRead(true)).item();
            }
        }
        SdkBytes stored = item.get("ciphertext").b();
        return kms.decrypt(request -> request.keyId(kmsKeyId).encryptionContext(CONTEXT).ciphertextBlob(stored))
                .plaintext().asByteArray();
    }
}
