package com.hrplatform.mailchimp.crypto;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;

/**
 * KMS {@code Encrypt}/{@code Decrypt} with the encryption context {@code {"orgId": orgId}}: KMS binds the
 * context into the ciphertext, so decrypting under another org's context fails, and CloudTrail shows
 * which org's key was used.
 */
public final class KmsApiKeyCipher implements ApiKeyCipher {
    private final Supplier<KmsClient> kms;
    private final String keyId;

    public KmsApiKeyCipher(KmsClient kms, String keyId) {
        this(() -> kms, keyId);
    }

    /** @param kms called on first use: a function that never decrypts (e.g. a read of the connection) never builds it */
    public KmsApiKeyCipher(Supplier<KmsClient> kms, String keyId) {
        this.kms = kms;
        this.keyId = keyId;
    }

    @Override
    public String encrypt(String orgId, String plaintext) {
        var response = kms.get().encrypt(request -> request
                .keyId(keyId)
                .encryptionContext(context(orgId))
                .plaintext(SdkBytes.fromString(plaintext, StandardCharsets.UTF_8)));
        return Base64.getEncoder().encodeToString(response.ciphertextBlob().asByteArray());
    }

    @Override
    public String decrypt(String orgId, String ciphertext) {
        try {
            var response = kms.get().decrypt(request -> request
                    .keyId(keyId)
                    .encryptionContext(context(orgId))
                    .ciphertextBlob(SdkBytes.fromByteArray(Base64.getDecoder().decode(ciphertext))));
            return response.plaintext().asString(StandardCharsets.UTF_8);
        } catch (InvalidCiphertextException | IncorrectKeyException | IllegalArgumentException e) {
            throw new IllegalStateException("The stored API key cannot be decrypted for this organisation");
        }
    }

    private static Map<String, String> context(String orgId) {
        return Map.of("orgId", orgId);
    }
}
