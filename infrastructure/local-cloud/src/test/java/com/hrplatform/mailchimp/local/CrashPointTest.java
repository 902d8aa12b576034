package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.local.crash.CrashInjector;
import com.hrplatform.mailchimp.membership.Membership;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, acceptance 1: each flow (opt-out, erasure, webhook unsubscribe, contact event, a 3-slice sync) is run
 * once cleanly to list its external calls, then once per call with the flow killed there: every DynamoDB write,
 * SQS send and event put for the platform ({@link CrashInjector}: an Error before the call, or after it with the answer lost) and every Mailchimp
 * request (the sandbox fails it through all the client's attempts: a 503 before any work, or the work done and
 * the answer lost). The caller does what a real one does (the dashboard retries a failed request, Mailchimp
 * delivers a webhook again, Lambda retries an event, SQS delivers a message again), and afterwards the state must
 * be what the consent rules say, nothing lost, nothing doubled, the audit entry written once.
 * <p>
 * Runs in a JVM and local cloud of its own (the own-cloud execution in the pom): one-window slices of two
 * people, queue retries after 1 s, and here visibility timeouts of 3 s, so a killed message comes back soon.
 */
@Tag("own-cloud")
class CrashPointTest {
    /** RetryPolicy.standard(): a Mailchimp fault on every attempt of one call reaches the flow. */
    private static final int CALL_ATTEMPTS = 4;
    private static final Duration SETTLE = Duration.ofSeconds(Long.getLong("crash.settleSeconds", 90));
    private static final ExecutorService SCENARIOS = Executors.newFixedThreadPool(3);
    private static final List<String> REPORT = new ArrayList<>();

