package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventRouterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean matches(String pattern, String event) throws Exception {
        JsonNode p = JSON.readTree(pattern);
        JsonNode e = JSON.readTree(event);
        return EventRouter.matches(p, e);
    }

    private static final String EVENT = "{\"source\":\"platform.directory\",\"detail-type\":\"Contact Upserted\","
            + "\"detail\":{\"orgId\":\"o1\",\"entityType\":\"employee\",\"age\":42,\"tags\":[\"x\",\"y\"],\"nested\":{\"k\":\"v\"}}}";

    @Test
    void sourceDetailTypeAndDetailEquality() throws Exception {
        assertTrue(matches("{\"source\":[\"platform.directory\"]}", EVENT));
        assertTrue(matches("{\"source\":[\"other\",\"platform.directory\"],\"detail-type\":[\"Contact Upserted\",\"Contact Deleted\"]}", EVENT));
        assertFalse(matches("{\"source\":[\"other\"]}", EVENT));
        assertFalse(matches("{\"source\":[\"platform.directory\"],\"detail-type\":[\"Contact Deleted\"]}", EVENT));
        assertTrue(matches("{\"detail\":{\"entityType\":[\"employee\"]}}", EVENT));
        assertFalse(matches("{\"detail\":{\"entityType\":[\"vendor\"]}}", EVENT));
        assertFalse(matches("{\"detail\":{\"missing\":[\"x\"]}}", EVENT));
        assertTrue(matches("{\"detail\":{\"nested\":{\"k\":[\"v\"]}}}", EVENT));
        assertTrue(matches("{\"detail\":{\"tags\":[\"y\"]}}", EVENT), "an array value matches if any element does");
        assertTrue(matches("{\"detail\":{\"age\":[42]}}", EVENT));
        assertFalse(matches("{\"detail\":{\"age\":[\"42\"]}}", EVENT), "numbers and strings differ");
    }

    @Test
    void contentFilters() throws Exception {
        assertTrue(matches("{\"source\":[{\"prefix\":\"platform.\"}]}", EVENT));
        assertFalse(matches("{\"source\":[{\"prefix\":\"aws.\"}]}", EVENT));
        assertTrue(matches("{\"detail\":{\"entityType\":[{\"anything-but\":\"vendor\"}]}}", EVENT));
        assertFalse(matches("{\"detail\":{\"entityType\":[{\"anything-but\":[\"employee\",\"vendor\"]}]}}", EVENT));
        assertTrue(matches("{\"detail\":{\"orgId\":[{\"exists\":true}],\"gone\":[{\"exists\":false}]}}", EVENT));
        assertFalse(matches("{\"detail\":{\"orgId\":[{\"exists\":false}]}}", EVENT));
        assertTrue(matches("{\"detail\":{\"age\":[{\"numeric\":[\">\",40,\"<=\",42]}]}}", EVENT));
        assertFalse(matches("{\"detail\":{\"age\":[{\"numeric\":[\"<\",40]}]}}", EVENT));
        assertTrue(matches("{\"detail-type\":[{\"equals-ignore-case\":\"contact upserted\"}]}", EVENT));
    }
}
