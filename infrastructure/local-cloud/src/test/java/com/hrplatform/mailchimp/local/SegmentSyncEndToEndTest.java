package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3, acceptance 1-5, end to end: contacts imported through the API, segments created and synced
 * through the API, the SegmentSyncFunction fed by the FIFO queue in ElasticMQ, and the Mailchimp
 * sandbox checked for exactly who is in the audience and in the segment's tag. Each test has its own
 * org and sandbox account.
 */
class SegmentSyncEndToEndTest {
    private static final String[] DEPARTMENTS = {"Engineering", "Sales", "Support", "Finance"};
    private static final String[] LOCATIONS = {"Berlin", "London", "Lisbon"};
    /** Seeded in every sandbox account's "Employees" audience as unsubscribed. */
    private static final String UNSUBSCRIBED_IN_MAILCHIMP = "dan.optout@example.com";

    record Person(String entityId, String entityType, String email, String firstName, String lastName,
                  String department, String location) {
        Map<String, Object> asInput() {
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("entityId", entityId);
            input.put("entityType", entityType);
            input.put("email", email);
            input.put("firstName", firstName);
            input.put("lastName", lastName);
            input.put("department", department);
            input.put("location", location);
            input.put("employmentType", "full-time");
            input.put("employmentStatus", "active");
            return input;
        }
    }

    record Org(String orgId, String apiKey, String listId) {
        String admin() {
            return LocalCloudFixture.adminToken(orgId);
        }
    }

    private final List<String> faultKeys = new ArrayList<>();

    @BeforeAll
    static void startCloud() {
        LocalCloudFixture.get();
    }

    @AfterEach
    void clearFaults() {
        if (!faultKeys.isEmpty()) {
            SandboxControl.control("DELETE", "/_sandbox/faults", null);
        }
    }

    private static Org newOrg() {
        String orgId = "org-" + UUID.randomUUID();
        JsonNode account = SandboxControl.newAccount("Sync " + orgId);
        String apiKey = account.path("apiKey").asText();
        TrpcHttp.mutation(LocalCloudFixture.adminToken(orgId), "mailchimp.connection.connect", Map.of("apiKey", apiKey)).data();
        return new Org(orgId, apiKey, SandboxControl.listId(account, "Employees"));
    }

    private static List<Person> people(String tag, int employees, int vendors) {
        List<Person> people = new ArrayList<>();
        for (int i = 0; i < employees; i++) {
            people.add(new Person("e" + i, "employee", "employee" + i + "." + tag + "@example.com", "First" + i,
                    "Last" + i, DEPARTMENTS[i % DEPARTMENTS.length], LOCATIONS[i % LOCATIONS.length]));
        }
        for (int i = 0; i < vendors; i++) {
            people.add(new Person("v" + i, "vendor", "vendor" + i + "." + tag + "@example.com", "Vendor" + i,
                    "Supplier", DEPARTMENTS[i % DEPARTMENTS.length], LOCATIONS[i % LOCATIONS.length]));
        }
        return people;
    }

    private static void importAll(Org org, List<Person> people) {
        for (int from = 0; from < people.size(); from += 1000) {
            List<Map<String, Object>> chunk = people.subList(from, Math.min(people.size(), from + 1000)).stream()
                    .map(Person::asInput).toList();
            JsonNode result = TrpcHttp.mutation(org.admin(), "mailchimp.contacts.import", Map.of("contacts", chunk)).data();
            assertEquals(0, result.path("rejected").size(), () -> "rejected: " + result);
        }
    }

