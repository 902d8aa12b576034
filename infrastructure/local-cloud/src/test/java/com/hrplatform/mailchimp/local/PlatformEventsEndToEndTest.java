package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, "The platform hears back", for what the jobs learn: an ended sync run, and a connection Mailchimp no
 * longer accepts (seen by a sync and by the stats refresh), through the local cloud's event bus.
 * (Webhook and erasure events: WebhookEndToEndTest, ErasureEndToEndTest.)
 */
class PlatformEventsEndToEndTest {
    private Org faulted;

    @BeforeAll
    static void start() {
        cloud();
    }

    @AfterEach
    void clearFaults() {
        clearFaultsOf(faulted);
    }

    @Test
    @DisplayName("a sync run's end reaches the platform with its counts, once per run")
    void syncRunEnded() {
        Org org = connectedOrg("events-run");
        importContacts(org, List.of(employee("emp-1", unique("one") + "@example.com"),
                employee("emp-2", unique("two") + "@example.com")));
        String segmentId = segment(org, "Engineering R", org.employeesList());
        JsonNode first = sync(org, segmentId);
        JsonNode second = sync(org, segmentId);

        List<JsonNode> ended = events(org, "Sync Run Ended");
        assertEquals(2, ended.size(), () -> "one per run: " + ended);
        for (int i = 0; i < 2; i++) {
            JsonNode run = (i == 0 ? first : second).path("lastRun");
            JsonNode detail = ended.get(i).path("detail");
            assertEquals(run.path("runId").asText(), detail.path("runId").asText());
            assertEquals(segmentId, detail.path("segmentId").asText());
            assertEquals(org.employeesList(), detail.path("listId").asText());
            assertEquals("synced", detail.path("status").asText());
            assertEquals("manual", detail.path("trigger").asText(), "started through the API");
            assertEquals(run.path("startedAt").asText(), detail.path("startedAt").asText());
            assertEquals(run.path("finishedAt").asText(), detail.path("finishedAt").asText());
            for (String count : List.of("added", "updated", "unchanged", "archived", "unsubscribed", "failed")) {
                assertEquals(run.path(count).asInt(), detail.path("counts").path(count).asInt(), count);
            }
            assertEquals(Set.of("runId", "orgId", "segmentId", "listId", "trigger", "status", "startedAt", "finishedAt", "counts"),
                    fields(detail));
            assertFalse(ended.get(i).toString().contains("@"), "no address");
        }
        assertEquals(2, ended.get(0).path("detail").path("counts").path("added").asInt());
        assertEquals(2, ended.get(1).path("detail").path("counts").path("unchanged").asInt());
    }

    @Test
    @DisplayName("a refused API key: the platform hears the connection broke, once per connection however often seen")
    void connectionBroken() {
        Org org = connectedOrg("events-broken");
        importContacts(org, List.of(employee("emp-1", unique("one") + "@example.com")));
        String segmentId = segment(org, "Engineering K", org.employeesList());
        sync(org, segmentId);
        JsonNode campaigns = marketing(org, "GET", "/campaigns?count=100&status=schedule", null);
        String scheduled = campaigns.path("campaigns").get(0).path("id").asText();
        mutation(org.member(), "mailchimp.campaigns.trackCampaign", Map.of("mailchimpCampaignId", scheduled)).data();

        // The key is revoked in Mailchimp: every request of it is refused.
        faulted = org;
        control("POST", "/_sandbox/faults", Map.of("apiKey", org.apiKey(), "kind", "status", "status", 401));
        syncEndsInError(org, segmentId);
        fireSchedule("CampaignStatsRefreshFunction");
        syncEndsInError(org, segmentId);

        List<JsonNode> broken = events(org, "Connection Broken");
        assertEquals(List.of("sync", "campaignStatsRefresh", "sync"),
                broken.stream().map(e -> e.path("detail").path("detectedBy").asText()).toList(), () -> broken.toString());
        assertEquals(1, broken.stream().map(e -> e.path("detail").path("eventId").asText()).distinct().count(),
                "the same broken connection, one eventId to dedupe on");
        assertEquals(Set.of("eventId", "orgId", "detectedBy", "detectedAt"), fields(broken.get(0).path("detail")));
        assertFalse(broken.toString().contains(org.apiKey().substring(0, 8)), "nothing of the key");
        List<JsonNode> runs = events(org, "Sync Run Ended");
        assertEquals(List.of("synced", "error", "error"), runs.stream().map(e -> e.path("detail").path("status").asText()).toList());

        // Reconnected (a new connection) and refused again: a new break, a new eventId.
        clearFaultsOf(org);
        mutation(org.admin(), "mailchimp.connection.connect", Map.of("apiKey", org.apiKey())).data();
        control("POST", "/_sandbox/faults", Map.of("apiKey", org.apiKey(), "kind", "status", "status", 401));
        syncEndsInError(org, segmentId);
        List<JsonNode> after = events(org, "Connection Broken");
        assertEquals(4, after.size());
        assertNotEquals(after.get(0).path("detail").path("eventId"), after.get(3).path("detail").path("eventId"),
                "another connection broke");
    }

    private static void syncEndsInError(Org org, String segmentId) {
        mutation(org.member(), "mailchimp.segments.sync", Map.of("id", segmentId)).data();
        JsonNode[] last = new JsonNode[1];
        await(Duration.ofSeconds(60), () -> {
            last[0] = query(org.member(), "mailchimp.segments.get", Map.of("id", segmentId)).data();
            return "error".equals(last[0].path("status").asText());
        }, () -> "the run did not end in error: " + last[0]);
        assertTrue(last[0].path("lastError").asText().contains("no longer accepts the connected API key"), last[0]::toString);
    }

    private static List<JsonNode> events(Org org, String detailType) {
        return platformEvents(org).stream().filter(e -> e.path("detail-type").asText().equals(detailType)).toList();
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
