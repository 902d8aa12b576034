package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.crypto.KmsApiKeyCipher;
import com.hrplatform.mailchimp.local.kms.LocalKms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.EncryptRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2, acceptance 6: the KMS adapter ({@link KmsApiKeyCipher}) against the in-process fake of the KMS JSON
 * API ({@link LocalKms}) through a real SDK v2 KmsClient. An interceptor captures what the SDK puts on the
 * wire: Encrypt and Decrypt carry the key id and the encryption context {"orgId": org}; one org's ciphertext
 * does not open under another org's context, and tampered ciphertext fails, without leaking the key.
 */
class KmsApiKeyCipherTest {
    private static final String KEY = "0123456789abcdef0fedcba987654321-us7";

    record Sent(SdkRequest request, String target, JsonNode body) {
    }

    private static final List<Sent> SENT = new CopyOnWriteArrayList<>();
    private static LocalKms kms;
    private static KmsClient client;
    private static String keyId;

    @BeforeAll
    static void start() {
        kms = LocalKms.start(0);
        keyId = kms.createKey();
        client = KmsClient.builder().endpointOverride(URI.create(kms.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new Capture()))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        kms.close();
    }

    @BeforeEach
    void clear() {
        SENT.clear();
    }

    /** Records each request as the SDK marshalled it: the model object, X-Amz-Target and the JSON body. */
    static final class Capture implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            String target = context.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("");
            JsonNode body = context.requestBody().map(b -> {
                try (InputStream in = b.contentStreamProvider().newStream()) {
                    return TrpcHttp.JSON.readTree(in);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).orElse(TrpcHttp.JSON.nullNode());
            SENT.add(new Sent(context.request(), target, body));
        }
    }

    @Test
    void encryptSendsTheKeyIdAndTheOrgsEncryptionContextAndTheRoundTripWorks() {
        String org = "org-" + UUID.randomUUID();
        KmsApiKeyCipher cipher = new KmsApiKeyCipher(client, keyId);

        String ciphertext = cipher.encrypt(org, KEY);

        assertEquals(1, SENT.size(), SENT::toString);
        Sent encrypt = SENT.get(0);
        assertEquals("TrentService.Encrypt", encrypt.target());
        EncryptRequest request = (EncryptRequest) encrypt.request();
        assertEquals(keyId, request.keyId());
        assertEquals(Map.of("orgId", org), request.encryptionContext());
        assertEquals(keyId, encrypt.body().path("KeyId").asText());
        assertEquals(TrpcHttp.JSON.createObjectNode().put("orgId", org), encrypt.body().path("EncryptionContext"),
                "exactly {\"orgId\": org} on the wire");
        assertEquals(KEY, new String(Base64.getDecoder().decode(encrypt.body().path("Plaintext").asText()), StandardCharsets.UTF_8));

        assertFalse(ciphertext.contains(KEY.substring(0, 32)));
        assertFalse(new String(Base64.getDecoder().decode(ciphertext), StandardCharsets.ISO_8859_1).contains(KEY.substring(0, 32)),
                "the ciphertext does not carry the key in the clear");

        SENT.clear();
        assertEquals(KEY, cipher.decrypt(org, ciphertext));
        assertEquals(1, SENT.size(), SENT::toString);
        Sent decrypt = SENT.get(0);
        assertEquals("TrentService.Decrypt", decrypt.target());
        assertEquals(Map.of("orgId", org), ((DecryptRequest) decrypt.request()).encryptionContext());
        assertEquals(TrpcHttp.JSON.createObjectNode().put("orgId", org), decrypt.body().path("EncryptionContext"));
        assertEquals(ciphertext, decrypt.body().path("CiphertextBlob").asText());

        assertNotEquals(ciphertext, cipher.encrypt(org, KEY), "a fresh ciphertext each time (random IV)");
    }

    @Test
    void oneOrgsCiphertextDoesNotDecryptUnderAnotherOrgsContext() {
        String orgA = "org-" + UUID.randomUUID();
        String orgB = "org-" + UUID.randomUUID();
        KmsApiKeyCipher cipher = new KmsApiKeyCipher(client, keyId);
        String ofA = cipher.encrypt(orgA, KEY);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cipher.decrypt(orgB, ofA));
        assertNoKey(e);
        Sent decrypt = SENT.get(SENT.size() - 1);
        assertEquals(TrpcHttp.JSON.createObjectNode().put("orgId", orgB), decrypt.body().path("EncryptionContext"),
                "B's context was sent, and KMS refused it");
        // A prefix or a case change of the org id is another org too.
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(orgA.substring(0, orgA.length() - 1), ofA));
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(orgA.toUpperCase(), ofA));
        assertEquals(KEY, cipher.decrypt(orgA, ofA), "A still opens its own");
    }

    @Test
    void tamperedCiphertextFails() {
        String org = "org-" + UUID.randomUUID();
        KmsApiKeyCipher cipher = new KmsApiKeyCipher(client, keyId);
        byte[] blob = Base64.getDecoder().decode(cipher.encrypt(org, KEY));

        for (int position : new int[] {blob.length / 2, blob.length - 1, blob.length - 20}) {
            byte[] tampered = blob.clone();
            tampered[position] ^= 0x01;
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> cipher.decrypt(org, Base64.getEncoder().encodeToString(tampered)), "flipped byte " + position);
            assertNoKey(e);
        }
        byte[] truncated = java.util.Arrays.copyOf(blob, blob.length - 1);
        assertNoKey(assertThrows(IllegalStateException.class, () -> cipher.decrypt(org, Base64.getEncoder().encodeToString(truncated))));
        assertNoKey(assertThrows(IllegalStateException.class, () -> cipher.decrypt(org, "not base64 at all!")));
    }

    @Test
    void aCiphertextOfAnotherKmsKeyFailsCleanly() {
        String org = "org-" + UUID.randomUUID();
        String ofOtherKey = new KmsApiKeyCipher(client, kms.createKey()).encrypt(org, KEY);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new KmsApiKeyCipher(client, keyId).decrypt(org, ofOtherKey));
        assertNoKey(e);
    }

    private static void assertNoKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            assertFalse(message.contains(KEY.substring(0, 32)), () -> "the message holds the key: " + message);
            assertFalse(message.contains("-us7"), () -> "the message holds part of the key: " + message);
        }
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }
}