    private static String createSegment(Org org, String name, String type, Map<String, Object> filter) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", name);
        input.put("segmentType", type);
        input.put("mailchimpListId", org.listId());
        input.put("filterCriteria", filter);
        JsonNode segment = TrpcHttp.mutation(org.admin(), "mailchimp.segments.create", input).data();
        assertEquals("pending", segment.path("status").asText());
        return segment.path("id").asText();
    }

    /** Starts a sync and waits until the segment leaves "syncing"; answers the segment. */
    private static JsonNode syncAndWait(Org org, String segmentId) {
        JsonNode started = TrpcHttp.mutation(org.admin(), "mailchimp.segments.sync", Map.of("id", segmentId)).data();
        assertEquals("syncing", started.path("status").asText());
        String runId = started.path("runId").asText();
        return awaitRun(org, segmentId, runId, Duration.ofSeconds(120));
    }

    /** An edit of who the segment holds starts its run (issue 13, changes within minutes): waits for that run. */
    private static JsonNode awaitEditRun(Org org, String segmentId, JsonNode edited, String previousRunId) {
        assertEquals("syncing", edited.path("status").asText(), "the edit started a run");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            JsonNode segment = TrpcHttp.query(org.admin(), "mailchimp.segments.get", Map.of("id", segmentId)).data();
            if (!"syncing".equals(segment.path("status").asText())
                    && !previousRunId.equals(segment.path("lastRun").path("runId").asText())) {
                return segment;
            }
            pause();
        }
        throw new AssertionError("The edit's run did not finish");
    }

    private static JsonNode awaitRun(Org org, String segmentId, String runId, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonNode segment = TrpcHttp.query(org.admin(), "mailchimp.segments.get", Map.of("id", segmentId)).data();
            if (!"syncing".equals(segment.path("status").asText())
                    && runId.equals(segment.path("lastRun").path("runId").asText())) {
                return segment;
            }
            pause();
        }
        throw new AssertionError("The sync did not finish within " + timeout);
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> emails(List<Person> people, Predicate<Person> filter) {
        return people.stream().filter(filter).map(Person::email).collect(Collectors.toSet());
    }

    /** Our people in the audience by Mailchimp status (the seeded members of the account are left out). */
    private static Map<String, String> statusByEmail(Org org, String tag) {
        Map<String, String> statuses = new HashMap<>();
        for (JsonNode member : SandboxControl.members(org.apiKey(), org.listId())) {
            String email = member.path("email_address").asText().toLowerCase(Locale.ROOT);
            if (email.endsWith("." + tag + "@example.com") || email.equals(UNSUBSCRIBED_IN_MAILCHIMP)) {
                statuses.put(email, member.path("status").asText());
            }
        }
        return statuses;
    }

    private static Set<String> withStatus(Map<String, String> statuses, String status) {
        return statuses.entrySet().stream().filter(e -> e.getValue().equals(status)).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    private static Set<String> tagged(Org org, String segmentName) {
        List<String> emails = SandboxControl.taggedEmails(org.apiKey(), org.listId(), segmentName);
        Set<String> unique = emails.stream().map(e -> e.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        assertEquals(emails.size(), unique.size(), "nobody is in the tag twice");
        return unique;
    }

    private static long writes(String listId) {
        return SandboxControl.requests("/3.0/lists/" + listId).stream()
                .filter(request -> !"GET".equals(request.path("method").asText())).count();
    }

    @Test
    void departmentSegmentOfAThousandFiveHundredPeopleLandsExactlyInTheAudience() {
        Org org = newOrg();
        String tag = "a" + Long.toHexString(System.nanoTime());
        List<Person> people = people(tag, 1200, 300);
        importAll(org, people);
        String segmentId = createSegment(org, "Engineering " + tag, "employee", Map.of("department", "Engineering"));

        JsonNode segment = syncAndWait(org, segmentId);

        Set<String> expected = emails(people, p -> p.entityType().equals("employee") && p.department().equals("Engineering"));
        assertEquals(300, expected.size());
        assertEquals("synced", segment.path("status").asText(), () -> segment.toString());
        Map<String, String> statuses = statusByEmail(org, tag);
        assertEquals(expected, withStatus(statuses, "subscribed"), "exactly the department's employees are subscribed");
        assertEquals(expected, statuses.keySet().stream().filter(e -> !e.equals(UNSUBSCRIBED_IN_MAILCHIMP)).collect(Collectors.toSet()));
        assertEquals(expected, tagged(org, "Engineering " + tag), "the segment's tag holds exactly them");
        Map<String, Person> byEmail = people.stream().collect(Collectors.toMap(Person::email, p -> p));
        for (JsonNode member : SandboxControl.members(org.apiKey(), org.listId())) {
            Person person = byEmail.get(member.path("email_address").asText());
            if (person != null) {
                assertEquals(person.firstName(), member.path("merge_fields").path("FNAME").asText());
                assertEquals(person.lastName(), member.path("merge_fields").path("LNAME").asText());
            }
        }
        JsonNode run = segment.path("lastRun");
        assertEquals(300, run.path("added").asInt());
        assertEquals(0, run.path("updated").asInt());
        assertEquals(0, run.path("unchanged").asInt());
        assertEquals(0, run.path("archived").asInt());
        assertEquals(0, run.path("skippedNoConsent").asInt());
        assertEquals(0, run.path("failed").asInt());
        assertEquals(300, segment.path("memberCount").asInt());
        assertTrue(segment.path("lastSyncedAt").isTextual());
        // Acceptance 8: the run's metrics were published as CloudWatch embedded metric format.
        assertTrue(LocalCloudFixture.output().lines().anyMatch(line -> line.startsWith("{\"_aws\"")
                        && line.contains("\"MembersAdded\":300.0") && line.contains("\"SyncDuration\"")
                        && line.contains("\"MailchimpRequests\"") && line.contains("\"MembersArchived\"")
                        && line.contains("\"MembersFailed\"") && line.contains("\"MembersUpdated\"")),
                "EMF metrics of the run");
    }

    @Test
    void someoneUnsubscribedInMailchimpStaysUnsubscribedAndGetsAnOptOut() {
        Org org = newOrg();
        String tag = "b" + Long.toHexString(System.nanoTime());
        List<Person> people = new ArrayList<>(people(tag, 20, 0));
        people.add(new Person("dan", "employee", UNSUBSCRIBED_IN_MAILCHIMP, "Dan", "Optout", "Engineering", "Berlin"));
        importAll(org, people);
        // e0 (Engineering) opted out before the first sync.
        TrpcHttp.mutation(org.admin(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "e0",
                "entityType", "employee", "optedIn", false, "source", "hr-portal")).data();
        String segmentId = createSegment(org, "Engineering " + tag, "employee", Map.of("department", "Engineering"));

        JsonNode segment = syncAndWait(org, segmentId);

        assertEquals("synced", segment.path("status").asText(), () -> segment.toString());
        Map<String, String> statuses = statusByEmail(org, tag);
        assertEquals("unsubscribed", statuses.get(UNSUBSCRIBED_IN_MAILCHIMP), "never resubscribed");
        assertFalse(tagged(org, "Engineering " + tag).contains(UNSUBSCRIBED_IN_MAILCHIMP));
        String optedOut = people.get(0).email();
        assertFalse(statuses.containsKey(optedOut), "an opted-out person is never sent to Mailchimp");
        assertEquals(1, segment.path("lastRun").path("skippedNoConsent").asInt(), "e0 opted out");
        assertEquals(1, segment.path("lastRun").path("skipped").path("unsubscribed").asInt(), "dan unsubscribed in Mailchimp");
        assertEquals(4, segment.path("lastRun").path("added").asInt());
        JsonNode dan = TrpcHttp.query(org.admin(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "dan", "entityType", "employee")).data();
        assertEquals("opted_out", dan.path("status").asText());
        assertEquals("mailchimp:reconcile", dan.path("consentSource").asText());
        assertTrue(dan.path("consentWithdrawnAt").isTextual());
        JsonNode audit = TrpcHttp.query(org.admin(), "mailchimp.audit.list", Map.of("limit", 100)).data();
        boolean optOutRecorded = false;
        for (JsonNode entry : audit.path("items")) {
            if (entry.path("action").asText().equals("preference.opted_out") && entry.path("targetId").asText().equals("dan")) {
                assertEquals("mailchimp:reconcile", entry.path("details").path("source").asText());
                optOutRecorded = true;
            }
        }
        assertTrue(optOutRecorded, () -> "an opt-out with source mailchimp:reconcile is audited: " + audit);
    }

    @Test
    void changingTheFilterArchivesLeaversAddsJoinersAndKeepsPeopleOfAnotherSegment() {
        Org org = newOrg();
        String tag = "c" + Long.toHexString(System.nanoTime());
        List<Person> people = people(tag, 120, 0);
        importAll(org, people);
        String first = createSegment(org, "First " + tag, "employee", Map.of("department", "Engineering"));
        String berlin = createSegment(org, "Berlin " + tag, "employee", Map.of("location", List.of("Berlin")));
        String firstRun = syncAndWait(org, first).path("lastRun").path("runId").asText();
        syncAndWait(org, berlin);

        JsonNode updated = TrpcHttp.mutation(org.admin(), "mailchimp.segments.update",
                Map.of("id", first, "filterCriteria", Map.of("department", List.of("Sales")))).data();
        assertEquals(List.of("Sales"), TrpcHttp.JSON.convertValue(updated.path("filterCriteria").path("department"), List.class));
        JsonNode segment = awaitEditRun(org, first, updated, firstRun);

        Set<String> engineering = emails(people, p -> p.department().equals("Engineering"));
        Set<String> sales = emails(people, p -> p.department().equals("Sales"));
        Set<String> inBerlin = emails(people, p -> p.location().equals("Berlin"));
        Map<String, String> statuses = statusByEmail(org, tag);
        Set<String> expectedSubscribed = new HashSet<>(sales);
        expectedSubscribed.addAll(inBerlin);
        assertEquals(expectedSubscribed, withStatus(statuses, "subscribed"));
        Set<String> leavers = new HashSet<>(engineering);
        leavers.removeAll(inBerlin);
        assertEquals(leavers, withStatus(statuses, "archived"), "leavers archived, not unsubscribed");
        assertEquals(Set.of(UNSUBSCRIBED_IN_MAILCHIMP), withStatus(statuses, "unsubscribed"), "nobody was unsubscribed by the sync");
        assertEquals(sales, tagged(org, "First " + tag));
        assertEquals(inBerlin, tagged(org, "Berlin " + tag), "the other segment's members keep its tag");
        JsonNode run = segment.path("lastRun");
        assertEquals(leavers.size(), run.path("archived").asInt());
        assertEquals(sales.size(), run.path("added").asInt());
        assertEquals(sales.size(), segment.path("memberCount").asInt());
    }

    @Test
    void syncingAgainWithNothingChangedSendsNoWriteToMailchimp() {
        Org org = newOrg();
        String tag = "d" + Long.toHexString(System.nanoTime());
        List<Person> people = people(tag, 150, 20);
        importAll(org, people);
        String segmentId = createSegment(org, "Everyone " + tag, "mixed", Map.of());
        JsonNode first = syncAndWait(org, segmentId);
        assertEquals(170, first.path("lastRun").path("added").asInt());
        long writesBefore = writes(org.listId());

        JsonNode second = syncAndWait(org, segmentId);

        assertEquals(writesBefore, writes(org.listId()), "no POST/PUT/PATCH/DELETE reached Mailchimp");
        assertEquals(170, second.path("lastRun").path("unchanged").asInt());
        assertEquals(0, second.path("lastRun").path("added").asInt());
        assertEquals(0, second.path("lastRun").path("updated").asInt());
        assertEquals(170, second.path("memberCount").asInt());
    }

    @Test
    void faultsAndAWorkerCrashStillEndWithExactlyTheRightAudience() {
        Org org = newOrg();
        String tag = "f" + Long.toHexString(System.nanoTime());
        List<Person> people = new ArrayList<>(people(tag, 1200, 0));
        people.add(new Person("dan", "employee", UNSUBSCRIBED_IN_MAILCHIMP, "Dan", "Optout", "Support", "Berlin"));
        importAll(org, people);
        String segmentId = createSegment(org, "All staff " + tag, "employee", Map.of());
        String batchPath = "/3.0/lists/" + org.listId();
        faultKeys.add(org.apiKey());
        // A 429 burst (retried by the client), two 503s and one request that hangs past the client's timeout (a batch
        // add is not sent again blindly: the sync retries it and resolves what Mailchimp did), then every batch
        // fails: the worker gives the slice up and SQS must deliver it again.
        fault(Map.of("apiKey", org.apiKey(), "method", "POST", "pathPrefix", batchPath, "kind", "status", "status", 429, "count", 3));
        fault(Map.of("apiKey", org.apiKey(), "method", "POST", "pathPrefix", batchPath, "kind", "status", "status", 503, "count", 2, "after", 1));
        fault(Map.of("apiKey", org.apiKey(), "method", "POST", "pathPrefix", batchPath, "kind", "timeout", "latencyMs", 12000, "count", 1, "after", 2));
        fault(Map.of("apiKey", org.apiKey(), "method", "POST", "pathPrefix", batchPath, "kind", "status", "status", 500, "after", 3));

        JsonNode started = TrpcHttp.mutation(org.admin(), "mailchimp.segments.sync", Map.of("id", segmentId)).data();
        String runId = started.path("runId").asText();
        awaitOutput("\"message\":\"Sync slice failed\"", runId, Duration.ofSeconds(120));
        assertEquals("syncing", TrpcHttp.query(org.admin(), "mailchimp.segments.get", Map.of("id", segmentId)).data()
                .path("status").asText(), "a failed slice leaves the run going");
        SandboxControl.control("DELETE", "/_sandbox/faults", null);
        JsonNode segment = awaitRun(org, segmentId, runId, Duration.ofSeconds(120));

        assertEquals("synced", segment.path("status").asText(), () -> segment.toString());
        Set<String> statuses = SandboxControl.requests(batchPath).stream().map(r -> r.path("status").asText())
                .collect(Collectors.toSet());
        // Which batch meets which fault depends on the order the three batches go out in; what must have happened is a
        // 429 retried by the client and a failure that outlasted the retries (503s, a timeout or the 500s).
        assertTrue(statuses.contains("429") && (statuses.contains("500") || statuses.contains("503") || statuses.contains("0")),
                () -> "the faults happened: " + statuses);
        Set<String> expected = emails(people, p -> !p.email().equals(UNSUBSCRIBED_IN_MAILCHIMP));
        Map<String, String> audience = statusByEmail(org, tag);
        assertEquals(expected, withStatus(audience, "subscribed"), "nobody lost");
        assertEquals("unsubscribed", audience.get(UNSUBSCRIBED_IN_MAILCHIMP), "nobody resubscribed");
        assertEquals(expected, tagged(org, "All staff " + tag), "nobody doubled or missing in the tag");
        assertEquals(1200, segment.path("memberCount").asInt());

        // Everyone was placed by us despite the crash: narrowing the segment archives the leavers.
        JsonNode edited = TrpcHttp.mutation(org.admin(), "mailchimp.segments.update",
                Map.of("id", segmentId, "filterCriteria", Map.of("department", "Finance"))).data();
        JsonNode narrowed = awaitEditRun(org, segmentId, edited, runId);
        Set<String> finance = emails(people, p -> p.department().equals("Finance") && !p.email().equals(UNSUBSCRIBED_IN_MAILCHIMP));
        assertEquals(finance, withStatus(statusByEmail(org, tag), "subscribed"));
        assertEquals(expected.size() - finance.size(), narrowed.path("lastRun").path("archived").asInt());
    }

    @Test
    void aDailyRunWhoseFirstAttemptFailsIsResumedByItsRedeliveryAndShowsItsOutcome() {
        // Issue 11, acceptance 3: the redelivered daily message resumes its own run; it is not "already running".
        Org org = newOrg();
        String tag = "g" + Long.toHexString(System.nanoTime());
        List<Person> people = people(tag, 60, 0);
        importAll(org, people);
        String segmentId = createSegment(org, "Daily " + tag, "employee", Map.of());
        String batchPath = "/3.0/lists/" + org.listId();
        faultKeys.add(org.apiKey());
        fault(Map.of("apiKey", org.apiKey(), "method", "POST", "pathPrefix", batchPath, "kind", "status", "status", 500));
        String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        String runId = "daily-" + day + "-" + segmentId;
        LocalCloud cloud = LocalCloudFixture.get();
        try (var sqs = software.amazon.awssdk.services.sqs.SqsClient.builder()
                .endpointOverride(java.net.URI.create(cloud.sqsEndpoint()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .build()) {
            // What the 05:00 fan-out sends for this segment.
            sqs.sendMessage(request -> request.queueUrl(cloud.queueUrl("SegmentSyncQueue"))
                    .messageGroupId(org.orgId()).messageDeduplicationId(runId + "-0")
                    .messageBody(TrpcHttp.write(Map.of("orgId", org.orgId(), "segmentId", segmentId, "runId", runId,
                            "slice", 0, "progress", Map.of("startedAt", java.time.Instant.now().toString()), "start", true))));
        }
        awaitOutput("\"message\":\"Sync slice failed\"", runId, Duration.ofSeconds(60));
        assertEquals("syncing", TrpcHttp.query(org.admin(), "mailchimp.segments.get", Map.of("id", segmentId)).data()
                .path("status").asText(), "the failed attempt leaves its run going");
        SandboxControl.control("DELETE", "/_sandbox/faults", null);
        JsonNode segment = awaitRun(org, segmentId, runId, Duration.ofSeconds(120));
        assertEquals("synced", segment.path("status").asText(), () -> segment.toString());
        assertEquals(runId, segment.path("lastRun").path("runId").asText(), "the day's run, resumed");
        assertEquals(60, segment.path("lastRun").path("added").asInt());
        assertEquals(emails(people, p -> true), withStatus(statusByEmail(org, tag), "subscribed"));
    }

    /** Waits until the functions logged a line holding both texts. */
    private static void awaitOutput(String text, String alsoContaining, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (LocalCloudFixture.output().lines().anyMatch(line -> line.contains(text) && line.contains(alsoContaining))) {
                return;
            }
            pause();
        }
        throw new AssertionError("No log line with " + text + " and " + alsoContaining + " within " + timeout);
    }

    private static void fault(Map<String, Object> rule) {
        SandboxControl.control("POST", "/_sandbox/faults", rule);
    }
}
