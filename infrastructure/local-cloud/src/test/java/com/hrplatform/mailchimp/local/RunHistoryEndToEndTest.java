package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.segment.ScheduledSyncService;
import com.hrplatform.mailchimp.segment.SegmentRepository;
import com.hrplatform.mailchimp.segment.SyncQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Issue 13, "Run history", end to end: runs through the API (manual) and the 05:00 fan-out's message (daily), listed
 * newest first with a cursor, their per-member skips and failures with reasons and the address read from the
 * directory at read time (masked for members, gone once erased), the 31st run trimming the oldest, a redelivered end
 * of run told once, and another org seeing nothing.
 */
class RunHistoryEndToEndTest {
    @BeforeAll
    static void start() {
        cloud();
    }

    @Test
    @DisplayName("runs newest first with trigger, outcome and counts; skips and failures with reasons, masked for members")
    void runsAndTheirSkipsAndFailures() {
        Org org = connectedOrg("runs");
        String ada = unique("ada") + "@example.com";
        String bob = unique("bob") + "@example.com";
        importContacts(org, List.of(employee("emp-ada", ada), employee("emp-bob", bob)));
        mutation(org.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-bob",
                "entityType", "employee", "optedIn", false, "source", "preference-centre")).data();
        String segmentId = segment(org, "Engineering H", org.employeesList());
        JsonNode first = sync(org, segmentId).path("lastRun");
        assertEquals("manual", first.path("trigger").asText(), () -> "the summary tells the trigger: " + first);

        // A field the audience now requires fails the next new person; bob stays skipped.
        control("POST", "/_sandbox/lists/" + org.employeesList() + "/merge-fields",
                Map.of("apiKey", org.apiKey(), "tag", "PHONE", "required", true));
        String rex = unique("rex") + "@example.com";
        importContacts(org, List.of(employee("emp-rex", rex)));
        // The import reaches Mailchimp by itself within seconds (changes within minutes): a run of trigger change.
        JsonNode[] changeRun = new JsonNode[1];
        await(Duration.ofSeconds(60), () -> {
            for (JsonNode run : query(org.member(), "mailchimp.segments.runs", Map.of("id", segmentId)).data().path("items")) {
                if ("change".equals(run.path("trigger").asText())) {
                    changeRun[0] = run;
                }
            }
            return changeRun[0] != null;
        }, () -> "the import's change run is not in the history");
        assertEquals(1, changeRun[0].path("failed").asInt(), changeRun[0]::toString);
        JsonNode second = sync(org, segmentId).path("lastRun");

        JsonNode runs = query(org.member(), "mailchimp.segments.runs", Map.of("id", segmentId)).data();
        assertEquals(3, runs.path("items").size(), runs::toString);
        assertTrue(runs.path("nextCursor").isNull(), runs::toString);
        JsonNode newest = runs.path("items").get(0);
        assertEquals(changeRun[0].path("runId"), runs.path("items").get(1).path("runId"), "the change run in between");
        JsonNode oldest = runs.path("items").get(2);
        assertEquals(second.path("runId").asText(), newest.path("runId").asText(), "newest first");
        assertEquals(first.path("runId").asText(), oldest.path("runId").asText());
        for (JsonNode run : List.of(newest, oldest)) {
            assertEquals("manual", run.path("trigger").asText());
            assertEquals("synced", run.path("outcome").asText());
            assertNotNull(run.path("startedAt").textValue());
            assertNotNull(run.path("finishedAt").textValue());
            assertEquals(1, run.path("skipped").path("no_consent").asInt(), run::toString);
            assertFalse(run.path("issuesCapped").asBoolean());
        }
        assertEquals(1, oldest.path("added").asInt());
        assertEquals(0, oldest.path("failed").asInt());
        assertEquals(1, oldest.path("issuesKept").asInt());
        assertEquals(1, newest.path("failed").asInt(), newest::toString);
        assertEquals(2, newest.path("issuesKept").asInt());
        assertEquals(first.path("startedAt").asText(), oldest.path("startedAt").asText());
        assertEquals(first.path("finishedAt").asText(), oldest.path("finishedAt").asText());

