package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, acceptance 1-5, end to end: real HTTP through the local cloud's API (JWT, routes of
 * template.yaml, the hosted CampaignsFunction), the scheduled CampaignStatsRefreshFunction fired through
 * the runner, dynalite, the local KMS and the Mailchimp sandbox. Each test makes its own orgs and sandbox
 * accounts (own API keys, so own campaign ids); the sandbox's request log is read from a mark taken by the
 * test and filtered by the test's campaign ids, so tests neither clear shared state nor depend on order.
 */
class CampaignsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REFRESH_FUNCTION = "CampaignStatsRefreshFunction";

    private static LocalCloud cloud;
    private static DynamoDbClient dynamo;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> faultKeys = new ArrayList<>();

    record Org(String orgId, String apiKey, String listId) {
        String token() {
            return LocalCloudFixture.memberToken(orgId);
        }
    }

    @BeforeAll
    static void startCloud() {
        cloud = LocalCloudFixture.get();
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create(cloud.dynamoEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterEach
    void clearFaults() throws Exception {
        if (!faultKeys.isEmpty()) {
            // Faults are global to the sandbox; only tests that added one clear them.
            send("DELETE", sandboxControl() + "/faults", null, null);
        }
    }

    // ------------------------------------------------------------------ acceptance 1

    @Test
    @DisplayName("1. tracking a sent campaign stores the sandbox's report; a draft has no rates and no error")
    void trackSentAndDraft() throws Exception {
        Org org = connectedOrg("track");
        String sent = createCampaign(org, "sent", Instant.now().minus(Duration.ofDays(1)), 200,
                report(73, 0.365, 21, 0.105));
        String draft = createCampaign(org, "save", null, null, null);

        JsonNode tracked = mutation(org.token(), "trackCampaign", Map.of("mailchimpCampaignId", sent)).data();
        JsonNode mailchimpReport = marketingGet(org, "/reports/" + sent);
        JsonNode mailchimpCampaign = marketingGet(org, "/campaigns/" + sent);
        assertEquals(sent, tracked.path("id").asText());
        assertEquals(sent, tracked.path("mailchimpCampaignId").asText());
        assertEquals("sent", tracked.path("status").asText());
        assertEquals(mailchimpCampaign.path("settings").path("title").asText(), tracked.path("title").asText());
        assertEquals(mailchimpCampaign.path("settings").path("subject_line").asText(), tracked.path("subjectLine").asText());
        assertEquals(org.listId(), tracked.path("listId").asText());
        assertEquals(Instant.parse(mailchimpCampaign.path("send_time").asText().replace("+00:00", "Z")),
                Instant.parse(tracked.path("sendTime").asText()));
        assertEquals(mailchimpReport.path("emails_sent").asLong(), tracked.path("emailsSent").asLong());
        assertEquals(mailchimpReport.path("opens").path("open_rate").asDouble(), tracked.path("openRate").asDouble());
        assertEquals(mailchimpReport.path("clicks").path("click_rate").asDouble(), tracked.path("clickRate").asDouble());
        assertEquals(mailchimpReport.path("opens").path("unique_opens").asLong(), tracked.path("uniqueOpens").asLong());
        assertEquals(mailchimpReport.path("clicks").path("unique_clicks").asLong(), tracked.path("uniqueClicks").asLong());
        assertEquals(0.365, tracked.path("openRate").asDouble());
        assertEquals(200, tracked.path("emailsSent").asLong());
        assertNotNull(tracked.path("lastRefreshedAt").textValue());
        assertNotNull(tracked.path("createdAt").textValue());
        assertEquals(Set.of("id", "mailchimpCampaignId", "title", "subjectLine", "listId", "status", "sendTime",
                "emailsSent", "openRate", "clickRate", "uniqueOpens", "uniqueClicks", "lastRefreshedAt", "createdAt"),
                fieldNames(tracked), "exactly api.md's Campaign");

        JsonNode trackedDraft = mutation(org.token(), "trackCampaign", Map.of("mailchimpCampaignId", draft)).data();
        assertEquals("draft", trackedDraft.path("status").asText());
        for (String field : List.of("openRate", "clickRate", "uniqueOpens", "uniqueClicks", "sendTime")) {
            assertTrue(trackedDraft.path(field).isNull(), () -> field + " of a draft: " + trackedDraft);
        }
        Map<String, AttributeValue> draftItem = item(org, draft);
        assertFalse(draftItem.containsKey("lastRefreshError"), () -> "a draft is not an error: " + draftItem);

        // get and list read the stored records
        assertEquals(tracked, query(org.token(), "get", Map.of("id", sent)).data());
        JsonNode list = query(org.token(), "list", null).data();
        assertEquals(Set.of(sent, draft), ids(list.path("items")));
        assertTrue(list.path("nextCursor").isNull());

        // tracking again returns the existing record and asks Mailchimp nothing
        int mark = logSize();
        JsonNode again = mutation(org.token(), "trackCampaign", Map.of("mailchimpCampaignId", sent)).data();
        assertEquals(tracked, again);
        assertTrue(requestsFor(mark, Set.of(sent)).isEmpty(), "no Mailchimp call for an already tracked campaign");

        // an id Mailchimp does not know
        TrpcHttp.Answer unknown = mutation(org.token(), "trackCampaign", Map.of("mailchimpCampaignId", "0000000000"));
        assertEquals(404, unknown.status());
        assertEquals("NOT_FOUND", unknown.errorCode());
        assertTrue(unknown.message().startsWith("Mailchimp has no campaign with id 0000000000"), unknown.message());

        Set<String> audited = new HashSet<>();
        for (JsonNode entry : auditEntries(org)) {
            if (entry.path("action").asText().equals("campaign.tracked")) {
                audited.add(entry.path("targetId").asText());
                assertEquals("member-" + org.orgId(), entry.path("actor").asText().replace("user:", ""));
            }
        }
        assertEquals(Set.of(sent, draft), audited, "one audit entry per tracked campaign, none for the repeat");
    }

    // ------------------------------------------------------------------ acceptance 2

    @Test
    @DisplayName("2. stats changed in the sandbox: refreshStats and the scheduled job both pick the change up")
    void refreshPicksUpChanges() throws Exception {
        Org org = connectedOrg("refresh");
        String sent = createCampaign(org, "sent", Instant.now().minus(Duration.ofDays(2)), 500, report(100, 0.2, 10, 0.02));
        JsonNode tracked = mutation(org.token(), "trackCampaign", Map.of("mailchimpCampaignId", sent)).data();
        assertEquals(0.2, tracked.path("openRate").asDouble());

        patchCampaign(sent, Map.of("report", report(150, 0.3, 25, 0.05)));
        JsonNode manual = mutation(org.token(), "refreshStats", Map.of("id", sent)).data();
        assertEquals(0.3, manual.path("openRate").asDouble());
        assertEquals(0.05, manual.path("clickRate").asDouble());
        assertEquals(150, manual.path("uniqueOpens").asLong());
        assertEquals(25, manual.path("uniqueClicks").asLong());
        assertEquals(tracked.path("createdAt"), manual.path("createdAt"));
        assertEquals(manual, query(org.token(), "get", Map.of("id", sent)).data(), "the refresh is stored");
        assertTrue(auditEntries(org).stream().anyMatch(e -> e.path("action").asText().equals("campaign.statsRefreshed")
                && e.path("targetId").asText().equals(sent)), "manual refreshes are audited");

        patchCampaign(sent, Map.of("report", report(210, 0.42, 40, 0.08), "emailsSent", 505));
        int mark = logSize();
        fireRefreshJob();
        assertEquals(List.of("GET /3.0/campaigns/" + sent, "GET /3.0/reports/" + sent),
                requestsFor(mark, Set.of(sent)).stream().map(r -> r.path("method").asText() + " " + r.path("path").asText()).toList());
        JsonNode scheduled = query(org.token(), "get", Map.of("id", sent)).data();
        assertEquals(0.42, scheduled.path("openRate").asDouble());
        assertEquals(0.08, scheduled.path("clickRate").asDouble());
        assertEquals(210, scheduled.path("uniqueOpens").asLong());
        assertEquals(40, scheduled.path("uniqueClicks").asLong());
        assertEquals(505, scheduled.path("emailsSent").asLong());
        assertTrue(Instant.parse(scheduled.path("lastRefreshedAt").asText())
                .compareTo(Instant.parse(manual.path("lastRefreshedAt").asText())) >= 0);
    }

    // ------------------------------------------------------------------ acceptance 3

    @Test
    @DisplayName("3. the job asks Mailchimp for exactly the draft, the sending and the recently sent campaign")
    void scheduledJobRefreshesExactlyWhatIsDue() throws Exception {
        Org org = connectedOrg("due");
        String draft = createCampaign(org, "save", null, null, null);
        String sending = createCampaign(org, "sending", Instant.now().minus(Duration.ofMinutes(5)), 40, report(3, 0.075, 0, 0.0));
        String sent3 = createCampaign(org, "sent", Instant.now().minus(Duration.ofDays(3)), 120, report(60, 0.5, 12, 0.1));
        String sent40 = createCampaign(org, "sent", Instant.now().minus(Duration.ofDays(40)), 120, report(70, 0.58, 14, 0.11));
        String cancelled = createCampaign(org, "canceled", null, null, null);
        for (String id : List.of(draft, sending, sent3, sent40, cancelled)) {
            mutation(org.token(), "trackCampaign", Map.of("mailchimpCampaignId", id)).data();
        }
        assertEquals("cancelled", query(org.token(), "get", Map.of("id", cancelled)).data().path("status").asText());
        assertEquals("sending", query(org.token(), "get", Map.of("id", sending)).data().path("status").asText());

        Org gone = connectedOrg("disconnected");
        String goneDraft = createCampaign(gone, "save", null, null, null);
        mutation(gone.token(), "trackCampaign", Map.of("mailchimpCampaignId", goneDraft)).data();
        TrpcHttp.Answer disconnect = send("POST", cloud.apiUrl() + "/trpc/mailchimp.connection.disconnect", "{}",
                LocalCloudFixture.adminToken(gone.orgId()));
        assertEquals(200, disconnect.status(), () -> disconnect.body().toString());

        Set<String> mine = Set.of(draft, sending, sent3, sent40, cancelled, goneDraft);
        int mark = logSize();
        JsonNode summary = fireRefreshJob();
        assertTrue(summary.path("skippedDisconnected").asInt() >= 1, summary::toString);
        Set<String> asked = new HashSet<>();
        for (JsonNode r : requestsFor(mark, mine)) {
            assertEquals("GET", r.path("method").asText());
            asked.add(campaignIdOf(r.path("path").asText()));
        }
        assertEquals(Set.of(draft, sending, sent3), asked, "campaigns the job asked Mailchimp about");
        assertFalse(item(org, sent40).containsKey("refreshDue"), "sent 40 days ago: out of the refresh index");
        assertFalse(item(org, cancelled).containsKey("refreshDue"), "cancelled: never in the refresh index");
        assertTrue(item(org, sent3).containsKey("refreshDue"), "sent 3 days ago: still inside the window");
        assertTrue(item(gone, goneDraft).containsKey("refreshDue"), "a disconnected org's campaigns wait for it");

        // and again: the same set, the 40-day-old campaign is not even considered any more
        int second = logSize();
        fireRefreshJob();
        Set<String> askedAgain = new HashSet<>();
        requestsFor(second, mine).forEach(r -> askedAgain.add(campaignIdOf(r.path("path").asText())));
        assertEquals(Set.of(draft, sending, sent3), askedAgain);
    }

    // ------------------------------------------------------------------ acceptance 4

    @Test
    @DisplayName("4. Mailchimp failing for one org (5xx, then 429s): the others are refreshed, the failure is recorded; deleted campaigns stop")
    void failuresStayLocal() throws Exception {
        Org healthy = connectedOrg("healthy");
        Org failing = connectedOrg("failing");
        String healthySent = createCampaign(healthy, "sent", Instant.now().minus(Duration.ofDays(1)), 80, report(20, 0.25, 4, 0.05));
        String doomed = createCampaign(healthy, "save", null, null, null);
        String failingSent = createCampaign(failing, "sent", Instant.now().minus(Duration.ofDays(1)), 90, report(9, 0.1, 1, 0.011));
        String failingDraft = createCampaign(failing, "save", null, null, null);
        for (String id : List.of(healthySent, doomed)) {
            mutation(healthy.token(), "trackCampaign", Map.of("mailchimpCampaignId", id)).data();
        }
        for (String id : List.of(failingSent, failingDraft)) {
            mutation(failing.token(), "trackCampaign", Map.of("mailchimpCampaignId", id)).data();
        }
        patchCampaign(healthySent, Map.of("report", report(30, 0.375, 6, 0.075)));
        patchCampaign(failingSent, Map.of("report", report(18, 0.2, 2, 0.022)));
        send("DELETE", cloud.sandboxUrl() + "/campaigns/" + doomed, null, null, healthy.apiKey());
        addFault(Map.of("apiKey", failing.apiKey(), "kind", "status", "status", 500, "count", 3));
        addFault(Map.of("apiKey", failing.apiKey(), "kind", "status", "status", 429));

        int mark = logSize();
        fireRefreshJob();

        assertEquals(0.375, query(healthy.token(), "get", Map.of("id", healthySent)).data().path("openRate").asDouble(),
                "the healthy org is refreshed although the other one fails");
        Set<Integer> failingStatuses = new HashSet<>();
        requestsFor(mark, Set.of(failingSent, failingDraft)).forEach(r -> failingStatuses.add(r.path("status").asInt()));
        assertEquals(Set.of(500, 429), failingStatuses, "the failing org saw 5xx, then 429s");
        for (String id : List.of(failingSent, failingDraft)) {
            Map<String, AttributeValue> record = item(failing, id);
            assertTrue(record.containsKey("lastRefreshError"), () -> "failure recorded on " + id + ": " + record);
            assertTrue(record.get("lastRefreshError").s().matches("(RATE_LIMITED|UNAVAILABLE).*"), record::toString);
            assertTrue(record.containsKey("refreshDue"), "a failed campaign stays due");
        }
        assertEquals(0.1, query(failing.token(), "get", Map.of("id", failingSent)).data().path("openRate").asDouble(),
                "the failing org keeps its last good stats");
        assertTrue(auditEntries(failing).stream().anyMatch(e -> e.path("action").asText().equals("campaigns.refreshFailed")),
                "the failure is audited for the failing org");

        Map<String, AttributeValue> deleted = item(healthy, doomed);
        assertTrue(deleted.containsKey("deletedInMailchimpAt"), deleted::toString);
        assertFalse(deleted.containsKey("refreshDue"), "a campaign deleted in Mailchimp leaves the refresh index");
        assertTrue(auditEntries(healthy).stream().anyMatch(e -> e.path("action").asText().equals("campaign.deletedInMailchimp")
                && e.path("targetId").asText().equals(doomed)));
        assertEquals(200, query(healthy.token(), "get", Map.of("id", doomed)).status(), "our record stays readable");

        // Mailchimp recovers: the failing org catches up, the deleted campaign is not asked for again.
        send("DELETE", sandboxControl() + "/faults", null, null);
        int second = logSize();
        fireRefreshJob();
        assertTrue(requestsFor(second, Set.of(doomed)).isEmpty(), "no request for the deleted campaign");
        assertEquals(0.2, query(failing.token(), "get", Map.of("id", failingSent)).data().path("openRate").asDouble());
        assertFalse(item(failing, failingSent).containsKey("lastRefreshError"), "a successful refresh clears the error");
    }

    // ------------------------------------------------------------------ acceptance 5

    @Test
    @DisplayName("5. another org cannot read, refresh or track into this org's campaigns")
    void otherOrgsSeeNothing() throws Exception {
        Org owner = connectedOrg("owner");
        Org intruder = connectedOrg("intruder");
        String campaign = createCampaign(owner, "sent", Instant.now().minus(Duration.ofDays(1)), 50, report(5, 0.1, 1, 0.02));
        JsonNode tracked = mutation(owner.token(), "trackCampaign", Map.of("mailchimpCampaignId", campaign)).data();
        String missing = "ffffffffff";

        TrpcHttp.Answer read = query(intruder.token(), "get", Map.of("id", campaign));
        TrpcHttp.Answer readMissing = query(intruder.token(), "get", Map.of("id", missing));
        assertEquals(404, read.status());
        assertEquals("NOT_FOUND", read.errorCode());
        assertEquals(readMissing.message().replace(missing, campaign), read.message(), "indistinguishable from a missing id");

        int mark = logSize();
        TrpcHttp.Answer refresh = mutation(intruder.token(), "refreshStats", Map.of("id", campaign));
        assertEquals(404, refresh.status());
        assertEquals(mutation(intruder.token(), "refreshStats", Map.of("id", missing)).message().replace(missing, campaign),
                refresh.message());
        assertTrue(requestsFor(mark, Set.of(campaign)).isEmpty(), "no Mailchimp call on another org's behalf");

        TrpcHttp.Answer track = mutation(intruder.token(), "trackCampaign", Map.of("mailchimpCampaignId", campaign));
        assertEquals(404, track.status());
        assertTrue(track.message().startsWith("Mailchimp has no campaign with id " + campaign), track.message());
        assertTrue(query(intruder.token(), "list", null).data().path("items").isEmpty(), "nothing tracked into the intruder's org");
        assertEquals(tracked, query(owner.token(), "get", Map.of("id", campaign)).data(), "the owner's record is untouched");
        assertTrue(auditEntries(intruder).stream().noneMatch(e -> e.path("action").asText().startsWith("campaign")));
    }

    // ------------------------------------------------------------------ issue 13: pick from recent campaigns

    @Test
    @DisplayName("recent: the account's newest campaigns as the sandbox lists them, tracked ones marked, limit checked")
    void recentCampaignsToPickFrom() throws Exception {
        Org org = connectedOrg("recent");
        String sent = createCampaign(org, "sent", Instant.now().minus(Duration.ofDays(3)), 40, report(10, 0.25, 2, 0.05));
        String draft = createCampaign(org, "save", null, null, null);
        mutation(org.token(), "trackCampaign", Map.of("mailchimpCampaignId", sent));

        JsonNode recent = query(org.token(), "recent", Map.of("limit", 50)).data();
        JsonNode mailchimp = marketingGet(org, "/campaigns?count=50&sort_field=create_time&sort_dir=DESC");
        List<String> expectedOrder = new ArrayList<>();
        mailchimp.path("campaigns").forEach(c -> expectedOrder.add(c.path("id").asText()));
        List<String> order = new ArrayList<>();
        recent.forEach(c -> order.add(c.path("mailchimpCampaignId").asText()));
        assertEquals(expectedOrder, order, "the sandbox's order, newest first");
        assertTrue(order.containsAll(List.of(sent, draft)), () -> order.toString());
        for (int i = 1; i < mailchimp.path("campaigns").size(); i++) {
            String newer = mailchimp.path("campaigns").get(i - 1).path("create_time").asText();
            String older = mailchimp.path("campaigns").get(i).path("create_time").asText();
            assertTrue(newer.compareTo(older) >= 0, () -> "newest first: " + newer + " before " + older);
        }
        for (JsonNode c : recent) {
            assertEquals(Set.of("mailchimpCampaignId", "title", "subjectLine", "listId", "status", "sendTime", "tracked"),
                    fieldNames(c), "exactly api.md's recent campaign");
            assertEquals(c.path("mailchimpCampaignId").asText().equals(sent), c.path("tracked").asBoolean(), c::toString);
        }
        JsonNode sentEntry = find(recent, sent);
        JsonNode mailchimpSent = marketingGet(org, "/campaigns/" + sent);
        assertEquals(mailchimpSent.path("settings").path("title").asText(), sentEntry.path("title").asText());
        assertEquals(mailchimpSent.path("settings").path("subject_line").asText(), sentEntry.path("subjectLine").asText());
        assertEquals(org.listId(), sentEntry.path("listId").asText());
        assertEquals("sent", sentEntry.path("status").asText());
        assertEquals(Instant.parse(mailchimpSent.path("send_time").asText().replace("+00:00", "Z")),
                Instant.parse(sentEntry.path("sendTime").asText()));
        JsonNode draftEntry = find(recent, draft);
        assertEquals("draft", draftEntry.path("status").asText());
        assertTrue(draftEntry.path("sendTime").isNull(), draftEntry::toString);

        // the default is 20, a limit bounds it, and nothing is written or audited by asking
        assertEquals(Math.min(20, expectedOrder.size()), query(org.token(), "recent", null).data().size());
        assertEquals(expectedOrder.subList(0, 1), List.of(query(org.token(), "recent", Map.of("limit", 1)).data()
                .path(0).path("mailchimpCampaignId").asText()));
        TrpcHttp.Answer tooMany = query(org.token(), "recent", Map.of("limit", 51));
        assertEquals(400, tooMany.status());
        assertTrue(tooMany.message().contains("limit: expected a whole number from 1 to 50"), tooMany.message());
        assertEquals(Set.of(sent), ids(query(org.token(), "list", null).data().path("items")), "asking tracks nothing");

        // another org's account is not this org's: its campaigns never show here, and without a connection: 412
        Org other = connectedOrg("recent-other");
        String othersCampaign = createCampaign(other, "save", null, null, null);
        List<String> seen = new ArrayList<>();
        query(org.token(), "recent", Map.of("limit", 50)).data().forEach(c -> seen.add(c.path("mailchimpCampaignId").asText()));
        assertFalse(seen.contains(othersCampaign), "another account's campaign");
        TrpcHttp.Answer unconnected = query(LocalCloudFixture.memberToken("campaigns-recent-none-" + UUID.randomUUID()), "recent", null);
        assertEquals(412, unconnected.status(), unconnected::toString);
    }

    private static JsonNode find(JsonNode recent, String id) {
        for (JsonNode c : recent) {
            if (c.path("mailchimpCampaignId").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError(id + " not in " + recent);
    }

    // ------------------------------------------------------------------ helpers

    private Org connectedOrg(String name) throws Exception {
        String orgId = "campaigns-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
        String apiKey = UUID.randomUUID().toString().replace("-", "") + "-us1";
        ObjectNode account = JSON.createObjectNode().put("apiKey", apiKey).put("accountName", orgId).put("seed", true);
        TrpcHttp.Answer created = send("POST", sandboxControl() + "/accounts", JSON.writeValueAsString(account), null);
        assertEquals(201, created.status(), () -> created.body().toString());
        String listId = created.body().path("lists").path(0).path("id").asText();
        TrpcHttp.Answer connected = send("POST", cloud.apiUrl() + "/trpc/mailchimp.connection.connect",
                JSON.writeValueAsString(Map.of("apiKey", apiKey)), LocalCloudFixture.adminToken(orgId));
        assertEquals(200, connected.status(), () -> connected.body().toString());
        return new Org(orgId, apiKey, listId);
    }

    private static Map<String, Object> report(int uniqueOpens, double openRate, int uniqueClicks, double clickRate) {
        return Map.of("uniqueOpens", uniqueOpens, "openRate", openRate, "uniqueClicks", uniqueClicks, "clickRate", clickRate);
    }

    private String createCampaign(Org org, String status, Instant sendTime, Integer emailsSent, Map<String, Object> report)
            throws Exception {
        ObjectNode body = JSON.createObjectNode().put("apiKey", org.apiKey()).put("status", status)
                .put("listId", org.listId()).put("title", status + " campaign of " + org.orgId())
                .put("subjectLine", "Subject " + status);
        if (sendTime != null) {
            body.put("sendTime", sendTime.toString());
        }
        if (emailsSent != null) {
            body.put("emailsSent", emailsSent);
        }
        if (report != null) {
            body.set("report", JSON.valueToTree(report));
        }
        TrpcHttp.Answer created = send("POST", sandboxControl() + "/campaigns", JSON.writeValueAsString(body), null);
        assertEquals(201, created.status(), () -> created.body().toString());
        return created.body().path("id").asText();
    }

    private void patchCampaign(String id, Map<String, Object> changes) throws Exception {
        TrpcHttp.Answer patched = send("PATCH", sandboxControl() + "/campaigns/" + id, JSON.writeValueAsString(changes), null);
        assertEquals(200, patched.status(), () -> patched.body().toString());
    }

    private void addFault(Map<String, Object> rule) throws Exception {
        faultKeys.add(String.valueOf(rule.get("apiKey")));
        TrpcHttp.Answer added = send("POST", sandboxControl() + "/faults", JSON.writeValueAsString(rule), null);
        assertEquals(201, added.status(), () -> added.body().toString());
    }

    private JsonNode marketingGet(Org org, String path) throws Exception {
        TrpcHttp.Answer answer = send("GET", cloud.sandboxUrl() + path, null, null, org.apiKey());
        assertEquals(200, answer.status(), () -> answer.body().toString());
        return answer.body();
    }

    private JsonNode fireRefreshJob() throws Exception {
        TrpcHttp.Answer fired = send("POST", cloud.apiUrl() + "/_local/schedules/" + REFRESH_FUNCTION, "", null);
        assertEquals(200, fired.status(), () -> "the scheduled function failed: " + fired.body());
        return fired.body();
    }

    private int logSize() throws Exception {
        return send("GET", sandboxControl() + "/requests", null, null).body().size();
    }

    /** Marketing API requests after {@code mark} that name one of {@code campaignIds} in their path. */
    private List<JsonNode> requestsFor(int mark, Set<String> campaignIds) throws Exception {
        JsonNode log = send("GET", sandboxControl() + "/requests", null, null).body();
        List<JsonNode> out = new ArrayList<>();
        for (int i = mark; i < log.size(); i++) {
            String id = campaignIdOf(log.get(i).path("path").asText());
            if (id != null && campaignIds.contains(id)) {
                out.add(log.get(i));
            }
        }
        return out;
    }

    private static String campaignIdOf(String path) {
        String[] parts = path.split("/");
        // /3.0/campaigns/{id} or /3.0/reports/{id}
        return parts.length == 4 && (parts[2].equals("campaigns") || parts[2].equals("reports")) ? parts[3] : null;
    }

    private Map<String, AttributeValue> item(Org org, String campaignId) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName("CampaignsTable").consistentRead(true)
                .key(Map.of("orgId", AttributeValue.fromS(org.orgId()), "campaignId", AttributeValue.fromS(campaignId)))).item();
        assertTrue(item != null && !item.isEmpty(), () -> "no record for " + campaignId);
        return item;
    }

    private List<JsonNode> auditEntries(Org org) throws Exception {
        TrpcHttp.Answer answer = send("GET", cloud.apiUrl() + "/trpc/mailchimp.audit.list?input="
                + URLEncoder.encode("{\"limit\":100}", StandardCharsets.UTF_8), null, org.token());
        List<JsonNode> out = new ArrayList<>();
        answer.data().path("items").forEach(out::add);
        return out;
    }

    private static TrpcHttp.Answer query(String token, String procedure, Map<String, Object> input) {
        return TrpcHttp.query(token, "mailchimp.campaigns." + procedure, input);
    }

    private static TrpcHttp.Answer mutation(String token, String procedure, Map<String, Object> input) {
        return TrpcHttp.mutation(token, "mailchimp.campaigns." + procedure, input);
    }

    private static String sandboxControl() {
        String base = cloud.sandboxUrl();
        return base.substring(0, base.length() - "/3.0".length()) + "/_sandbox";
    }

    private TrpcHttp.Answer send(String method, String url, String body, String token) throws Exception {
        return send(method, url, body, token, null);
    }

    private TrpcHttp.Answer send(String method, String url, String body, String token, String mailchimpKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (mailchimpKey != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("test:" + mailchimpKey).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode parsed = response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
        return new TrpcHttp.Answer(response.statusCode(), parsed);
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> ids(JsonNode items) {
        Set<String> out = new HashSet<>();
        items.forEach(i -> out.add(i.path("id").asText()));
        return out;
    }
}
