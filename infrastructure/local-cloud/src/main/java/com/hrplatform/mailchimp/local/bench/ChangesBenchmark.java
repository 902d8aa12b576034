package com.hrplatform.mailchimp.local.bench;

import static com.hrplatform.mailchimp.local.bench.BenchHttp.awaitUp;
import static com.hrplatform.mailchimp.local.bench.BenchHttp.freePort;
import static com.hrplatform.mailchimp.local.bench.BenchHttp.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.local.LocalCloud;
import com.hrplatform.mailchimp.local.LocalCloudConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Issue 13's benchmark for changes within minutes (a command, not a test): an org with {@code bench.people} employees
 * in three departments and three synced segments (one per department) on one audience; then {@code bench.events}
 * directory events spread evenly over {@code bench.seconds} (mostly renames, some new hires, some leavers) go to the
 * local EventBridge while the sandbox (its own process) takes {@code bench.latencyMs} per request. Nobody asks for a
 * sync: each change goes through the change path. It prints p50/p95 of the time from an event to its member's change
 * in the sandbox ({@code last_changed} to the millisecond, from the sandbox's control API), the Mailchimp requests per
 * change, and, for comparison, the requests the daily full sync of the three segments sends for the same number and
 * kinds of changes (made in the directory without events, then synced).
 */
public final class ChangesBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PEOPLE = Integer.getInteger("bench.people", 3_000);
    private static final int EVENTS = Integer.getInteger("bench.events", 1_000);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 60);
    private static final int LATENCY_MS = Integer.getInteger("bench.latencyMs", 200);
    private static final List<String> DEPARTMENTS = List.of("Engineering", "Sales", "Support");
    /** Of every 20 events: 1 leaver (moves to a department no segment selects), 3 new hires, 16 renames. */
    private static final int LEAVER_EVERY = 20;
    private static final int HIRES_PER_20 = 3;

    private ChangesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Process sandboxProcess = null;
        LocalCloud cloud = null;
        try {
            int sandboxPort = freePort();
            sandboxProcess = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                    "-cp", System.getProperty("java.class.path"), "com.hrplatform.mailchimp.sandbox.MailchimpSandbox",
                    "--port", Integer.toString(sandboxPort))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String sandbox = "http://127.0.0.1:" + sandboxPort;
            awaitUp(sandbox + "/_sandbox/requests");
            cloud = LocalCloud.start(LocalCloudConfig.forTests().withMailchimpBaseUrl(sandbox + "/3.0"));
            run(cloud, sandbox);
        } finally {
            if (cloud != null) {
                cloud.close();
            }
            if (sandboxProcess != null) {
                sandboxProcess.destroy();
                if (!sandboxProcess.waitFor(10, TimeUnit.SECONDS)) {
                    sandboxProcess.destroyForcibly().waitFor();
                }
            }
        }
        System.exit(0);
    }

    /** One event: the person it changes as they will be, and whether they leave every segment. */
    private record Change(Map<String, Object> person, boolean leaves) {
        String email() {
            return (String) person.get("email");
        }
    }

    private static void run(LocalCloud cloud, String sandbox) throws Exception {
        String apiKey = UUID.randomUUID().toString().replace("-", "") + "-us1";
        JsonNode account = send("POST", sandbox + "/_sandbox/accounts", Map.of("apiKey", apiKey, "accountName", "Changes",
                "seed", true), null);
        String listId = null;
        for (JsonNode list : account.path("lists")) {
            if (list.path("name").asText().equals("Employees")) {
                listId = list.path("id").asText();
            }
        }
        String orgId = "bench-changes-" + UUID.randomUUID();
        String token = cloud.jwt().token("bench-admin", orgId, "admin", Instant.now().plus(Duration.ofHours(2)));
        trpc(cloud, token, "mailchimp.connection.connect", Map.of("apiKey", apiKey));

        // The directory, then one segment per department, each synced once (no latency for the set-up).
        List<Map<String, Object>> people = new ArrayList<>();
        for (int i = 0; i < PEOPLE; i++) {
            people.add(person("e-" + i, "person" + i + "-" + orgId.substring(14, 22) + "@example.com", "First" + i,
                    DEPARTMENTS.get(i % DEPARTMENTS.size())));
        }
        for (int from = 0; from < people.size(); from += ContactService.MAX_IMPORT) {
            trpc(cloud, token, "mailchimp.contacts.import",
                    Map.of("contacts", people.subList(from, Math.min(from + ContactService.MAX_IMPORT, people.size()))));
        }
        List<String> segments = new ArrayList<>();
        for (String department : DEPARTMENTS) {
            String id = trpc(cloud, token, "mailchimp.segments.create", Map.of("name", department, "segmentType", "employee",
                    "mailchimpListId", listId, "filterCriteria", Map.of("department", department))).path("id").asText();
            segments.add(id);
            syncAndWait(cloud, token, id);
        }
        send("POST", sandbox + "/_sandbox/config", Map.of("latencyMs", LATENCY_MS), null);
        System.out.printf("%n== Changes within minutes: %,d directory events over %d s, %,d people, %d segments, %d ms per "
                + "Mailchimp request ==%n", EVENTS, SECONDS, PEOPLE, segments.size(), LATENCY_MS);

        List<Change> changes = changes(people, orgId, 0, "Renamed");
        int mark = requests(sandbox, apiKey).size();
        Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
        ScheduledExecutorService senders = Executors.newScheduledThreadPool(4);
        Instant start = Instant.now();
        long interval = TimeUnit.SECONDS.toMicros(SECONDS) / EVENTS;
        for (int i = 0; i < changes.size(); i++) {
            int index = i;
            senders.schedule(() -> {
                try {
                    sentAt.put(index, System.currentTimeMillis());
                    event(cloud, orgId, changes.get(index).person());
                } catch (Exception e) {
                    System.out.println("event " + index + " failed: " + e);
                }
            }, i * interval, TimeUnit.MICROSECONDS);
        }
        senders.shutdown();
        senders.awaitTermination(SECONDS + 60L, TimeUnit.SECONDS);
        System.out.printf("Sent %,d events in %.1f s%n", sentAt.size(), Duration.between(start, Instant.now()).toMillis() / 1000.0);

        // Each event's member changed in the sandbox at last_changed: wait until every one did (or give up at 5 min).
        Map<Integer, Long> arrived = new ConcurrentHashMap<>();
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(5));
        while (arrived.size() < changes.size() && Instant.now().isBefore(giveUp)) {
            for (int i = 0; i < changes.size(); i++) {
                if (arrived.containsKey(i)) {
                    continue;
                }
                JsonNode member = member(sandbox, apiKey, listId, changes.get(i).email());
                boolean done = member != null && member.path("lastChangedMs").asLong() >= sentAt.getOrDefault(i, Long.MAX_VALUE)
                        && (!changes.get(i).leaves() || "archived".equals(member.path("status").asText()));
                if (done) {
                    arrived.put(i, member.path("lastChangedMs").asLong() - sentAt.get(i));
                }
            }
            if (arrived.size() < changes.size()) {
                Thread.sleep(1000);
            }
        }
        List<JsonNode> changeRequests = requests(sandbox, apiKey);
        changeRequests = changeRequests.subList(mark, changeRequests.size());
        List<Long> latencies = new ArrayList<>(arrived.values());
        Collections.sort(latencies);
        if (latencies.isEmpty()) {
            throw new IllegalStateException("No change reached the sandbox: the benchmark is broken");
        }
        System.out.printf("Applied: %,d of %,d changes (%s)%n", arrived.size(), changes.size(),
                arrived.size() == changes.size() ? "all" : "NOT all within 5 minutes");
        System.out.printf("Event to member's change in the sandbox: p50 %.1f s, p95 %.1f s, max %.1f s (target: within 120 s -> %s)%n",
                percentile(latencies, 50) / 1000.0, percentile(latencies, 95) / 1000.0, latencies.get(latencies.size() - 1) / 1000.0,
                arrived.size() == changes.size() && latencies.get(latencies.size() - 1) <= 120_000 ? "met" : "NOT met");
        System.out.printf("Mailchimp requests: %,d for %,d changes = %.3f per change %s%n", changeRequests.size(), changes.size(),
                changeRequests.size() / (double) changes.size(), byKind(changeRequests));

        // The daily full sync for the same number and kinds of changes: made in the directory without events.
        send("POST", sandbox + "/_sandbox/config", Map.of("latencyMs", 0), null);
        DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(URI.create(cloud.dynamoEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        ContactRepository contacts = new ContactRepository(dynamo, "ContactsTable");
        List<Change> quiet = changes(people, orgId, changes.size(), "Again");
        for (Change change : quiet) {
            contacts.upsert(orgId, contact(change.person()), ContactService.version(Instant.now(), 0));
        }
        int dailyMark = requests(sandbox, apiKey).size();
        for (String segment : segments) {
            syncAndWait(cloud, token, segment);
        }
        List<JsonNode> dailyRequests = requests(sandbox, apiKey);
        dailyRequests = dailyRequests.subList(dailyMark, dailyRequests.size());
        System.out.printf("The daily full sync of the %d segments for the same %,d kinds of change: %,d Mailchimp requests "
                        + "(%.3f per change) %s; the change path sent %.1fx as many, within minutes instead of by 05:00%n",
                segments.size(), quiet.size(), dailyRequests.size(), dailyRequests.size() / (double) quiet.size(),
                byKind(dailyRequests), changeRequests.size() / (double) Math.max(1, dailyRequests.size()));
    }

    /**
     * {@link #EVENTS} changes of distinct people, the {@code offset}-th on: renames of people in a segment, new hires in
     * a segment's department, and leavers (moved to a department no segment selects).
     */
    private static List<Change> changes(List<Map<String, Object>> people, String orgId, int offset, String newName) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            int n = offset + i;
            if (i % LEAVER_EVERY == 0) {
                Map<String, Object> leaver = new LinkedHashMap<>(people.get(n % people.size()));
                leaver.put("department", "Left the company");
                changes.add(new Change(leaver, true));
            } else if (i % LEAVER_EVERY <= HIRES_PER_20) {
                changes.add(new Change(person("hire-" + n, "hire" + n + "-" + orgId.substring(14, 22) + "@example.com",
                        "Hire" + n, DEPARTMENTS.get(n % DEPARTMENTS.size())), false));
            } else {
                Map<String, Object> renamed = new LinkedHashMap<>(people.get(n % people.size()));
                renamed.put("firstName", newName + n);
                changes.add(new Change(renamed, false));
            }
        }
        return changes;
    }

    private static Map<String, Object> person(String id, String email, String firstName, String department) {
        Map<String, Object> person = new LinkedHashMap<>();
        person.put("entityId", id);
        person.put("entityType", "employee");
        person.put("email", email);
        person.put("firstName", firstName);
        person.put("lastName", "Bench");
        person.put("department", department);
        person.put("location", "Berlin");
        person.put("employmentType", "full_time");
        person.put("employmentStatus", "active");
        return person;
    }

    private static Contact contact(Map<String, Object> person) {
        return new Contact((String) person.get("entityId"), "employee", (String) person.get("email"),
                (String) person.get("firstName"), "Bench", (String) person.get("department"), "Berlin", "full_time",
                "active", Timestamps.format(Instant.now()), null, null);
    }

    private static void event(LocalCloud cloud, String orgId, Map<String, Object> person) throws Exception {
        Map<String, Object> detail = new LinkedHashMap<>(person);
        detail.put("orgId", orgId);
        JsonNode answer = send("POST", cloud.apiUrl() + "/_local/events", Map.of("Entries", List.of(Map.of(
                "Source", "platform.directory", "DetailType", "Contact Upserted", "Detail", JSON.writeValueAsString(detail)))), null);
        if (answer.path("FailedEntryCount").asInt() != 0) {
            throw new IllegalStateException("event refused: " + answer);
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /** Requests by kind: member reads, audience status reads, batch writes, tag writes, archives, other. */
    private static Map<String, Integer> byKind(List<JsonNode> requests) {
        Map<String, Integer> kinds = new java.util.TreeMap<>();
        for (JsonNode request : requests) {
            String method = request.path("method").asText();
            String path = request.path("path").asText();
            String kind = method.equals("GET") && path.contains("/members/") ? "member GET"
                    : method.equals("GET") && path.contains("/members") ? "status pages"
                    : method.equals("POST") && path.matches(".*/lists/[^/]+") ? "batch writes"
                    : method.equals("POST") && path.contains("/segments/") ? "tag writes"
                    : method.equals("DELETE") ? "archives" : "other";
            kinds.merge(kind, 1, Integer::sum);
        }
        return kinds;
    }

    private static void syncAndWait(LocalCloud cloud, String token, String segmentId) throws Exception {
        trpc(cloud, token, "mailchimp.segments.sync", Map.of("id", segmentId));
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        while (Instant.now().isBefore(deadline)) {
            String url = cloud.apiUrl() + "/trpc/mailchimp.segments.get?input="
                    + URLEncoder.encode(JSON.writeValueAsString(Map.of("id", segmentId)), StandardCharsets.UTF_8);
            String status = send("GET", url, null, token).path("result").path("data").path("status").asText();
            if (!"syncing".equals(status) && !"pending".equals(status)) {
                if (!"synced".equals(status)) {
                    throw new IllegalStateException("sync of " + segmentId + " ended " + status);
                }
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("sync of " + segmentId + " did not end");
    }

    private static JsonNode member(String sandbox, String apiKey, String listId, String email) throws Exception {
        JsonNode member = send("GET", sandbox + "/_sandbox/members?apiKey=" + apiKey + "&listId=" + listId + "&email="
                + URLEncoder.encode(email, StandardCharsets.UTF_8), null, null);
        return member.path("status").isInt() || !member.has("status") ? null : member;
    }

    private static List<JsonNode> requests(String sandbox, String apiKey) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        send("GET", sandbox + "/_sandbox/requests?apiKey=" + apiKey, null, null).forEach(all::add);
        return all;
    }

    private static JsonNode trpc(LocalCloud cloud, String token, String procedure, Object input) throws Exception {
        JsonNode answer = send("POST", cloud.apiUrl() + "/trpc/" + procedure, input, token);
        if (!answer.has("result")) {
            throw new IllegalStateException(procedure + " failed: " + answer);
        }
        return answer.path("result").path("data");
    }
}
