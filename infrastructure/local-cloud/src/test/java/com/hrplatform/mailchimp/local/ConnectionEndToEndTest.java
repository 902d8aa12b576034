package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2, acceptance 1 and 7, over real HTTP through the local cloud (JWT, template routes, the hosted
 * ConnectionFunction, dynalite, the local KMS, the Mailchimp sandbox). Every test uses its own org and its
 * own sandbox account; faults are scoped to that account's key and limited by {@code count} to exactly the
 * requests they are meant to hit, so nothing is left behind. The sandbox's request log is read from a mark
 * taken by the test (tests in this JVM run one at a time; only {@code connect} calls {@code GET /3.0/}).
 */
class ConnectionEndToEndTest {
    private static final String ROOT = "/3.0/";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void startCloud() {
        LocalCloudFixture.get();
    }

    private static String newOrg() {
        return "org-" + UUID.randomUUID();
    }

    /** The request timeout the hosted functions use (Services reads MAILCHIMP_TIMEOUT_SECONDS, default 10). */
    static int mailchimpTimeoutSeconds() {
        String value = Optional.ofNullable(System.getenv("MAILCHIMP_TIMEOUT_SECONDS")).filter(v -> !v.isBlank())
                .orElse(System.getProperty("MAILCHIMP_TIMEOUT_SECONDS", "10"));
        return Integer.parseInt(value.trim());
    }