        // One per page, with a cursor.
        JsonNode page1 = query(org.member(), "mailchimp.segments.runs", Map.of("id", segmentId, "limit", 1)).data();
        assertEquals(1, page1.path("items").size());
        assertEquals(newest.path("runId"), page1.path("items").get(0).path("runId"));
        String cursor = page1.path("nextCursor").asText();
        JsonNode page2 = query(org.member(), "mailchimp.segments.runs", Map.of("id", segmentId, "limit", 1,
                "cursor", cursor)).data();
        assertEquals(changeRun[0].path("runId"), page2.path("items").get(0).path("runId"));

        // The newer run's skips and failures: masked for a member, in full for an admin.
        String runId = newest.path("runId").asText();
        Map<String, JsonNode> asMember = byEntity(query(org.member(), "mailchimp.segments.runIssues",
                Map.of("id", segmentId, "runId", runId)).data());
        Map<String, JsonNode> asAdmin = byEntity(query(org.admin(), "mailchimp.segments.runIssues",
                Map.of("id", segmentId, "runId", runId)).data());
        assertEquals(2, asMember.size(), asMember::toString);
        JsonNode bobRow = asMember.get("emp-bob");
        assertEquals("skipped", bobRow.path("kind").asText());
        assertEquals("no_consent", bobRow.path("reason").asText());
        assertTrue(bobRow.path("message").asText().contains("opted out"), bobRow::toString);
        assertEquals(bob.charAt(0) + "***@example.com", bobRow.path("email").asText(), "masked for a member");
        JsonNode rexRow = asMember.get("emp-rex");
        assertEquals("failed", rexRow.path("kind").asText());
        assertEquals("refused", rexRow.path("reason").asText());
        assertTrue(rexRow.path("message").asText().contains("PHONE"), rexRow::toString);
        assertEquals("r***@example.com", rexRow.path("email").asText());
        assertEquals(bob, asAdmin.get("emp-bob").path("email").asText(), "in full for an admin");
        assertEquals(rex, asAdmin.get("emp-rex").path("email").asText());
        assertEquals("employee", asAdmin.get("emp-rex").path("entityType").asText());

        // Erased: the history has no address of bob's left to show (it never stored one).
        mutation(org.admin(), "mailchimp.preferences.gdprDelete", Map.of("entityId", "emp-bob", "entityType", "employee")).data();
        Map<String, JsonNode> afterErasure = byEntity(query(org.admin(), "mailchimp.segments.runIssues",
                Map.of("id", segmentId, "runId", runId)).data());
        assertTrue(afterErasure.get("emp-bob").path("email").isNull(), () -> "no address: " + afterErasure);
        assertEquals(rex, afterErasure.get("emp-rex").path("email").asText());
        for (Map<String, AttributeValue> item : historyItems(org, segmentId)) {
            assertFalse(item.toString().contains("@") || item.toString().contains(subscriberHash(bob)),
                    () -> "no address, no subscriber hash in the history: " + item);
        }

        // Another org: the segment is not found, and nothing of it is listed.
        Org other = connectedOrg("runs-other");
        for (String token : List.of(other.member(), other.admin())) {
            TrpcHttp.Answer runsElsewhere = query(token, "mailchimp.segments.runs", Map.of("id", segmentId));
            assertEquals(404, runsElsewhere.status(), runsElsewhere.body()::toString);
            assertEquals("NOT_FOUND", runsElsewhere.errorCode());
            TrpcHttp.Answer issuesElsewhere = query(token, "mailchimp.segments.runIssues",
                    Map.of("id", segmentId, "runId", runId));
            assertEquals(404, issuesElsewhere.status());
            assertFalse(issuesElsewhere.body().toString().contains("example.com"));
        }
        // A run of another segment, or none, is not found either.
        assertEquals(404, query(org.admin(), "mailchimp.segments.runIssues", Map.of("id", segmentId, "runId", "nope")).status());