    @BeforeAll
    static void shortVisibility() {
        LocalCloud cloud = cloud();
        try (SqsClient sqs = SqsClient.builder().endpointOverride(URI.create(cloud.sqsEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            for (String queue : List.of("SegmentSyncQueue", "ConsentQueue")) {
                sqs.setQueueAttributes(request -> request.queueUrl(cloud.queueUrl(queue))
                        .attributesWithStrings(Map.of("VisibilityTimeout", "3")));
            }
        }
    }

    @AfterAll
    static void report() {
        SCENARIOS.shutdownNow();
        System.out.println("Crash points (issue 11, acceptance 1):");
        REPORT.forEach(line -> System.out.println("  " + line));
    }

    // ------------------------------------------------------------------ the flows

    /** A person (p) and a colleague (q), both subscribed in both audiences by two synced segments. */
    record People(Org org, String p, String q, Map<String, String> more) {
    }

    private static People syncedPeople(String name) {
        Org org = connectedOrg(name);
        String p = unique("p") + "@example.com";
        String q = unique("q") + "@example.com";
        importContacts(org, List.of(employee("e-p", p), employee("e-q", q)));
        sync(org, segment(org, "Engineering A", org.employeesList()));
        sync(org, segment(org, "Engineering B", org.vendorsList()));
        return new People(org, p, q, new LinkedHashMap<>());
    }

    /** A flow: its set-up (not under test), what its caller does, and what must hold once it settled. */
    record Flow(String name, java.util.function.Supplier<People> setUp, Consumer<People> trigger,
                Function<People, List<String>> violations, Consumer<People> finalCheck) {
    }

    @Test
    void anOptOut() {
        exercise(new Flow("opt-out", () -> syncedPeople("crash-optout"),
                people -> untilAnswered(() -> mutation(people.org().admin(), "mailchimp.preferences.updateOptStatus",
                        Map.of("entityId", "e-p", "entityType", "employee", "optedIn", false, "source", "hr-portal"))),
                people -> {
                    List<String> problems = new ArrayList<>(optedOutOnce(people, "hr-portal"));
                    problems.addAll(unsubscribedEverywhere(people));
                    return problems;
                }, people -> { }));
    }

    @Test
    void aWebhookUnsubscribe() {
        exercise(new Flow("webhook unsubscribe", () -> {
            People people = syncedPeople("crash-webhook");
            people.more().put("url", WebhookEndToEndTest.registeredUrl(people.org(), people.org().employeesList()));
            // The person unsubscribes on Mailchimp's page; Mailchimp tells us by the webhook.
            control("POST", "/_sandbox/members", Map.of("apiKey", people.org().apiKey(),
                    "listId", people.org().employeesList(), "email", people.p(), "status", "unsubscribed"));
            return people;
        }, people -> {
            for (int delivery = 1; delivery <= 10; delivery++) {
                if (webhook(people.more().get("url"), form("type", "unsubscribe", "fired_at", "2026-12-02 10:00:00",
                        "data[action]", "unsub", "data[reason]", "manual", "data[list_id]", people.org().employeesList(),
                        "data[email]", people.p())).statusCode() == 200) {
                    return;
                }
            }
            throw new AssertionError("Mailchimp's deliveries all failed");
        }, people -> {
            List<String> problems = new ArrayList<>(optedOutOnce(people, "mailchimp:unsubscribe"));
            problems.addAll(unsubscribedEverywhere(people));
            problems.addAll(toldThePlatform(people, "Member Unsubscribed", "eventId"));
            return problems;
        }, people -> { }));
    }

    @Test
    void anErasure() {
        exercise(new Flow("erasure", () -> syncedPeople("crash-erasure"),
                people -> untilAnswered(() -> mutation(people.org().admin(), "mailchimp.preferences.gdprDelete",
                        Map.of("entityId", "e-p", "entityType", "employee"))),
                people -> {
                    List<String> problems = new ArrayList<>();
                    Org org = people.org();
                    for (String list : List.of(org.employeesList(), org.vendorsList())) {
                        expect(problems, "p in " + list, "absent", status(org, list, people.p()));
                        expect(problems, "q in " + list, "subscribed", status(org, list, people.q()));
                        if (membership(org, list, subscriberHash(people.p())) != null) {
                            problems.add("our record of p in " + list + " is still there");
                        }
                    }
                    if (!query(org.member(), "mailchimp.preferences.getForEntity",
                            Map.of("entityId", "e-p", "entityType", "employee")).data().isNull()) {
                        problems.add("p's preference is still there");
                    }
                    expect(problems, "people in the directory", "1",
                            String.valueOf(query(org.admin(), "mailchimp.contacts.list", null).data().path("items").size()));
                    expect(problems, "erasure audit entries", "1", String.valueOf(audits(org, "preference.erased", null)));
                    expect(problems, "erasure requests still naming whom they erase, and consent jobs left", "0",
                            String.valueOf(locks(org, "erasurereq#", "attribute_exists(sealedEmails) OR attribute_exists(entityKeys)")
                                    + locks(org, "job#", null)));
                    problems.addAll(toldThePlatform(people, "Erasure Completed", "requestId"));
                    return problems;
                }, people -> {
                    JsonNode again = mutation(people.org().admin(), "mailchimp.contacts.import",
                            Map.of("contacts", List.of(employee("e-p2", people.p())))).data();
                    assertEquals(1, again.path("rejected").size(), () -> "the tombstone refuses the address: " + again);
                }));
    }

    @Test
    void aContactEvent() {
        // The change path's calls run beside the event's, from the queue, so how many there are varies from run to run;
        // they have their own flow (aDirectoryChangeWithinMinutes). This one crashes each of the event's own calls.
        System.setProperty("CHANGES_WITHIN_MINUTES", "off");
        try {
            contactEventFlow();
        } finally {
            System.clearProperty("CHANGES_WITHIN_MINUTES");
        }
    }

    private void contactEventFlow() {
        exercise(new Flow("contact event", () -> {
            People people = syncedPeople("crash-event");
            Org org = people.org();
            mutation(org.admin(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "e-p", "entityType",
                    "employee", "optedIn", false, "source", "hr-portal")).data();
            await(SETTLE, () -> unsubscribedEverywhere(people).isEmpty() && locks(org, "job#", null) == 0,
                    () -> "p's opt-out reached Mailchimp");
            // The person's new address is already in an audience: they signed up there themselves.
            String moved = unique("p-new") + "@example.com";
            control("POST", "/_sandbox/members", Map.of("apiKey", org.apiKey(), "listId", org.vendorsList(),
                    "email", moved, "status", "subscribed"));
            people.more().put("moved", moved);
            people.more().put("eventTime", Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            return people;
        }, people -> {
            Map<String, Object> detail = new LinkedHashMap<>(employee("e-p", people.more().get("moved")));
            detail.put("orgId", people.org().orgId());
            detail.put("sequence", 3);
            deliverContactEvent(people, detail);
        }, people -> {
            List<String> problems = new ArrayList<>();
            Org org = people.org();
            JsonNode contacts = query(org.admin(), "mailchimp.contacts.list", null).data().path("items");
            String held = "";
            for (JsonNode contact : contacts) {
                if (contact.path("entityId").asText().equals("e-p")) {
                    held = contact.path("email").asText();
                }
            }
            expect(problems, "p's address in the directory", people.more().get("moved"), held);
            // The person's no goes with them to the new address.
            expect(problems, "the new address in Vendors", "unsubscribed", status(org, org.vendorsList(), people.more().get("moved")));
            return problems;
        }, people -> {
            // Every address we held for the person is known: an erasure reaches the new one and the old one.
            Org org = people.org();
            mutation(org.admin(), "mailchimp.preferences.gdprDelete", Map.of("entityId", "e-p", "entityType", "employee")).data();
            await(SETTLE, () -> "absent".equals(status(org, org.vendorsList(), people.more().get("moved")))
                    && "absent".equals(status(org, org.employeesList(), people.p()))
                    && "absent".equals(status(org, org.vendorsList(), people.p())), () -> "both addresses erased");
        }));
    }

    /**
     * Issue 13's change path: a directory event renames q, who is in both synced segments; nobody asks for a sync. The
     * event's writes (the pending sets, the change messages) and the worker's (claim, Mailchimp's status and update,
     * our records, release) are each killed in turn.
     */
    @Test
    void aDirectoryChangeWithinMinutes() {
        exercise(new Flow("change within minutes", () -> {
            People people = syncedPeople("crash-change");
            people.more().put("eventTime", Instant.now().plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            return people;
        }, people -> {
            Map<String, Object> detail = new LinkedHashMap<>(employee("e-q", people.q()));
            detail.put("firstName", "Quinn");
            detail.put("orgId", people.org().orgId());
            detail.put("sequence", 2);
            deliverContactEvent(people, detail);
        }, people -> {
            List<String> problems = new ArrayList<>();
            Org org = people.org();
            Map<String, String> tagOf = Map.of(org.employeesList(), "[Engineering A]", org.vendorsList(), "[Engineering B]");
            for (String list : List.of(org.employeesList(), org.vendorsList())) {
                JsonNode q = memberSeen(org, list, people.q());
                JsonNode p = memberSeen(org, list, people.p());
                expect(problems, "q in " + list, "subscribed Quinn", q == null ? "absent"
                        : q.path("status").asText() + " " + q.path("merge_fields").path("FNAME").asText());
                expect(problems, "p in " + list, "subscribed Test", p == null ? "absent"
                        : p.path("status").asText() + " " + p.path("merge_fields").path("FNAME").asText());
                List<String> tags = new ArrayList<>();
                if (q != null) {
                    q.path("tags").forEach(tag -> tags.add(tag.path("name").asText()));
                }
                expect(problems, "q's tags in " + list, tagOf.get(list), tags.toString());
            }
            expect(problems, "changes waiting or claimed", "0",
                    String.valueOf(locks(org, "changes#", "attribute_exists(hashes) OR attribute_exists(inflight)")));
            return problems;
        }, people -> { }));
    }

    @Test
    void aThreeSliceSync() {
        exercise(new Flow("3-slice sync", () -> {
            Org org = connectedOrg("crash-sync");
            List<Map<String, Object>> people = new ArrayList<>();
            Map<String, String> more = new LinkedHashMap<>();
            for (int i = 0; i < 5; i++) {
                String email = unique("s" + i) + "@example.com";
                people.add(employee("e-" + i, email));
                more.put("e-" + i, email);
            }
            importContacts(org, people);
            // e-3 unsubscribed in Mailchimp before we knew them; e-4 said no here.
            control("POST", "/_sandbox/members", Map.of("apiKey", org.apiKey(), "listId", org.employeesList(),
                    "email", more.get("e-3"), "status", "unsubscribed"));
            mutation(org.admin(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "e-4", "entityType",
                    "employee", "optedIn", false, "source", "hr-portal")).data();
            more.put("segment", segment(org, "Engineering S", org.employeesList()));
            await(SETTLE, () -> locks(org, "job#", null) == 0, () -> "e-4's consent job done before the flow");
            return new People(org, more.get("e-0"), more.get("e-1"), more);
        }, people -> {
            for (int attempt = 1; attempt <= 10; attempt++) {
                TrpcHttp.Answer answer = mutation(people.org().member(), "mailchimp.segments.sync",
                        Map.of("id", people.more().get("segment")));
                if (answer.status() == 200 || "CONFLICT".equals(answer.errorCode())) {
                    return; // started, or the first attempt's run is going
                }
            }
            throw new AssertionError("the sync was never started");
        }, people -> {
            List<String> problems = new ArrayList<>();
            Org org = people.org();
            JsonNode segment = query(org.member(), "mailchimp.segments.get", Map.of("id", people.more().get("segment"))).data();
            expect(problems, "segment status", "synced", segment.path("status").asText());
            for (int i = 0; i < 3; i++) {
                String email = people.more().get("e-" + i);
                expect(problems, "e-" + i, "subscribed", status(org, org.employeesList(), email));
                Membership ours = membership(org, org.employeesList(), subscriberHash(email));
                if (ours == null || !ours.placedByUs()) {
                    problems.add("e-" + i + " not recorded as placed by us: " + ours);
                }
            }
            for (int i = 0; i < 3 && problems.isEmpty(); i++) {
                List<String> tags = new ArrayList<>();
                memberSeen(org, org.employeesList(), people.more().get("e-" + i)).path("tags")
                        .forEach(tag -> tags.add(tag.path("name").asText()));
                expect(problems, "e-" + i + "'s tags", "[Engineering S]", tags.toString());
            }
            expect(problems, "e-3", "unsubscribed", status(org, org.employeesList(), people.more().get("e-3")));
            expect(problems, "e-4", "absent", status(org, org.employeesList(), people.more().get("e-4")));
            JsonNode learned = query(org.member(), "mailchimp.preferences.getForEntity",
                    Map.of("entityId", "e-3", "entityType", "employee")).data();
            expect(problems, "e-3's learned opt-out", "opted_out", learned.path("status").asText());
            expect(problems, "e-3's history", "1", String.valueOf(learned.path("history").size()));
            expect(problems, "e-3's opt-out audit entries", "1", String.valueOf(audits(org, "preference.opted_out", "e-3")));
            // One entry per run (a retried request may have started a second run after the first ended).
            List<String> runs = new ArrayList<>();
            for (JsonNode entry : auditEntries(org)) {
                if (entry.path("action").asText().equals("segment.synced")) {
                    String run = entry.path("details").path("runId").asText();
                    if (runs.contains(run)) {
                        problems.add("run " + run + " audited twice");
                    }
                    runs.add(run);
                }
            }
            if (runs.isEmpty()) {
                problems.add("no run audited");
            }
            return problems;
        }, people -> { }));
    }

    // ------------------------------------------------------------------ the harness

    private record Point(String kind, int index, boolean after, String call) {
        @Override
        public String toString() {
            return (after ? "after " : "before ") + kind + " #" + index + " " + call;
        }
    }

    private record Outcome(Point point, boolean reached, List<String> problems, People people) {
    }

    private void exercise(Flow flow) {
        // The clean run: every external call the flow makes, and proof that the checks hold without a crash.
        People clean = flow.setUp().get();
        int mark = mailchimpRequests(clean.org()).size();
        CrashInjector.watch(clean.org().orgId(), null);
        flow.trigger().accept(clean);
        settle(flow, clean);
        List<String> writes = CrashInjector.stop(clean.org().orgId());
        List<JsonNode> requests = mailchimpRequests(clean.org());
        requests = requests.subList(mark, requests.size());
        System.out.println(flow.name() + ": the clean run's writes " + writes + "; its Mailchimp requests "
                + requests.stream().map(r -> r.path("method").asText() + " " + r.path("path").asText()).toList());
        assertTrue(flow.violations().apply(clean).isEmpty(), () -> flow.name() + " without a crash: " + flow.violations().apply(clean));
        flow.finalCheck().accept(clean);

        List<Point> points = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            points.add(new Point("aws", i, false, writes.get(i)));
            points.add(new Point("aws", i, true, writes.get(i)));
        }
        for (int j = 0; j < requests.size(); j++) {
            String call = requests.get(j).path("method").asText() + " " + requests.get(j).path("path").asText();
            points.add(new Point("mailchimp", j, false, call));
            if (!requests.get(j).path("method").asText().equals("GET")) {
                points.add(new Point("mailchimp", j, true, call));
            }
        }
        List<Future<Outcome>> running = new ArrayList<>();
        for (Point point : points) {
            running.add(SCENARIOS.submit(() -> crashAt(flow, point)));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> future : running) {
            try {
                outcomes.add(future.get());
            } catch (Exception e) {
                throw new AssertionError(flow.name() + ": a scenario failed to run", e);
            }
        }
        // Late redeliveries must not double anything: everything again once the queues are empty.
        assertTrue(cloud().awaitQueuesIdle(Duration.ofSeconds(120)), () -> "the queues drained: " + cloud().queuesBusyState());
        List<String> failures = new ArrayList<>();
        int reached = 0;
        for (Outcome outcome : outcomes) {
            List<String> problems = new ArrayList<>(outcome.problems());
            if (problems.isEmpty()) {
                problems.addAll(flow.violations().apply(outcome.people()));
            }
            if (problems.isEmpty()) {
                try {
                    flow.finalCheck().accept(outcome.people());
                } catch (AssertionError e) {
                    problems.add(e.getMessage());
                }
            }
            if (outcome.reached()) {
                reached++;
            }
            if (!problems.isEmpty()) {
                failures.add(outcome.point() + ": " + problems);
            }
        }
        long mailchimpPoints = points.stream().filter(point -> point.kind().equals("mailchimp")).count();
        String line = flow.name() + ": " + points.size() + " crash points (" + writes.size() + " DynamoDB writes, SQS"
                + " sends and events put x before/after, " + mailchimpPoints + " on " + requests.size() + " Mailchimp requests), "
                + reached + " reached, " + (points.size() - failures.size()) + " passed";
        synchronized (REPORT) {
            REPORT.add(line);
        }
        System.out.println(line);
        assertTrue(failures.isEmpty(), () -> flow.name() + ": " + failures.size() + " crash points failed:\n"
                + String.join("\n", failures));
        // The functions' writes interleave (an API request and the queue worker it woke), so one run may make a
        // call fewer than the clean one and miss the last point; most must be reached, or the harness is broken.
        int reachedPoints = reached;
        assertTrue(reachedPoints * 10 >= points.size() * 9, () -> flow.name() + ": only " + reachedPoints + " of "
                + points.size() + " crash points reached");
    }

    private static Outcome crashAt(Flow flow, Point point) {
        People people = flow.setUp().get();
        Org org = people.org();
        if (point.kind().equals("aws")) {
            CrashInjector.watch(org.orgId(), new CrashInjector.Plan(point.index(), point.after()));
        } else {
            CrashInjector.watch(org.orgId(), null);
            // "after": the requests of the clean run before this one; "count": every attempt of the client's call.
            Map<String, Object> rule = new LinkedHashMap<>(Map.of("apiKey", org.apiKey(), "count", CALL_ATTEMPTS,
                    "after", point.index()));
            rule.putAll(point.after() ? Map.of("kind", "lostAnswer") : Map.of("kind", "status", "status", 503));
            control("POST", "/_sandbox/faults", rule);
        }
        boolean reached;
        List<String> problems = new ArrayList<>();
        try {
            flow.trigger().accept(people);
            problems.addAll(settle(flow, people));
        } catch (AssertionError | RuntimeException e) {
            problems.add(e.toString());
        } finally {
            if (point.kind().equals("aws")) {
                reached = CrashInjector.fired(org.orgId()) != null;
            } else {
                reached = faultsUsed(org);
            }
            CrashInjector.stop(org.orgId());
            control("DELETE", "/_sandbox/faults?apiKey=" + org.apiKey(), null);
        }
        return new Outcome(point, reached, problems, people);
    }

    /** Waits until the flow's checks hold (the redeliveries did their work); answers what still fails then. */
    private static List<String> settle(Flow flow, People people) {
        Instant deadline = Instant.now().plus(SETTLE);
        List<String> problems = flow.violations().apply(people);
        while (!problems.isEmpty() && Instant.now().isBefore(deadline)) {
            pause();
            problems = flow.violations().apply(people);
        }
        return problems;
    }

    // ------------------------------------------------------------------ checks

    private static List<String> optedOutOnce(People people, String source) {
        List<String> problems = new ArrayList<>();
        JsonNode preference = query(people.org().member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "e-p", "entityType", "employee")).data();
        expect(problems, "p's preference", "opted_out", preference.path("status").asText());
        expect(problems, "p's source", source, preference.path("consentSource").asText());
        expect(problems, "p's history", "1", String.valueOf(preference.path("history").size()));
        expect(problems, "p's opt-out audit entries", "1", String.valueOf(audits(people.org(), "preference.opted_out", "e-p")));
        return problems;
    }

    private static List<String> unsubscribedEverywhere(People people) {
        List<String> problems = new ArrayList<>();
        Org org = people.org();
        for (String list : List.of(org.employeesList(), org.vendorsList())) {
            expect(problems, "p in " + list, "unsubscribed", status(org, list, people.p()));
            expect(problems, "q in " + list, "subscribed", status(org, list, people.q()));
            Membership ours = membership(org, list, subscriberHash(people.p()));
            expect(problems, "our record of p in " + list, "unsubscribed", ours == null ? "none" : ours.status());
        }
        return problems;
    }

    /**
     * The platform heard of it at least once (a crash after the event went out repeats it), always as the same
     * occurrence (one dedupe key), naming p.
     */
    private static List<String> toldThePlatform(People people, String detailType, String dedupeKey) {
        List<String> problems = new ArrayList<>();
        List<JsonNode> told = platformEvents(people.org()).stream()
                .filter(event -> event.path("detail-type").asText().equals(detailType)).toList();
        expect(problems, detailType + " events with distinct " + dedupeKey + "s", "1",
                String.valueOf(told.stream().map(event -> event.path("detail").path(dedupeKey).asText()).distinct().count()));
        if (told.stream().anyMatch(event -> !event.path("detail").path("entities").toString().contains("\"e-p\""))) {
            problems.add(detailType + " not naming p: " + told);
        }
        return problems;
    }

    private static void expect(List<String> problems, String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            problems.add(what + ": expected " + expected + ", was " + actual);
        }
    }

    /** The member's status, read through the sandbox's control API: past the faults, outside the request log. */
    private static String status(Org org, String listId, String email) {
        JsonNode member = memberSeen(org, listId, email);
        return member == null ? "absent" : member.path("status").asText();
    }

    private static JsonNode memberSeen(Org org, String listId, String email) {
        JsonNode member = control("GET", "/_sandbox/members?apiKey=" + org.apiKey() + "&listId=" + listId + "&email="
                + java.net.URLEncoder.encode(email, java.nio.charset.StandardCharsets.UTF_8), null);
        return member.path("status").isInt() || !member.has("status") ? null : member;
    }

    private static List<JsonNode> auditEntries(Org org) {
        List<JsonNode> entries = new ArrayList<>();
        query(org.member(), "mailchimp.audit.list", Map.of("limit", 100)).data().path("items").forEach(entries::add);
        return entries;
    }

    private static long audits(Org org, String action, String targetId) {
        return auditEntries(org).stream().filter(entry -> entry.path("action").asText().equals(action)
                && (targetId == null || entry.path("targetId").asText().equals(targetId))).count();
    }

    /** Items of the org in the locks table whose key starts with {@code prefix} (and that match {@code filter}). */
    private static int locks(Org org, String prefix, String filter) {
        return dynamo().query(request -> request.tableName("LocksTable").consistentRead(true)
                .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                .filterExpression(filter)
                .expressionAttributeValues(Map.of(":org", AttributeValue.fromS(org.orgId()),
                        ":prefix", AttributeValue.fromS(prefix)))).count();
    }

    private static List<JsonNode> mailchimpRequests(Org org) {
        List<JsonNode> requests = new ArrayList<>();
        control("GET", "/_sandbox/requests?apiKey=" + org.apiKey(), null).forEach(requests::add);
        return requests;
    }

    /** Whether the account's fault rule met its requests (the flow reached the call it was set on). */
    private static boolean faultsUsed(Org org) {
        for (JsonNode rule : control("GET", "/_sandbox/faults", null)) {
            if (org.apiKey().equals(rule.path("apiKey").asText())) {
                return !rule.has("after") && rule.path("remaining").asInt() < CALL_ATTEMPTS;
            }
        }
        return true; // used up, and removed
    }

    /** The caller of an API request retries it while the answer is a server error (a crashed function). */
    private static void untilAnswered(java.util.function.Supplier<TrpcHttp.Answer> call) {
        for (int attempt = 1; attempt <= 10; attempt++) {
            TrpcHttp.Answer answer = call.get();
            if (answer.status() < 500) {
                answer.data();
                return;
            }
        }
        throw new AssertionError("the request failed on every attempt");
    }

    /** Invokes ContactEventsFunction with a Contact Upserted event, as Lambda retries an asynchronous event that failed. */
    private static void deliverContactEvent(People people, Map<String, Object> detail) {
        String event = TrpcHttp.write(Map.of("version", "0", "id", "crash-" + people.org().orgId(),
                "detail-type", "Contact Upserted", "source", "platform.directory", "account", "000000000000",
                "time", people.more().get("eventTime"), "region", "us-east-1", "resources", List.of(), "detail", detail));
        for (int attempt = 1; attempt <= 10; attempt++) {
            var answer = TrpcHttp.send(HttpRequest.newBuilder(URI.create(cloud().invokeUrl()
                    + "/2015-03-31/functions/ContactEventsFunction/invocations"))
                    .POST(HttpRequest.BodyPublishers.ofString(event)), null);
            if (answer.status() == 200 && !answer.body().has("errorType")) {
                return;
            }
        }
        throw new AssertionError("the event failed on every attempt");
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
