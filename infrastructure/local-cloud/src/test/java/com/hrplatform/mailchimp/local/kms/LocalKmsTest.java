package com.hrplatform.mailchimp.local.kms;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local KMS against the real SDK v2 KmsClient. */
class LocalKmsTest {

    static LocalKms kms;
    static KmsClient client;
    static String keyId;

    @BeforeAll
    static void start() {
        kms = LocalKms.start(0);
        keyId = kms.createKey();
        client = client(kms);
    }

    static KmsClient client(LocalKms k) {
        return KmsClient.builder().endpointOverride(URI.create(k.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        kms.close();
    }

    private static EncryptResponse encrypt(String key, String text, Map<String, String> context) {
        return client.encrypt(b -> b.keyId(key).plaintext(SdkBytes.fromUtf8String(text)).encryptionContext(context));
    }

    @Test
    void encryptsAndDecryptsUnderTheSameContext() {
        EncryptResponse enc = encrypt(keyId, "0123456789abcdef0123456789abcdef-us1", Map.of("orgId", "org-1"));
        assertEquals(LocalKms.keyArn(keyId), enc.keyId());
        assertTrue(!new String(enc.ciphertextBlob().asByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("0123456789abcdef"),
                "the blob does not carry the plaintext");
        DecryptResponse dec = client.decrypt(b -> b.ciphertextBlob(enc.ciphertextBlob()).encryptionContext(Map.of("orgId", "org-1")));
        assertEquals("0123456789abcdef0123456789abcdef-us1", dec.plaintext().asUtf8String());
        assertEquals(LocalKms.keyArn(keyId), dec.keyId());
        DecryptResponse withKey = client.decrypt(b -> b.keyId(LocalKms.keyArn(keyId)).ciphertextBlob(enc.ciphertextBlob())
                .encryptionContext(Map.of("orgId", "org-1")));
        assertEquals("0123456789abcdef0123456789abcdef-us1", withKey.plaintext().asUtf8String());
        EncryptResponse again = encrypt(keyId, "0123456789abcdef0123456789abcdef-us1", Map.of("orgId", "org-1"));
        assertNotEquals(enc.ciphertextBlob(), again.ciphertextBlob(), "random IV per encryption");
    }

    @Test
    void aCiphertextDoesNotDecryptUnderAnotherContext() {
        EncryptResponse enc = encrypt(keyId, "secret", Map.of("orgId", "org-1"));
        assertThrows(InvalidCiphertextException.class, () -> client.decrypt(b -> b.ciphertextBlob(enc.ciphertextBlob())
                .encryptionContext(Map.of("orgId", "org-2"))));
        assertThrows(InvalidCiphertextException.class, () -> client.decrypt(b -> b.ciphertextBlob(enc.ciphertextBlob())));
        byte[] tampered = enc.ciphertextBlob().asByteArray();
        tampered[tampered.length - 1] ^= 1;
        assertThrows(InvalidCiphertextException.class, () -> client.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(tampered))
                .encryptionContext(Map.of("orgId", "org-1"))));
    }

    @Test
    void unknownKeysAreNotFoundAndAnotherKeyIsIncorrect() {
        assertThrows(NotFoundException.class, () -> encrypt("00000000-0000-0000-0000-000000000000", "x", Map.of()));
        assertThrows(NotFoundException.class, () -> encrypt("alias/nothing", "x", Map.of()));
        String other = kms.createKey();
        EncryptResponse enc = encrypt(keyId, "x", Map.of());
        assertThrows(IncorrectKeyException.class, () -> client.decrypt(b -> b.keyId(other).ciphertextBlob(enc.ciphertextBlob())));
    }

    @Test
    void aliasesAndDataKeys() {
        kms.addAlias("alias/test-keys", keyId);
        EncryptResponse enc = encrypt("alias/test-keys", "via alias", Map.of("a", "b"));
        assertEquals(LocalKms.keyArn(keyId), enc.keyId());
        var dk = client.generateDataKey(b -> b.keyId(keyId).keySpec("AES_256").encryptionContext(Map.of("k", "v")));
        assertEquals(32, dk.plaintext().asByteArray().length);
        var back = client.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob()).encryptionContext(Map.of("k", "v")));
        assertArrayEquals(dk.plaintext().asByteArray(), back.plaintext().asByteArray());
        assertEquals(keyId, client.describeKey(b -> b.keyId(keyId)).keyMetadata().keyId());
    }

    @Test
    void keyMaterialSurvivesARestartWithAKeyStore(@TempDir Path dir) {
        Path store = dir.resolve("keys.txt");
        String id = "5f1d7a4e-0b0c-4c1e-9a57-0d4c1b2a3e4f";
        SdkBytes blob;
        try (LocalKms first = LocalKms.start(0, store); KmsClient c = client(first)) {
            first.ensureKey(id);
            blob = c.encrypt(b -> b.keyId(id).plaintext(SdkBytes.fromUtf8String("kept")).encryptionContext(Map.of("orgId", "o"))).ciphertextBlob();
        }
        try (LocalKms second = LocalKms.start(0, store); KmsClient c = client(second)) {
            second.ensureKey(id);
            assertEquals("kept", c.decrypt(b -> b.ciphertextBlob(blob).encryptionContext(Map.of("orgId", "o"))).plaintext().asUtf8String());
        }
    }
}