        // Validation names the field.
        for (int limit : new int[]{0, 31}) {
            TrpcHttp.Answer bad = query(org.member(), "mailchimp.segments.runs", Map.of("id", segmentId, "limit", limit));
            assertEquals(400, bad.status());
            assertTrue(bad.message().contains("limit"), bad::message);
        }
        TrpcHttp.Answer noId = query(org.member(), "mailchimp.segments.runIssues", Map.of("runId", runId));
        assertEquals(400, noId.status());
        assertTrue(noId.message().contains("id: required"), noId::message);
        TrpcHttp.Answer badCursor = query(org.member(), "mailchimp.segments.runs", Map.of("id", segmentId, "cursor", "x"));
        assertEquals(400, badCursor.status());
        assertTrue(badCursor.message().contains("cursor"), badCursor::message);
    }

    @Test
    @DisplayName("the 05:00 fan-out's run is listed as daily, and its redelivered end is told once")
    void dailyRunAndARedeliveredEnd() throws Exception {
        Org org = connectedOrg("runs-daily");
        importContacts(org, List.of(employee("emp-cy", unique("cy") + "@example.com"),
                employee("emp-di", unique("di") + "@example.com")));
        mutation(org.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-di",
                "entityType", "employee", "optedIn", false, "source", "preference-centre")).data();
        String segmentId = segment(org, "Engineering D", org.employeesList());

        LocalCloud cloud = cloud();
        try (SqsClient sqs = SqsClient.builder().endpointOverride(URI.create(cloud.sqsEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            // The real fan-out, onto a queue of this test's own (it asks for every org of the cloud), then this
            // org's message onto the sync queue, as the fan-out would have put it.
            String fanOutQueue = sqs.createQueue(request -> request.queueName("runs-" + UUID.randomUUID() + ".fifo")
                    .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
            new ScheduledSyncService(new ConnectionRepository(dynamo(), "ConnectionsTable"),
                    new SegmentRepository(dynamo(), "SegmentsTable"), new SyncQueue(sqs, fanOutQueue),
                    MetricsFactory.getMetricsInstance(), Executors.newFixedThreadPool(2), Clock.systemUTC()).fanOut();
            String body = null;
            for (Message message : drain(sqs, fanOutQueue)) {
                if (JSON.readTree(message.body()).path("segmentId").asText().equals(segmentId)) {
                    body = message.body();
                }
            }
            assertNotNull(body, "the fan-out asked for the segment's run");
            String daily = JSON.readTree(body).path("runId").asText();
            String message = body;
            sqs.sendMessage(request -> request.queueUrl(cloud.queueUrl("SegmentSyncQueue")).messageGroupId(org.orgId())
                    .messageDeduplicationId(daily + "-first").messageBody(message));
            await(Duration.ofSeconds(60), () -> ended(org, daily) == 1, () -> "the daily run did not end");
            JsonNode runs = query(org.member(), "mailchimp.segments.runs", Map.of("id", segmentId)).data();
            assertEquals(1, runs.path("items").size(), runs::toString);
            assertEquals("daily", runs.path("items").get(0).path("trigger").asText());
            assertEquals(daily, runs.path("items").get(0).path("runId").asText());
            JsonNode event = platformEvents(org).stream()
                    .filter(e -> e.path("detail-type").asText().equals("Sync Run Ended")).findFirst().orElseThrow();
            assertEquals("daily", event.path("detail").path("trigger").asText());

            // The run's first message again, after its end: told again (the event), listed once, its skip once.
            sqs.sendMessage(request -> request.queueUrl(cloud.queueUrl("SegmentSyncQueue")).messageGroupId(org.orgId())
                    .messageDeduplicationId(daily + "-again").messageBody(message));
            await(Duration.ofSeconds(60), () -> ended(org, daily) == 2, () -> "the redelivery was not handled");
            JsonNode again = query(org.member(), "mailchimp.segments.runs", Map.of("id", segmentId)).data();
            assertEquals(runs.path("items"), again.path("items"), "the same run, once");
            JsonNode issues = query(org.admin(), "mailchimp.segments.runIssues", Map.of("id", segmentId, "runId", daily)).data();
            assertEquals(1, issues.path("items").size(), issues::toString);
            assertEquals("emp-di", issues.path("items").get(0).path("entityId").asText());
        }
    }

    @Test
    @DisplayName("each segment keeps its last 30 runs: the 31st trims the oldest with its skips")
    void theThirtyFirstRunTrimsTheOldest() {
        Org org = connectedOrg("runs-trim");
        importContacts(org, List.of(employee("emp-ed", unique("ed") + "@example.com"),
                employee("emp-fi", unique("fi") + "@example.com")));
        mutation(org.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-fi",
                "entityType", "employee", "optedIn", false, "source", "preference-centre")).data();
        String segmentId = segment(org, "Engineering T", org.employeesList());
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < 31; i++) {
            runIds.add(sync(org, segmentId).path("lastRun").path("runId").asText());
        }
        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> input = new HashMap<>(Map.of("id", segmentId, "limit", 7));
            if (cursor != null) {
                input.put("cursor", cursor);
            }
            JsonNode page = query(org.member(), "mailchimp.segments.runs", input).data();
            page.path("items").forEach(run -> listed.add(run.path("runId").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        List<String> expected = new ArrayList<>(runIds.subList(1, 31));
        java.util.Collections.reverse(expected);
        assertEquals(expected, listed, "the newest 30, newest first, the oldest gone");
        assertEquals(404, query(org.admin(), "mailchimp.segments.runIssues",
                Map.of("id", segmentId, "runId", runIds.get(0))).status());

        // In the table: 30 runs and 30 chunks of skips (one each), nothing of the trimmed run.
        List<Map<String, AttributeValue>> items = historyItems(org, segmentId);
        assertEquals(30, items.stream().filter(item -> item.get("sk").s().startsWith("run#")).count());
        assertEquals(30, items.stream().filter(item -> item.get("sk").s().startsWith("issues#")).count());
        assertTrue(items.stream().noneMatch(item -> item.get("runId").s().equals(runIds.get(0))), "the oldest is gone");
        assertTrue(items.stream().allMatch(item -> item.containsKey("expiresAt")), "every item expires");
    }

    /** Every item of the segment's partition of the history table. */
    private static List<Map<String, AttributeValue>> historyItems(Org org, String segmentId) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var response = dynamo().query(QueryRequest.builder().tableName("SegmentRunsTable")
                    .keyConditionExpression("orgSegment = :p")
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(org.orgId() + "#" + segmentId)))
                    .exclusiveStartKey(start).build());
            items.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    private static int ended(Org org, String runId) {
        return (int) platformEvents(org).stream().filter(e -> e.path("detail-type").asText().equals("Sync Run Ended")
                && e.path("detail").path("runId").asText().equals(runId)).count();
    }

    private static Map<String, JsonNode> byEntity(JsonNode page) {
        assertNull(page.path("nextCursor").textValue(), "one page");
        Map<String, JsonNode> rows = new HashMap<>();
        page.path("items").forEach(row -> rows.put(row.path("entityId").asText(), row));
        return rows;
    }

    private static List<Message> drain(SqsClient sqs, String queueUrl) {
        List<Message> messages = new ArrayList<>();
        while (true) {
            var received = sqs.receiveMessage(request -> request.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).visibilityTimeout(300)).messages();
            if (received.isEmpty()) {
                return messages;
            }
            messages.addAll(received);
            received.forEach(message -> sqs.deleteMessage(request -> request.queueUrl(queueUrl)
                    .receiptHandle(message.receiptHandle())));
        }
    }
}
