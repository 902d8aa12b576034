package com.hrplatform.mailchimp.aws;

import com.hrplatform.mailchimp.domain.DomainException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DynamoCursorTest {

    @Test
    void aCursorRoundTrips() {
        Map<String, AttributeValue> key = Map.of("orgId", AttributeValue.fromS("org-1"), "sk", AttributeValue.fromS("pref#employee#e-1"));
        assertEquals(key, DynamoCursor.decode(DynamoCursor.encode(key), "orgId", "org-1", "sk", "pref#"));
        assertNull(DynamoCursor.encode(Map.of()));
        assertNull(DynamoCursor.decode(null, "orgId", "org-1", "sk", ""));
    }

    @Test
    void anotherOrgsCursorOnlyPagesTheCallersOwnPartition() {
        String cursor = DynamoCursor.encode(Map.of("orgId", AttributeValue.fromS("org-2"), "sk", AttributeValue.fromS("x")));
        assertEquals(AttributeValue.fromS("org-1"), DynamoCursor.decode(cursor, "orgId", "org-1", "sk", "").get("orgId"));
    }

    @Test
    void garbageIsABadRequestNamingTheCursor() {
        for (String garbage : new String[]{"not base64!", "e30", "eyJvcmdJZCI6IlNvcmctMSJ9", "W10"}) {
            assertBadCursor(garbage, "");
        }
    }

    @Test
    void aWellFormedKeyDynamoDbWouldRefuseIsABadRequest() {
        assertBadCursor(json("{\"orgId\":\"Sx\",\"other\":\"Sx\"}"), "");
        assertBadCursor(json("{\"orgId\":\"Sx\",\"sk\":\"N7\"}"), "");
        assertBadCursor(json("{\"orgId\":\"Sx\",\"sk\":7}"), "");
        assertBadCursor(json("{\"orgId\":\"Sx\",\"sk\":\"S\"}"), "");
        assertBadCursor(json("{\"orgId\":\"Sx\",\"sk\":\"Sx\",\"third\":\"Sx\"}"), "");
        assertBadCursor(json("{\"sk\":\"Sx\",\"third\":\"Sx\"}"), "");
        assertBadCursor(json("{\"orgId\":\"Sx\",\"sk\":\"S" + "é".repeat(513) + "\"}"), "");
        assertBadCursor(json("{\"orgId\":\"Sx\",\"sk\":\"Saudit#1\"}"), "pref#");
        assertEquals(AttributeValue.fromS("é".repeat(512)),
                DynamoCursor.decode(json("{\"orgId\":\"Sx\",\"sk\":\"S" + "é".repeat(512) + "\"}"), "orgId", "org-1", "sk", "").get("sk"));
    }

    private static void assertBadCursor(String cursor, String prefix) {
        DomainException e = assertThrows(DomainException.InvalidInput.class,
                () -> DynamoCursor.decode(cursor, "orgId", "org-1", "sk", prefix), cursor);
        assertEquals("Invalid input: cursor: not a cursor this list returned", e.getMessage());
    }

    private static String json(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
