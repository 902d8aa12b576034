package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, end to end: a sync, the consent worker (opt-outs), the stats refresh and API calls of one org run at
 * once against a slow Mailchimp; the sandbox's peak of simultaneous requests for the org's key stays within 10 and
 * it answers no 429. (The local cloud hosts every function in one JVM, so their clients share one process; that the
 * budget holds across separate containers is KeyBudgetTest's part.)
 */
class KeyBudgetEndToEndTest {
    private Org org;

    @AfterEach
    void clearFaults() {
        clearFaultsOf(org);
    }

    @Test
    void syncConsentWorkerStatsRefreshAndApiCallsOfOneOrgStayWithinTheKeysTen() throws Exception {
        org = connectedOrg("budget");
        List<Map<String, Object>> people = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            people.add(employee("e-" + i, unique("b" + i) + "@example.com"));
        }
        importContacts(org, people);
        String segment = segment(org, "Budget", org.employeesList());
        sync(org, segment); // in the audience first, so the opt-outs below have members to unsubscribe
        for (int c = 0; c < 3; c++) {
            Map<String, Object> campaign = new LinkedHashMap<>(Map.of("apiKey", org.apiKey(), "status", "sent",
                    "listId", org.employeesList(), "title", "Campaign " + c, "subjectLine", "Subject " + c,
                    "sendTime", Instant.now().minus(Duration.ofDays(1)).toString(), "emailsSent", 60));
            campaign.put("report", Map.of("uniqueOpens", 10, "openRate", 0.2, "uniqueClicks", 3, "clickRate", 0.05));
            String id = control("POST", "/_sandbox/campaigns", campaign).path("id").asText();
            mutation(org.member(), "mailchimp.campaigns.trackCampaign", Map.of("mailchimpCampaignId", id)).data();
        }
        control("POST", "/_sandbox/faults", Map.of("apiKey", org.apiKey(), "kind", "latency", "latencyMs", 300));
        control("DELETE", "/_sandbox/peak?apiKey=" + org.apiKey(), null);

        ExecutorService callers = Executors.newFixedThreadPool(12);
        try {
            List<CompletableFuture<?>> all = new ArrayList<>();
            all.add(CompletableFuture.runAsync(() -> mutation(org.member(), "mailchimp.segments.sync", Map.of("id", segment)).data(), callers));
            for (int i = 0; i < 4; i++) {
                String id = "e-" + i;
                all.add(CompletableFuture.runAsync(() -> mutation(org.admin(), "mailchimp.preferences.updateOptStatus",
                        Map.of("entityId", id, "entityType", "employee", "optedIn", false, "source", "hr-portal")).data(), callers));
            }
            all.add(CompletableFuture.runAsync(() -> {
                var fired = TrpcHttp.send(HttpRequest.newBuilder(URI.create(cloud().apiUrl() + "/_local/schedules/CampaignStatsRefreshFunction"))
                        .POST(HttpRequest.BodyPublishers.noBody()), null);
                assertEquals(200, fired.status(), () -> "the stats refresh failed: " + fired.body());
            }, callers));
            for (int i = 0; i < 6; i++) {
                all.add(CompletableFuture.runAsync(() -> query(org.member(), "mailchimp.connection.listAudiences", null).data(), callers));
            }
            all.forEach(CompletableFuture::join);
            await(Duration.ofSeconds(90), () -> !"syncing".equals(query(org.member(), "mailchimp.segments.get",
                    Map.of("id", segment)).data().path("status").asText()), () -> "the sync ended");
            await(Duration.ofSeconds(90), () -> unsubscribed(people.subList(0, 4)), () -> "the opt-outs reached Mailchimp");
        } finally {
            callers.shutdownNow();
        }
        JsonNode peak = control("GET", "/_sandbox/peak?apiKey=" + org.apiKey(), null);
        long limited = 0;
        for (JsonNode request : control("GET", "/_sandbox/requests?apiKey=" + org.apiKey(), null)) {
            limited += request.path("status").asInt() == 429 ? 1 : 0;
        }
        System.out.println("one org's sync, consent worker, stats refresh and API calls at once: peak "
                + peak.path("peakInFlight").asInt() + " simultaneous requests of its key, " + limited + " answered 429");
        assertTrue(peak.path("peakInFlight").asInt() <= 10, peak::toString);
        assertTrue(peak.path("peakInFlight").asInt() > 1, () -> "they did run at once: " + peak);
        assertEquals(0, limited, "no 429 for concurrency");
        assertEquals("synced", query(org.member(), "mailchimp.segments.get", Map.of("id", segment)).data().path("status").asText());
    }

    private boolean unsubscribed(List<Map<String, Object>> people) {
        for (Map<String, Object> person : people) {
            JsonNode member = control("GET", "/_sandbox/members?apiKey=" + org.apiKey() + "&listId=" + org.employeesList()
                    + "&email=" + URLEncoder.encode((String) person.get("email"), StandardCharsets.UTF_8), null);
            if (!"unsubscribed".equals(member.path("status").asText())) {
                return false;
            }
        }
        return true;
    }
}