    @Test
    void aFreshOrgGetsExactlyNull() throws Exception {
        String org = newOrg();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(LocalCloudFixture.get().apiUrl() + "/trpc/mailchimp.connection.get"))
                .header("Authorization", "Bearer " + LocalCloudFixture.adminToken(org)).GET()
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response::body);
        assertEquals("{\"result\":{\"data\":null}}", response.body());
        assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
    }

    @Test
    void connectGetListAudiencesReconnectAndDisconnect() {
        String org = newOrg();
        String admin = LocalCloudFixture.adminToken(org);
        String member = LocalCloudFixture.memberToken(org);
        JsonNode first = SandboxControl.newAccount("First account " + org);
        JsonNode second = SandboxControl.newAccount("Second account " + org);
        String firstKey = first.path("apiKey").asText();
        String secondKey = second.path("apiKey").asText();

        Instant before = Instant.now().minusSeconds(1);
        JsonNode connected = TrpcHttp.mutation(admin, "mailchimp.connection.connect", Map.of("apiKey", firstKey)).data();
        assertEquals("connected", connected.path("status").asText());
        assertEquals(first.path("accountName").asText(), connected.path("accountName").asText());
        assertEquals(first.path("accountId").asText(), connected.path("accountId").asText());
        assertEquals("us1", connected.path("dataCenter").asText());
        assertEquals("…" + firstKey.substring(28, 32) + "-us1", connected.path("apiKeyHint").asText());
        Instant connectedAt = Instant.parse(connected.path("connectedAt").asText());
        assertFalse(connectedAt.isBefore(before), () -> "connectedAt " + connectedAt);
        assertTrue(connected.has("lastSyncAt"), () -> "lastSyncAt is part of the shape: " + connected);
        assertEquals(Set.of("accountName", "accountId", "dataCenter", "apiKeyHint", "status", "connectedAt", "lastSyncAt"),
                fieldNames(connected), "exactly the fields of api.md");

        assertEquals(connected, TrpcHttp.query(member, "mailchimp.connection.get", null).data(), "a member reads it too");

        // Every audience, compared with what the sandbox itself lists for the key (all pages of /lists).
        assertEquals(sandboxAudiences(firstKey), audiences(TrpcHttp.query(member, "mailchimp.connection.listAudiences", null).data()));
        assertTrue(sandboxAudiences(firstKey).size() >= 2);

        // Reconnect with another key: the other account replaces the first.
        JsonNode reconnected = TrpcHttp.mutation(admin, "mailchimp.connection.connect", Map.of("apiKey", secondKey)).data();
        assertEquals(second.path("accountId").asText(), reconnected.path("accountId").asText());
        assertEquals(second.path("accountName").asText(), reconnected.path("accountName").asText());
        assertEquals("…" + secondKey.substring(28, 32) + "-us1", reconnected.path("apiKeyHint").asText());
        assertNotEquals(connected.path("accountId"), reconnected.path("accountId"));
        assertEquals(reconnected, TrpcHttp.query(member, "mailchimp.connection.get", null).data());
        Map<String, String> secondAudiences = sandboxAudiences(secondKey);
        assertEquals(secondAudiences, audiences(TrpcHttp.query(member, "mailchimp.connection.listAudiences", null).data()),
                "the audiences now come from the second account");
        assertTrue(secondAudiences.keySet().stream().noneMatch(sandboxAudiences(firstKey)::containsKey),
                "the two accounts' audiences differ, so the comparison above tells them apart");

        // Disconnect: get answers null, listAudiences needs a connection, a second disconnect too.
        assertEquals(Map.of("success", true), TrpcHttp.JSON.convertValue(
                TrpcHttp.mutation(admin, "mailchimp.connection.disconnect", null).data(), Map.class));
        assertTrue(TrpcHttp.query(member, "mailchimp.connection.get", null).data().isNull());
        TrpcHttp.Answer audiences = TrpcHttp.query(member, "mailchimp.connection.listAudiences", null);
        assertEquals(412, audiences.status(), audiences::toString);
        assertEquals("PRECONDITION_FAILED", audiences.errorCode());
        assertTrue(audiences.message().contains("connect"), audiences::message);
        TrpcHttp.Answer again = TrpcHttp.mutation(admin, "mailchimp.connection.disconnect", null);
        assertEquals("PRECONDITION_FAILED", again.errorCode(), again::toString);

        List<String> actions = new ArrayList<>();
        TrpcHttp.query(member, "mailchimp.audit.list", Map.of("limit", 100)).data().path("items")
                .forEach(item -> actions.add(item.path("action").asText()));
        assertEquals(List.of("connection.disconnected", "connection.reconnected", "connection.connected"), actions,
                "every state change is audited, newest first");
    }

    @Test
    void twoRateLimitedAnswersAreRetriedAndConnectSucceeds() {
        String org = newOrg();
        String key = SandboxControl.newAccount("Rate limited twice " + org).path("apiKey").asText();
        int mark = logSize();
        fault(Map.of("apiKey", key, "method", "GET", "pathPrefix", ROOT, "kind", "status", "status", 429, "count", 2));

        JsonNode connected = TrpcHttp.mutation(LocalCloudFixture.adminToken(org), "mailchimp.connection.connect",
                Map.of("apiKey", key)).data();

        assertEquals("connected", connected.path("status").asText());
        assertEquals(List.of(429, 429, 200), rootStatusesSince(mark, 3), "two 429s, retried, then the answer");
    }

    @Test
    void persistentRateLimitingIsReportedAsTooManyRequests() {
        String org = newOrg();
        String key = SandboxControl.newAccount("Rate limited " + org).path("apiKey").asText();
        int mark = logSize();
        // As many 429s as the client makes attempts (RetryPolicy.standard: 4); a fifth attempt would succeed.
        fault(Map.of("apiKey", key, "method", "GET", "pathPrefix", ROOT, "kind", "status", "status", 429, "count", 4));

        TrpcHttp.Answer answer = TrpcHttp.mutation(LocalCloudFixture.adminToken(org), "mailchimp.connection.connect",
                Map.of("apiKey", key));

        assertEquals(429, answer.status(), answer::toString);
        assertEquals("TOO_MANY_REQUESTS", answer.errorCode());
        assertEquals(-32029, answer.body().path("error").path("code").asInt());
        assertEquals("Mailchimp is limiting requests for this account; try again in a minute", answer.message());
        assertEquals(List.of(429, 429, 429, 429), rootStatusesSince(mark, 4), "four attempts");
        assertNotConnected(org);
    }

    @Test
    void persistentHtml503IsRetriedAndReportedAsUnavailable() {
        String org = newOrg();
        String key = SandboxControl.newAccount("HTML 503 " + org).path("apiKey").asText();
        int mark = logSize();
        fault(Map.of("apiKey", key, "method", "GET", "pathPrefix", ROOT, "kind", "html503", "count", 4));

        TrpcHttp.Answer answer = TrpcHttp.mutation(LocalCloudFixture.adminToken(org), "mailchimp.connection.connect",
                Map.of("apiKey", key));

        assertEquals(503, answer.status(), answer::toString);
        assertEquals("SERVICE_UNAVAILABLE", answer.errorCode());
        assertEquals("Mailchimp is not available right now; try again shortly", answer.message());
        assertFalse(answer.toString().contains("<html") || answer.toString().contains("nginx"),
                "Mailchimp's HTML page is not passed on");
        assertEquals(List.of(503, 503, 503, 503), rootStatusesSince(mark, 4), "four attempts");
        assertNotConnected(org);
    }

    @Test
    void aMailchimpThatNeverAnswersIsRetriedAndReportedAsGatewayTimeout() {
        String org = newOrg();
        String key = SandboxControl.newAccount("Timeout " + org).path("apiKey").asText();
        int timeoutMs = mailchimpTimeoutSeconds() * 1000;
        int mark = logSize();
        fault(Map.of("apiKey", key, "method", "GET", "pathPrefix", ROOT, "kind", "timeout",
                "latencyMs", timeoutMs + 1500, "count", 4));

        long started = System.nanoTime();
        TrpcHttp.Answer answer = TrpcHttp.mutation(LocalCloudFixture.adminToken(org), "mailchimp.connection.connect",
                Map.of("apiKey", key));
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertEquals(504, answer.status(), answer::toString);
        assertEquals("GATEWAY_TIMEOUT", answer.errorCode());
        assertEquals("Mailchimp did not answer in time; try again shortly", answer.message());
        assertTrue(tookMs >= 4L * timeoutMs, () -> "four attempts of " + timeoutMs + " ms each, took " + tookMs + " ms");
        // The sandbox logs a dropped request (status 0) when it lets go of it, after the hold.
        assertEquals(List.of(0, 0, 0, 0), rootStatusesSince(mark, 4), "four attempts, none answered");
        assertNotConnected(org);
    }

    @Test
    void aWellFormedKeyMailchimpDoesNotKnowIsReportedAsInvalid() {
        String org = newOrg();
        String unknownKey = HexFormat.of().formatHex(randomBytes(16)) + "-us1";
        int mark = logSize();

        TrpcHttp.Answer answer = TrpcHttp.mutation(LocalCloudFixture.adminToken(org), "mailchimp.connection.connect",
                Map.of("apiKey", unknownKey));

        assertEquals(400, answer.status(), answer::toString);
        assertEquals("BAD_REQUEST", answer.errorCode());
        assertTrue(answer.message().contains("apiKey") && answer.message().contains("Mailchimp rejected"), answer::message);
        assertFalse(answer.toString().contains(unknownKey.substring(0, 32)), "the key is not echoed");
        assertEquals(List.of(401), rootStatusesSince(mark, 1), "an invalid key is not retried");
        assertNotConnected(org);
    }

    // ------------------------------------------------------------------ helpers

    private static void assertNotConnected(String org) {
        assertTrue(TrpcHttp.query(LocalCloudFixture.memberToken(org), "mailchimp.connection.get", null).data().isNull(),
                "a failed connect stores nothing");
    }

    private static void fault(Map<String, Object> rule) {
        SandboxControl.control("POST", "/_sandbox/faults", rule);
    }

    private static int logSize() {
        return SandboxControl.control("GET", "/_sandbox/requests", null).size();
    }

    /**
     * Statuses of the {@code GET /3.0/} requests logged after {@code mark}, once there are at least
     * {@code expected} of them (a held request is logged when the sandbox lets go of it) or 30 s passed.
     */
    private static List<Integer> rootStatusesSince(int mark, int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode log = SandboxControl.control("GET", "/_sandbox/requests", null);
            List<Integer> statuses = new ArrayList<>();
            for (int i = mark; i < log.size(); i++) {
                JsonNode entry = log.get(i);
                if ("GET".equals(entry.path("method").asText()) && ROOT.equals(entry.path("path").asText())) {
                    statuses.add(entry.path("status").asInt());
                }
            }
            if (statuses.size() >= expected || System.nanoTime() > deadline) {
                return statuses;
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(50); // polling the log, not synchronising on time: the loop ends on the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return statuses;
            }
        }
    }

    /** id -> "name/memberCount" of every list of the account, read from the sandbox page by page. */
    private static Map<String, String> sandboxAudiences(String apiKey) {
        Map<String, String> all = new HashMap<>();
        for (int offset = 0; ; offset += 10) {
            JsonNode page = SandboxControl.api(apiKey, "GET", "/lists?count=10&offset=" + offset, null);
            page.path("lists").forEach(list -> all.put(list.path("id").asText(),
                    list.path("name").asText() + "/" + list.path("stats").path("member_count").asLong()));
            if (offset + 10 >= page.path("total_items").asInt()) {
                return all;
            }
        }
    }

    private static Map<String, String> audiences(JsonNode data) {
        assertTrue(data.isArray(), () -> "an array: " + data);
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode audience : data) {
            assertEquals(Set.of("id", "name", "memberCount"), fieldNames(audience));
            assertTrue(audience.path("memberCount").isIntegralNumber());
            assertFalse(out.containsKey(audience.path("id").asText()), () -> "listed twice: " + audience);
            out.put(audience.path("id").asText(), audience.path("name").asText() + "/" + audience.path("memberCount").asLong());
        }
        return out;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.stream().collect(Collectors.toSet());
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
