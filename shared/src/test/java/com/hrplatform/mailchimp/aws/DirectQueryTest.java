package com.hrplatform.mailchimp.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DynamoDB's Query JSON as {@link DirectQuery} writes and reads it (the wire format of the DynamoDB API reference). */
class DirectQueryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void itSendsWhereTheClientSendsItsRequests() {
        software.amazon.awssdk.auth.credentials.StaticCredentialsProvider credentials =
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("id", "secret"));
        software.amazon.awssdk.http.SdkHttpClient http = software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create();
        try (var regional = software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder().credentialsProvider(credentials)
                .region(software.amazon.awssdk.regions.Region.EU_WEST_1).httpClient(http).build();
             var local = software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder().credentialsProvider(credentials)
                     .region(software.amazon.awssdk.regions.Region.US_EAST_1).httpClient(http)
                     .endpointOverride(java.net.URI.create("http://127.0.0.1:8000")).build()) {
            assertEquals("https://dynamodb.eu-west-1.amazonaws.com", DirectQuery.of(regional, http, credentials).endpoint().toString());
            assertEquals("http://127.0.0.1:8000", DirectQuery.of(local, http, credentials).endpoint().toString());
        }
    }

    @Test
    void aSignedPostIsReadWhenItsChecksumHoldsAndAfterThreeFailuresInARowTheContainerStopsTrying() throws Exception {
        String answer = "{\"Count\":1,\"Items\":[{\"email\":{\"S\":\"ada@example.com\"}}],\"ScannedCount\":1}";
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> mode = new java.util.concurrent.atomic.AtomicReference<>("ok");
        java.util.List<com.sun.net.httpserver.Headers> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            seen.add(exchange.getRequestHeaders());
            exchange.getRequestBody().readAllBytes();
            boolean ok = !mode.get().equals("500");
            exchange.getResponseHeaders().add("x-amz-crc32", mode.get().equals("bad checksum") ? "1" : Long.toString(crc.getValue()));
            exchange.sendResponseHeaders(ok ? 200 : 500, ok ? bytes.length : -1);
            if (ok) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.start();
        try {
            DirectQuery direct = new DirectQuery(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create(),
                    software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("id", "secret")),
                    software.amazon.awssdk.regions.Region.EU_WEST_1,
                    java.net.URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
            DirectQuery.Request request = new DirectQuery.Request("ContactsTable", "OrgHashIndex", "orgId = :org", Map.of(),
                    Map.of(":org", "org-1"), null, 10);

            assertEquals("ada@example.com", direct.query(request).orElseThrow().items().get(0).text().get("email"));
            com.sun.net.httpserver.Headers headers = seen.get(0);
            assertEquals("DynamoDB_20120810.Query", headers.getFirst("X-Amz-Target"));
            assertTrue(headers.getFirst("Authorization").startsWith("AWS4-HMAC-SHA256 Credential=id/"), "signed");
            assertTrue(headers.getFirst("Authorization").contains("/eu-west-1/dynamodb/aws4_request"), "for DynamoDB there");

            mode.set("bad checksum");
            assertTrue(direct.query(request).isEmpty(), "a checksum that does not match: the SDK reads");
            mode.set("500");
            assertTrue(direct.query(request).isEmpty());
            mode.set("ok");
            assertTrue(direct.query(request).isPresent(), "a page read starts the count again");
            mode.set("500");
            for (int i = 0; i < 5; i++) {
                assertTrue(direct.query(request).isEmpty());
            }
            assertEquals(4 + DirectQuery.GIVE_UP_AFTER, requests.get(), "three failures in a row, then no more requests");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theRequestCarriesTheConditionItsTextValuesNamesProjectionAndLimit() throws Exception {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("#email", "email");
        names.put("#consent", "consent");
        JsonNode body = JSON.readTree(DirectQuery.body(new DirectQuery.Request("ContactsTable", "OrgHashIndex",
                "orgId = :org AND subscriberHash > :after", names, Map.of(":org", "org-\"1\"", ":after", "0a"),
                "#consent, #email", 1000)));

        assertEquals("ContactsTable", body.path("TableName").asText());
        assertEquals("OrgHashIndex", body.path("IndexName").asText());
        assertEquals("orgId = :org AND subscriberHash > :after", body.path("KeyConditionExpression").asText());
        assertEquals("org-\"1\"", body.path("ExpressionAttributeValues").path(":org").path("S").asText());
        assertEquals("0a", body.path("ExpressionAttributeValues").path(":after").path("S").asText());
        assertEquals("email", body.path("ExpressionAttributeNames").path("#email").asText());
        assertEquals("#consent, #email", body.path("ProjectionExpression").asText());
        assertEquals(1000, body.path("Limit").asInt());
    }

    @Test
    void anAnswerIsReadAsTextAndStringSetsWithEscapesAndTheKeyThatSaysMoreFollow() throws Exception {
        String answer = """
                {"Count":2,"Items":[
                  {"email":{"S":"zo\\u00eb@example.com"},"firstName":{"S":"Zo\\"\\\\ \\u0141ukasz \\ud83d\\ude00"},
                   "formerHashes":{"SS":["aa","bb"]}},
                  {"email":{"S":"ada@example.com"},"consent":{"S":"opted_out"}}],
                 "LastEvaluatedKey":{"orgId":{"S":"org-1"},"subscriberHash":{"S":"ff"},"entityKey":{"S":"employee#1"}},
                 "ScannedCount":2}""";

        DirectQuery.Page page = DirectQuery.page(answer.getBytes(StandardCharsets.UTF_8));

        assertTrue(page.more());
        assertEquals(2, page.items().size());
        assertEquals("zoë@example.com", page.items().get(0).text().get("email"));
        assertEquals("Zo\"\\ Łukasz 😀", page.items().get(0).text().get("firstName"));
        assertEquals(Map.of("formerHashes", List.of("aa", "bb")), page.items().get(0).sets());
        assertEquals(Map.of("email", "ada@example.com", "consent", "opted_out"), page.items().get(1).text());
        assertEquals(Map.of(), page.items().get(1).sets());
    }

    @Test
    void withoutALastEvaluatedKeyOrWithAnEmptyOneNothingMoreFollows() throws Exception {
        assertFalse(DirectQuery.page("{\"Count\":0,\"Items\":[],\"ScannedCount\":0}".getBytes(StandardCharsets.UTF_8)).more());
        assertFalse(DirectQuery.page("{\"Items\":[],\"LastEvaluatedKey\":{}}".getBytes(StandardCharsets.UTF_8)).more());
    }

    @Test
    void anAttributeOfAnotherTypeIsNotReadThisWay() throws Exception {
        for (String value : List.of("{\"N\":\"1\"}", "{\"BOOL\":true}", "{\"B\":\"AA==\"}", "{\"M\":{}}", "{\"NULL\":true}",
                "{\"L\":[]}", "{\"NS\":[\"1\"]}")) {
            String answer = "{\"Items\":[{\"email\":{\"S\":\"a@example.com\"},\"odd\":" + value + "}]}";
            assertNull(DirectQuery.page(answer.getBytes(StandardCharsets.UTF_8)), value);
        }
    }

    @Test
    void somethingThatIsNotAQueryAnswerIsAnError() {
        for (String answer : List.of("[]", "{\"Items\":{}}", "{\"Items\":[{\"email\":\"a\"}]}", "{\"Items\":[")) {
            assertThrows(java.io.IOException.class, () -> DirectQuery.page(answer.getBytes(StandardCharsets.UTF_8)), answer);
        }
    }
}
