package com.hrplatform.mailchimp.aws;

import com.hrplatform.mailchimp.domain.DomainException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DynamoCursorTest {
    @Test
    void roundTripsTheLastEvaluatedKey() {
        var key = Map.of("orgId", AttributeValue.fromS("org-1"), "sk", AttributeValue.fromS("2026-01-01T00:00:00Z#a"),
                "n", AttributeValue.fromN("42"));
        assertEquals(key, DynamoCursor.decode(DynamoCursor.encode(key), "orgId", "org-1"));
        assertNull(DynamoCursor.encode(Map.of()));
        assertNull(DynamoCursor.decode(null, "orgId", "org-1"));
    }

    @Test
    void anotherOrgsCursorOnlyPagesTheCallersOwnPartition() {
        String cursor = DynamoCursor.encode(Map.of("orgId", AttributeValue.fromS("org-2"), "sk", AttributeValue.fromS("x")));
        assertEquals(AttributeValue.fromS("org-1"), DynamoCursor.decode(cursor, "orgId", "org-1").get("orgId"));
    }

    @Test
    void garbageIsABadRequestNamingTheCursor() {
        for (String garbage : new String[]{"not base64!", "e30", "eyJvcmdJZCI6IlNvcmctMSJ9", "W10"}) {
            DomainException e = assertThrows(DomainException.InvalidInput.class,
                    () -> DynamoCursor.decode(garbage, "orgId", "org-1"), garbage);
            assertEquals("Invalid input: cursor: not a cursor this list returned", e.getMessage());
        }
    }
}
