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
