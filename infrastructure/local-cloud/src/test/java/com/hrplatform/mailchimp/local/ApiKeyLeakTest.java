package com.hrplatform.mailchimp.local;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2, acceptance 5: after connect / get / listAudiences / reconnect / disconnect (and the failure paths
 * that log: a retried 429, an unknown key), no API key's secret part appears in any response body, in any
 * line the functions and the runner printed, or in any attribute of any item of any table, neither in plain
 * text nor base64-encoded. The stored connection holds an encryptedApiKey that is not the key.
 */
class ApiKeyLeakTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void startCloud() {
        LocalCloud cloud = LocalCloudFixture.get();
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create(cloud.dynamoEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void theKeyIsInNoResponseNoLogLineAndNoStoredAttribute() {
        String org = "org-" + UUID.randomUUID();
        String admin = LocalCloudFixture.adminToken(org);
        String member = LocalCloudFixture.memberToken(org);
        String key = SandboxControl.newAccount("Leak check " + org).path("apiKey").asText();
        String otherKey = SandboxControl.newAccount("Leak check second " + org).path("apiKey").asText();
        String unknownKey = HexFormat.of().formatHex(bytes(16)) + "-us1";
        List<String> secrets = List.of(secret(key), secret(otherKey), secret(unknownKey));
        List<TrpcHttp.Answer> answers = new ArrayList<>();

        answers.add(TrpcHttp.mutation(admin, "mailchimp.connection.connect", Map.of("apiKey", key)));
        answers.add(TrpcHttp.query(member, "mailchimp.connection.get", null));
        answers.add(TrpcHttp.query(admin, "mailchimp.connection.listAudiences", null));

        // The stored item, while connected: ciphertext, not the key.
        Map<String, AttributeValue> stored = dynamo.getItem(b -> b.tableName("ConnectionsTable")
                .key(Map.of("orgId", AttributeValue.fromS(org))).consistentRead(true)).item();
        assertTrue(stored != null && !stored.isEmpty(), "the connection is stored");
        AttributeValue encrypted = stored.get("encryptedApiKey");
        assertNotNull(encrypted, () -> "an encryptedApiKey attribute: " + stored.keySet());
        assertNotNull(encrypted.s(), "stored as a string (base64 ciphertext)");
        assertFalse(encrypted.s().contains(secret(key)), "not the key");
        assertTrue(encrypted.s().length() > 40, "a ciphertext, not a hint");
        assertFalse(new String(Base64.getDecoder().decode(encrypted.s()), StandardCharsets.ISO_8859_1).contains(secret(key)),
                "the decoded ciphertext does not hold the key either");

        // A retried 429 and a reconnect, then back, then an unknown key and a disconnect.
        SandboxControl.control("POST", "/_sandbox/faults", Map.of("apiKey", key, "method", "GET", "pathPrefix", "/3.0/lists",
                "kind", "status", "status", 429, "count", 1));
        answers.add(TrpcHttp.query(member, "mailchimp.connection.listAudiences", null));
        answers.add(TrpcHttp.mutation(admin, "mailchimp.connection.connect", Map.of("apiKey", otherKey)));
        answers.add(TrpcHttp.query(member, "mailchimp.connection.listAudiences", null));
        answers.add(TrpcHttp.mutation(admin, "mailchimp.connection.connect", Map.of("apiKey", unknownKey)));
        answers.add(TrpcHttp.mutation(admin, "mailchimp.connection.connect", Map.of("apiKey", key)));
        answers.add(TrpcHttp.query(member, "mailchimp.connection.get", null));
        answers.add(TrpcHttp.query(member, "mailchimp.audit.list", Map.of("limit", 100)));
        answers.add(TrpcHttp.mutation(admin, "mailchimp.connection.disconnect", null));
        answers.add(TrpcHttp.query(member, "mailchimp.connection.get", null));

        assertEquals(List.of(200, 200, 200, 200, 200, 200, 400, 200, 200, 200, 200, 200),
                answers.stream().map(TrpcHttp.Answer::status).toList(), "the calls did what they should");
        assertTrue(answers.get(6).message().contains("Mailchimp rejected"), answers.get(6)::toString);

        Set<String> forms = new LinkedHashSet<>();
        for (String secret : secrets) {
            forms.addAll(forms(secret));
        }
        for (TrpcHttp.Answer answer : answers) {
            assertNoForm(forms, answer.body().toString(), "a response body");
        }
        String output = LocalCloudFixture.output();
        assertTrue(output.contains("Mailchimp request will be retried"), "the retry was logged, so logs were captured");
        String[] lines = output.split("\n");
        for (int i = 0; i < lines.length; i++) {
            assertNoForm(forms, lines[i], "output line " + (i + 1));
        }

        int items = 0;
        List<String> tables = new ArrayList<>();
        dynamo.listTablesPaginator(b -> { }).tableNames().forEach(tables::add);
        assertTrue(tables.contains("ConnectionsTable") && tables.contains("AuditTable"), tables::toString);
        for (String table : tables) {
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                ScanResponse page = dynamo.scan(ScanRequest.builder().tableName(table).exclusiveStartKey(from).build());
                for (Map<String, AttributeValue> item : page.items()) {
                    items++;
                    for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
                        for (String text : texts(attribute.getValue())) {
                            assertNoForm(forms, text, "attribute " + attribute.getKey() + " of an item of " + table);
                        }
                    }
                }
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null);
        }
        System.out.println("[ApiKeyLeakTest] scanned " + answers.size() + " responses, " + lines.length + " output lines, "
                + items + " items in " + tables.size() + " tables for " + forms.size() + " forms of 3 keys");
    }

    /** The secret part and its base64/base64url forms at each byte alignment (the stable middle of each). */
    static Set<String> forms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        forms.add(secret.toUpperCase());
        byte[] raw = secret.getBytes(StandardCharsets.US_ASCII);
        for (int offset = 0; offset < 3; offset++) {
            byte[] shifted = new byte[offset + raw.length];
            System.arraycopy(raw, 0, shifted, offset, raw.length);
            String encoded = Base64.getEncoder().encodeToString(shifted);
            int from = (offset + 2) / 3 * 4;
            int to = (offset + raw.length) / 3 * 4;
            String middle = encoded.substring(from, to);
            forms.add(middle);
            forms.add(middle.replace('+', '-').replace('/', '_'));
        }
        // The hex secret as raw bytes, base64-encoded (e.g. a binary attribute).
        forms.add(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(secret)).substring(0, 20));
        return forms;
    }

    private static void assertNoForm(Set<String> forms, String text, String where) {
        for (String form : forms) {
            assertFalse(text.contains(form), () -> "an API key (or its base64) appears in " + where);
        }
    }

    /** Every text an attribute holds: strings, numbers, binaries (as base64 and as bytes), nested values. */
    private static List<String> texts(AttributeValue value) {
        List<String> out = new ArrayList<>();
        if (value.s() != null) {
            out.add(value.s());
        }
        if (value.n() != null) {
            out.add(value.n());
        }
        if (value.b() != null) {
            out.add(Base64.getEncoder().encodeToString(value.b().asByteArray()));
            out.add(new String(value.b().asByteArray(), StandardCharsets.ISO_8859_1));
        }
        if (value.hasSs()) {
            out.addAll(value.ss());
        }
        if (value.hasNs()) {
            out.addAll(value.ns());
        }
        if (value.hasBs()) {
            value.bs().forEach(b -> out.add(new String(b.asByteArray(), StandardCharsets.ISO_8859_1)));
        }
        if (value.hasL()) {
            value.l().forEach(v -> out.addAll(texts(v)));
        }
        if (value.hasM()) {
            value.m().forEach((k, v) -> {
                out.add(k);
                out.addAll(texts(v));
            });
        }
        return out;
    }

    private static String secret(String key) {
        return key.substring(0, key.indexOf('-'));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

}
