package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hrplatform.mailchimp.local.template.LocalTemplate;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the issue-5 end-to-end tests (Preferences*, Erasure*, Webhook*) share: the local cloud with
 * everything printed to stdout captured from before it starts (the functions log JSON lines to stdout),
 * real HTTP to the API, the sandbox's Marketing API and control endpoints, a direct dynalite
 * client for scanning every table, and the sync set-up (connect, import, segment, sync, poll).
 */
final class PreferencesTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static LocalCloud cloud;
    private static DynamoDbClient dynamo;
    private static MembershipRepository memberships;

    private PreferencesTestSupport() {
    }

    /** An org connected to its own sandbox account. */
    record Org(String orgId, String apiKey, String employeesList, String vendorsList) {
        String admin() {
            return LocalCloudFixture.adminToken(orgId);
        }

        String member() {
            return LocalCloudFixture.memberToken(orgId);
        }
    }

    /** The shared local cloud (its output is captured from its start, see {@link CapturedOutput}). */
    static synchronized LocalCloud cloud() {
        if (cloud == null) {
            cloud = LocalCloudFixture.get();
            dynamo = DynamoDbClient.builder().endpointOverride(URI.create(cloud.dynamoEndpoint())).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                    .httpClient(UrlConnectionHttpClient.create()).build();
            memberships = new MembershipRepository(dynamo, "MembershipsTable", Clock.systemUTC());
        }
        return cloud;
    }

    /** Everything printed since the shared cloud started. */
    static String capturedOutput() {
        System.out.flush();
        return LocalCloudFixture.output();
    }

    static String unique(String prefix) {
        return prefix + "-" + HexFormat.of().formatHex(bytes(5));
    }

    // ------------------------------------------------------------------ API

    static TrpcHttp.Answer query(String token, String procedure, Object input) {
        cloud();
        return TrpcHttp.query(token, procedure, input);
    }

    static TrpcHttp.Answer mutation(String token, String procedure, Object input) {
        cloud();
        return TrpcHttp.mutation(token, procedure, input);
    }

    /** A form-encoded POST (Mailchimp's webhook) or a GET to any URL; answers status and body. */
    static HttpResponse<String> webhook(String url, Map<String, String> form) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (form == null) {
            request.GET();
        } else {
            StringBuilder body = new StringBuilder();
            form.forEach((name, value) -> body.append(body.isEmpty() ? "" : "&")
                    .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
            request.header("Content-Type", "application/x-www-form-urlencoded")
                    .header("User-Agent", "MailChimp")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        return http(request);
    }

    static Map<String, String> form(String... namesAndValues) {
        Map<String, String> form = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            form.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return form;
    }

    // ------------------------------------------------------------------ set-up of a synced org

    static Org connectedOrg(String name) {
        String orgId = unique(name);
        String apiKey = HexFormat.of().formatHex(bytes(16)) + "-us1";
        JsonNode account = control("POST", "/_sandbox/accounts", Map.of("apiKey", apiKey, "accountName", orgId, "seed", true));
        Org org = new Org(orgId, apiKey, listId(account, "Employees"), listId(account, "Vendors & Contractors"));
        mutation(org.admin(), "mailchimp.connection.connect", Map.of("apiKey", apiKey)).data();
        return org;
    }

    private static String listId(JsonNode account, String name) {
        for (JsonNode list : account.path("lists")) {
            if (list.path("name").asText().equals(name)) {
                return list.path("id").asText();
            }
        }
        throw new IllegalStateException("No list " + name + " in " + account);
    }

    static Map<String, Object> employee(String entityId, String email) {
        Map<String, Object> contact = new LinkedHashMap<>();
        contact.put("entityId", entityId);
        contact.put("entityType", "employee");
        contact.put("email", email);
        contact.put("firstName", "Test");
        contact.put("lastName", entityId);
        contact.put("department", "Engineering");
        contact.put("location", "Berlin");
        contact.put("employmentType", "full_time");
        contact.put("employmentStatus", "active");
        return contact;
    }

    static JsonNode importContacts(Org org, List<Map<String, Object>> contacts) {
        return mutation(org.admin(), "mailchimp.contacts.import", Map.of("contacts", contacts)).data();
    }

    /** A segment of every employee of the org in {@code listId}; answers its id. */
    static String segment(Org org, String name, String listId) {
        return mutation(org.member(), "mailchimp.segments.create", Map.of("name", name, "segmentType", "employee",
                "mailchimpListId", listId, "filterCriteria", Map.of("department", "Engineering"))).data().path("id").asText();
    }

    /** Starts a sync and polls segments.get until it ends (deadline, no fixed sleep); answers the segment. */
    static JsonNode sync(Org org, String segmentId) {
        mutation(org.member(), "mailchimp.segments.sync", Map.of("id", segmentId)).data();
        JsonNode[] last = new JsonNode[1];
        await(Duration.ofSeconds(60), () -> {
            last[0] = query(org.member(), "mailchimp.segments.get", Map.of("id", segmentId)).data();
            return !"syncing".equals(last[0].path("status").asText()) && !"pending".equals(last[0].path("status").asText());
        }, () -> "segment " + segmentId + " did not finish syncing: " + last[0]);
        assertEquals("synced", last[0].path("status").asText(), () -> "sync result: " + last[0]);
        return last[0];
    }

    /**
     * Edits who a synced segment holds (filter, opt-in rule, audience), which starts its run (issue 13, changes within
     * minutes), and waits for that run to end; answers the segment.
     */
    static JsonNode editAndAwaitRun(Org org, String segmentId, Map<String, Object> changes) {
        String before = query(org.member(), "mailchimp.segments.get", Map.of("id", segmentId)).data()
                .path("lastRun").path("runId").asText();
        Map<String, Object> input = new LinkedHashMap<>(changes);
        input.put("id", segmentId);
        assertEquals("syncing", mutation(org.member(), "mailchimp.segments.update", input).data().path("status").asText(),
                "the edit started a run");
        JsonNode[] last = new JsonNode[1];
        await(Duration.ofSeconds(60), () -> {
            last[0] = query(org.member(), "mailchimp.segments.get", Map.of("id", segmentId)).data();
            return !"syncing".equals(last[0].path("status").asText())
                    && !before.equals(last[0].path("lastRun").path("runId").asText());
        }, () -> "the edit's run of " + segmentId + " did not end: " + last[0]);
        assertEquals("synced", last[0].path("status").asText(), () -> "sync result: " + last[0]);
        return last[0];
    }

    static void await(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail(message.get());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    // ------------------------------------------------------------------ events to the platform

    /** The events the functions put for the platform (source hr.mailchimp) about this org, oldest first. */
    static List<JsonNode> platformEvents(Org org) {
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode event : parse(http(request("GET", cloud().apiUrl() + "/_local/events", null, null)).body())) {
            if (event.path("source").asText().equals("hr.mailchimp")
                    && event.path("detail").path("orgId").asText().equals(org.orgId())) {
                mine.add(event);
            }
        }
        return mine;
    }

    /** Fires a scheduled function through the runner, as its EventBridge schedule would; fails if it failed. */
    static void fireSchedule(String function) {
        HttpResponse<String> fired = http(request("POST", cloud().apiUrl() + "/_local/schedules/" + function, null, null));
        assertEquals(200, fired.statusCode(), () -> function + " failed: " + fired.body());
    }

    // ------------------------------------------------------------------ sandbox

    private static String sandboxRoot() {
        String base = cloud().sandboxUrl();
        return base.endsWith("/3.0") ? base.substring(0, base.length() - 4) : base;
    }

    /** Drops the sandbox faults a test set on its org's key (null: the test made no org). */
    static void clearFaultsOf(Org org) {
        if (org != null) {
            control("DELETE", "/_sandbox/faults?apiKey=" + org.apiKey(), null);
        }
    }

    static JsonNode control(String method, String path, Object body) {
        return parse(http(request(method, sandboxRoot() + path, null, body)).body());
    }

    /** GET of one member: the HTTP status and the body. */
    static TrpcHttp.Answer member(Org org, String listId, String email) {
        HttpResponse<String> response = http(request("GET", sandboxRoot() + "/3.0/lists/" + listId + "/members/"
                + subscriberHash(email), org.apiKey(), null));
        return new TrpcHttp.Answer(response.statusCode(), parse(response.body()));
    }

    static JsonNode marketing(Org org, String method, String path, Object body) {
        return parse(http(request(method, sandboxRoot() + "/3.0" + path, org.apiKey(), body)).body());
    }

    /** The sandbox's request log (paths of this org's lists only), from index {@code from}. */
    static List<JsonNode> requests(Org org, int from) {
        List<JsonNode> all = new ArrayList<>();
        control("GET", "/_sandbox/requests", null).forEach(all::add);
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode request : all.subList(Math.min(from, all.size()), all.size())) {
            String path = request.path("path").asText();
            if (path.contains(org.employeesList()) || path.contains(org.vendorsList())) {
                mine.add(request);
            }
        }
        return mine;
    }

    static int requestMark() {
        return control("GET", "/_sandbox/requests", null).size();
    }

    static String subscriberHash(String email) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(email.trim().toLowerCase(Locale.ROOT)
                    .getBytes(StandardCharsets.UTF_8));
            return String.format("%032x", new BigInteger(1, digest));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ storage

    /** Every item of every table of template.yaml, as text (attribute values included, binary as base64). */
    static Map<String, List<String>> scanEveryTable() {
        cloud();
        Map<String, List<String>> tables = new LinkedHashMap<>();
        for (LocalTemplate.Table table : cloud.template().tables()) {
            List<String> items = new ArrayList<>();
            Map<String, AttributeValue> start = null;
            do {
                ScanResponse response = dynamo.scan(ScanRequest.builder().tableName(table.name()).exclusiveStartKey(start).build());
                response.items().forEach(item -> items.add(item + decodedMemberships(item)));
                start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
            } while (start != null);
            tables.put(table.name(), items);
        }
        return tables;
    }

    /** A memberships bucket's members are encoded together; as text, so a search of the scan sees them. */
    private static String decodedMemberships(Map<String, AttributeValue> item) {
        return item.containsKey("members") ? " " + MembershipRepository.decode(item) : "";
    }

    /** What the memberships table knows of one address in one audience; null when nothing. */
    static Membership membership(Org org, String listId, String hash) {
        cloud();
        return memberships.forAddress(org.orgId(), hash).stream().filter(m -> m.listId().equals(listId)).findFirst()
                .orElse(null);
    }

    static DynamoDbClient dynamo() {
        cloud();
        return dynamo;
    }

    // ------------------------------------------------------------------ plumbing

    private static HttpRequest.Builder request(String method, String url, String apiKey, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(write(body)))
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("test:" + apiKey).getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private static HttpResponse<String> http(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("HTTP call failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(body);
        }
    }

    static String write(Object value) {
        try {
            return value instanceof String text ? text : JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
