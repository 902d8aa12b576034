package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.local.template.LocalTemplate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 2, acceptance 3: malformed JSON, bad input, the wrong HTTP method, missing or forged tokens, a member
 * calling {@code connect} and unknown procedures each get the code api.md gives; and a seeded, generated set
 * of malformed requests across every tRPC route of template.yaml gets no 5xx, and every error is a tRPC error
 * envelope without stack traces or Java class names. Requests go over a raw socket so that anything a client
 * could put on the wire (bad percent-encoding, odd methods and headers, invalid UTF-8) reaches the runner.
 */
class MalformedRequestsTest {
    private static final long SEED = 0x5EED_2026L;
    private static final int GENERATED = 400;
    private static final Pattern LEAK = Pattern.compile(
            "(?i)(\\bat [\\w$]+(\\.[\\w$]+)+\\(|exception|\\b(java|javax|jdk|sun|com\\.hrplatform|software\\.amazon"
                    + "|com\\.fasterxml|org\\.apache|com\\.amazonaws)\\.[a-z]|\\.java:\\d+)");

    /** What com.sun.net.httpserver answers for a request line whose target java.net.URI cannot parse. */
    private static final Pattern EDGE_REJECTION = Pattern.compile("<h1>400 Bad Request</h1>URISyntaxException thrown");
    /** Characters java.net.URI refuses in a request-target: %-escapes that are not two hex digits, and raw quotes, braces, brackets, spaces, angle brackets, pipes, backslashes, carets, backticks. */
    private static final Pattern EDGE_REJECTABLE = Pattern.compile("%(?![0-9A-Fa-f]{2})|[\"{}\\[\\]<>|\\\\^` ]");

    private static String org;
    private static String admin;
    private static String member;

    @BeforeAll
    static void startCloud() {
        LocalCloudFixture.get();
        org = "org-" + UUID.randomUUID();
        admin = LocalCloudFixture.adminToken(org);
        member = LocalCloudFixture.memberToken(org);
    }

    // ------------------------------------------------------------------ the cases of api.md, one by one

    @Test
    void malformedJsonIsAParseError() {
        expectError(get("mailchimp.audit.list", "input=" + enc("{\"limit\": 5,"), admin), "PARSE_ERROR", 400, -32700, "mailchimp.audit.list");
        expectError(get("mailchimp.connection.get", "input=" + enc("{'single':'quotes'}"), admin), "PARSE_ERROR", 400, -32700, "mailchimp.connection.get");
        expectError(post("mailchimp.connection.connect", "{\"apiKey\": \"0123", admin), "PARSE_ERROR", 400, -32700, "mailchimp.connection.connect");
        expectError(post("mailchimp.connection.disconnect", "not json at all", admin), "PARSE_ERROR", 400, -32700, "mailchimp.connection.disconnect");
    }

    @Test
    void badInputIsABadRequestNamingTheField() {
        assertNames(expectError(post("mailchimp.connection.connect", "{\"apiKey\": 42}", admin), "BAD_REQUEST", 400, -32600, "mailchimp.connection.connect"), "apiKey");
        assertNames(expectError(post("mailchimp.connection.connect", "{}", admin), "BAD_REQUEST", 400, -32600, "mailchimp.connection.connect"), "apiKey");
        assertNames(expectError(post("mailchimp.connection.connect", "[\"0123456789abcdef0123456789abcdef-us1\"]", admin), "BAD_REQUEST", 400, -32600, "mailchimp.connection.connect"), "input");
        assertNames(expectError(post("mailchimp.connection.connect", "{\"apiKey\": \"not-a-key\"}", admin), "BAD_REQUEST", 400, -32600, "mailchimp.connection.connect"), "apiKey");
        assertNames(expectError(post("mailchimp.connection.connect",
                "{\"apiKey\": \"0123456789abcdef0123456789abcdef-us1\", \"sneaky\": true}", admin), "BAD_REQUEST", 400, -32600, "mailchimp.connection.connect"), "sneaky");
        assertNames(expectError(get("mailchimp.connection.get", "input=" + enc("{\"orgId\":\"other\"}"), member), "BAD_REQUEST", 400, -32600, "mailchimp.connection.get"), "orgId");
        assertNames(expectError(get("mailchimp.audit.list", "input=" + enc("{\"limit\": 0}"), member), "BAD_REQUEST", 400, -32600, "mailchimp.audit.list"), "limit");
        assertNames(expectError(get("mailchimp.audit.list", "input=" + enc("{\"limit\": 101}"), member), "BAD_REQUEST", 400, -32600, "mailchimp.audit.list"), "limit");
        assertNames(expectError(get("mailchimp.audit.list", "input=" + enc("{\"limit\": \"ten\"}"), member), "BAD_REQUEST", 400, -32600, "mailchimp.audit.list"), "limit");
        assertNames(expectError(get("mailchimp.audit.list", "input=" + enc("{\"cursor\": 7}"), member), "BAD_REQUEST", 400, -32600, "mailchimp.audit.list"), "cursor");
        assertNames(expectError(get("mailchimp.audit.list", "input=" + enc("{\"cursor\": \"%%not-a-cursor\"}"), member), "BAD_REQUEST", 400, -32600, "mailchimp.audit.list"), "cursor");
        String both = expectError(get("mailchimp.audit.list", "input=" + enc("{\"limit\": -3, \"cursor\": false}"), member),
                "BAD_REQUEST", 400, -32600, "mailchimp.audit.list");
        assertNames(both, "limit");
        assertNames(both, "cursor");
    }

    @Test
    void preferenceEntityIdsFollowTheContactIdPattern() {
        // '#' separates the parts of item keys: "abc" must not reach "abc#x".
        for (String id : List.of("abc#x", "a b", "x".repeat(129), "e/1")) {
            assertNames(expectError(get("mailchimp.preferences.getForEntity", "input=" + enc("{\"entityId\":\"" + id
                    + "\",\"entityType\":\"employee\"}"), member), "BAD_REQUEST", 400, -32600, "mailchimp.preferences.getForEntity"), "entityId");
            assertNames(expectError(post("mailchimp.preferences.updateOptStatus", "{\"entityId\":\"" + id
                    + "\",\"entityType\":\"employee\",\"optedIn\":false,\"source\":\"test\"}", member), "BAD_REQUEST", 400, -32600,
                    "mailchimp.preferences.updateOptStatus"), "entityId");
            assertNames(expectError(post("mailchimp.preferences.gdprDelete", "{\"entityId\":\"" + id
                    + "\",\"entityType\":\"employee\"}", admin), "BAD_REQUEST", 400, -32600, "mailchimp.preferences.gdprDelete"), "entityId");
        }
        assertEquals(200, get("mailchimp.preferences.getForEntity", "input=" + enc("{\"entityId\":\"e-1.x:y@z\",\"entityType\":\"employee\"}"), member).status());
    }

    @Test
    void aWellFormedButCraftedCursorIsABadRequestOnEveryList() {
        // Base64url JSON in the cursor's own shape, but keys DynamoDB would refuse: another attribute, a number sort
        // key, an empty one, a third attribute; and keys outside the list's prefix.
        List<String> everywhere = List.of(cursor("{\"orgId\":\"Sx\",\"nope\":\"Sx\"}"),
                cursor("{\"orgId\":\"Sx\",\"sk\":\"N7\"}"), cursor("{\"orgId\":\"Sx\",\"sk\":\"S\"}"),
                cursor("{\"orgId\":\"Sx\",\"sk\":\"Sx\",\"segmentId\":\"Sx\",\"campaignId\":\"Sx\"}"),
                cursor("{\"orgId\":\"Sx\",\"sk\":\"S" + "x".repeat(1100) + "\"}"));
        Map<String, String> lists = Map.of("mailchimp.audit.list", "", "mailchimp.segments.list", "",
                "mailchimp.campaigns.list", "", "mailchimp.contacts.list", "\"entityType\":\"employee\",",
                "mailchimp.preferences.list", "");
        for (Map.Entry<String, String> list : lists.entrySet()) {
            for (String cursor : everywhere) {
                assertBadCursor(list.getKey(), "{" + list.getValue() + "\"cursor\":\"" + cursor + "\"}");
            }
        }
        assertBadCursor("mailchimp.preferences.list", "{\"cursor\":\"" + cursor("{\"orgId\":\"Sx\",\"sk\":\"Saudit#x\"}") + "\"}");
        assertBadCursor("mailchimp.contacts.list", "{\"entityType\":\"employee\",\"cursor\":\""
                + cursor("{\"orgId\":\"Sx\",\"entityKey\":\"Svendor#x\"}") + "\"}");
        // A key of the list's own shape is a cursor: it pages only the caller's own partition (TenantIsolationTest).
        assertEquals(200, get("mailchimp.audit.list", "input=" + enc("{\"cursor\":\""
                + cursor("{\"orgId\":\"Sother\",\"sk\":\"S2026\"}") + "\"}"), member).status());
    }

    private void assertBadCursor(String procedure, String input) {
        assertNames(expectError(get(procedure, "input=" + enc(input), member), "BAD_REQUEST", 400, -32600, procedure), "cursor");
    }

    private static String cursor(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theWrongMethodIsNotSupported() {
        // Routes name their method (GET queries, POST mutations, so that CORS preflights stay with the API): a
        // mutation read with GET, or a query sent with POST, lands on the /trpc/{proxy+} fallback, which knows them.
        expectError(get("mailchimp.connection.connect", "input=" + enc("{\"apiKey\":\"x\"}"), admin), "METHOD_NOT_SUPPORTED", 405, -32005, "mailchimp.connection.connect");
        expectError(get("mailchimp.connection.disconnect", null, admin), "METHOD_NOT_SUPPORTED", 405, -32005, "mailchimp.connection.disconnect");
        expectError(post("mailchimp.connection.get", "", admin), "METHOD_NOT_SUPPORTED", 405, -32005, "mailchimp.connection.get");
        expectError(post("mailchimp.audit.list", "{}", admin), "METHOD_NOT_SUPPORTED", 405, -32005, "mailchimp.audit.list");
        expectError(get("mailchimp.nothing.here", null, admin), "NOT_FOUND", 404, -32004, "mailchimp.nothing.here");
        // No route takes DELETE at all: API Gateway's own 404.
        Raw delete = send("DELETE", "/trpc/mailchimp.connection.get", null, Map.of("Authorization", "Bearer " + admin), null);
        assertEquals(404, delete.status, delete::toString);
        assertEquals("{\"message\":\"Not Found\"}", delete.text());
    }

    @Test
    void missingForgedExpiredAndUnsignedTokensAreUnauthorized() {
        String[] parts = admin.split("\\.");
        char last = parts[2].charAt(parts[2].length() - 2);
        String forged = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2)
                + (last == 'A' ? 'B' : 'A') + parts[2].charAt(parts[2].length() - 1);
        String otherSecret = new LocalJwt("not-the-local-secret").token("admin-" + org, org, "admin",
                Instant.now().plusSeconds(3600));
        String expired = LocalCloudFixture.token(org, "admin", Instant.now().minusSeconds(120));
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String algNone = header + "." + parts[1] + ".";
        String algNoneWithSignature = header + "." + parts[1] + "." + parts[2];
        // A payload escalated to admin, re-using the member token's valid signature.
        String[] memberParts = member.split("\\.");
        String tampered = memberParts[0] + "." + parts[1] + "." + memberParts[2];

        List<Map<String, String>> headers = new ArrayList<>();
        headers.add(Map.of());
        headers.add(Map.of("Authorization", "Bearer"));
        headers.add(Map.of("Authorization", "Bearer "));
        headers.add(Map.of("Authorization", "Basic " + b64("admin:admin")));
        headers.add(Map.of("Authorization", admin)); // no scheme
        headers.add(Map.of("Authorization", "Bearer " + forged));
        headers.add(Map.of("Authorization", "Bearer " + otherSecret));
        headers.add(Map.of("Authorization", "Bearer " + expired));
        headers.add(Map.of("Authorization", "Bearer " + algNone));
        headers.add(Map.of("Authorization", "Bearer " + algNoneWithSignature));
        headers.add(Map.of("Authorization", "Bearer " + tampered));
        headers.add(Map.of("Authorization", "Bearer not.a.jwt"));
        for (Map<String, String> h : headers) {
            // The JWT authorizer's answer (the function never runs), as HTTP API gives it.
            Raw query = send("GET", "/trpc/mailchimp.connection.get", null, h, null);
            assertEquals(401, query.status, () -> h + ": " + query);
            assertEquals("{\"message\":\"Unauthorized\"}", query.text());
            Raw mutation = send("POST", "/trpc/mailchimp.connection.connect", null, h,
                    "{\"apiKey\":\"0123456789abcdef0123456789abcdef-us1\"}".getBytes(StandardCharsets.UTF_8));
            assertEquals(401, mutation.status, () -> h + ": " + mutation);
            assertEquals("{\"message\":\"Unauthorized\"}", mutation.text());
        }
        assertTrue(TrpcHttp.query(member, "mailchimp.connection.get", null).data().isNull(), "nothing was connected");
    }

    @Test
    void aMemberCannotConnectOrDisconnect() {
        expectError(post("mailchimp.connection.connect", "{\"apiKey\":\"0123456789abcdef0123456789abcdef-us1\"}", member),
                "FORBIDDEN", 403, -32003, "mailchimp.connection.connect");
        expectError(post("mailchimp.connection.disconnect", "", member), "FORBIDDEN", 403, -32003, "mailchimp.connection.disconnect");
        String viewer = LocalCloudFixture.token(org, "viewer", Instant.now().plusSeconds(3600));
        Raw unknownRole = send("POST", "/trpc/mailchimp.connection.connect", null, Map.of("Authorization", "Bearer " + viewer),
                "{\"apiKey\":\"0123456789abcdef0123456789abcdef-us1\"}".getBytes(StandardCharsets.UTF_8));
        assertTrue(unknownRole.status == 401 || unknownRole.status == 403, unknownRole::toString);
    }

    @Test
    void anUnknownProcedureIsNotFound() {
        expectError(get("mailchimp.connection.nothingHere", null, admin), "NOT_FOUND", 404, -32004, "mailchimp.connection.nothingHere");
        expectError(post("mailchimp.connection.nothingHere", "{}", admin), "NOT_FOUND", 404, -32004, "mailchimp.connection.nothingHere");
        expectError(get("mailchimp.nothing.at.all", null, member), "NOT_FOUND", 404, -32004, "mailchimp.nothing.at.all");
        expectError(get("somethingElse", null, member), "NOT_FOUND", 404, -32004, "somethingElse");
    }

    // ------------------------------------------------------------------ the generated set

    @Test
    void generatedMalformedRequestsNeverGetA5xxAndAlwaysAnEnvelope() {
        List<String> procedures = trpcProcedures();
        assertTrue(procedures.size() >= 5, () -> "the template's tRPC routes: " + procedures);
        Random random = new Random(SEED);
        Generator generator = new Generator(random, procedures);
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, Integer> kinds = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int edgeRejected = 0;
        for (int i = 0; i < GENERATED; i++) {
            Generated request = generator.next();
            kinds.merge(request.kind, 1, Integer::sum);
            Raw answer;
            try {
                answer = send(request.method, request.target, request.headers, request.body);
            } catch (RuntimeException e) {
                if (EDGE_REJECTABLE.matcher(request.target).find()) {
                    // The JDK HTTP server refused the URI and closed the connection at once, which can reach the
                    // client as a reset before the 400 is read.
                    edgeRejected++;
                    statuses.merge(0, 1, Integer::sum);
                    continue;
                }
                failures.add("#" + i + " " + request.describe() + ": no answer (" + e.getMessage() + ")");
                continue;
            }
            statuses.merge(answer.status, 1, Integer::sum);
            if (EDGE_REJECTION.matcher(answer.text()).matches()) {
                edgeRejected++;
            }
            String problem = problem(request, answer);
            if (problem != null) {
                failures.add("#" + i + " " + request.describe() + " -> " + answer.status + " " + clip(answer.text()) + ": " + problem);
            }
        }
        System.out.println("[MalformedRequestsTest] " + GENERATED + " generated requests (seed " + SEED + ") over "
                + procedures.size() + " procedures; status codes (0 = connection reset): " + statuses + "; refused by the HTTP server as"
                + " invalid URIs before routing: " + edgeRejected + "; kinds: " + kinds);
        int reachedRunner = GENERATED - edgeRejected;
        assertTrue(failures.isEmpty(), () -> failures.size() + " of " + GENERATED + " generated requests failed:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
        assertTrue(reachedRunner >= 200, () -> "at least 200 generated requests reached the runner: " + reachedRunner);
        assertTrue(statuses.keySet().stream().anyMatch(s -> s >= 400), "the generator produced errors at all");
    }

    private static String problem(Generated request, Raw answer) {
        if (answer.status >= 500) {
            return "a 5xx";
        }
        if (answer.status < 100) {
            return "no status";
        }
        JsonNode body;
        try {
            body = answer.body.length == 0 ? TrpcHttp.JSON.missingNode() : TrpcHttp.JSON.readTree(answer.text());
        } catch (IOException e) {
            body = null;
        }
        // The envelope echoes the procedure path the client sent; only the rest of the body is ours.
        String echoed = body == null ? "" : body.path("error").path("data").path("path").asText("");
        String ours = echoed.isEmpty() ? answer.text()
                : answer.text().replace(body.path("error").path("data").path("path").toString(), "\"\"").replace(echoed, "");
        if (EDGE_REJECTION.matcher(answer.text()).matches()) {
            // The JDK HTTP server under the runner refuses a request-target that is not a valid URI (raw quotes,
            // braces, broken %-escapes) before any route or function sees it, as API Gateway's edge would.
            return answer.status == 400 && EDGE_REJECTABLE.matcher(request.target).find()
                    ? null : "an edge rejection of a valid request-target";
        }
        if (LEAK.matcher(ours).find()) {
            return "a stack trace or class name in the body";
        }
        if (answer.status < 300) {
            return null;
        }
        if (body == null) {
            return "a body that is not JSON";
        }
        String path = request.target.split("\\?", 2)[0];
        if (!path.startsWith("/trpc/") || path.substring("/trpc/".length()).replace("/", "").isEmpty()) {
            // No route of the template matches (a greedy {proxy+} needs a non-empty rest): API Gateway's 404.
            return answer.status == 404 && "Not Found".equals(body.path("message").asText()) && body.size() == 1
                    ? null : "not the runner's 404";
        }
        boolean routed = request.method().equals("GET") || request.method().equals("POST");
        if (!routed || answer.status == 401) {
            // API Gateway's own answers, before any function: no route takes the method (tRPC routes are GET or
            // POST), or the JWT authorizer refused the token.
            int status = routed ? 401 : 404;
            String message = routed ? "Unauthorized" : "Not Found";
            return answer.status == status && message.equals(body.path("message").asText()) && body.size() == 1
                    ? null : "not API Gateway's " + status;
        }
        JsonNode error = body.path("error");
        JsonNode data = error.path("data");
        if (body.size() != 1 || !error.path("message").isTextual() || !error.path("code").isInt()
                || !data.path("code").isTextual() || data.path("httpStatus").asInt() != answer.status) {
            return "not a tRPC error envelope";
        }
        if (!EXPECTED_JSONRPC.containsKey(data.path("code").asText())
                || EXPECTED_JSONRPC.get(data.path("code").asText()) != error.path("code").asInt()) {
            return "an unknown code " + data.path("code") + "/" + error.path("code");
        }
        return null;
    }

    private static final Map<String, Integer> EXPECTED_JSONRPC = Map.ofEntries(
            Map.entry("PARSE_ERROR", -32700), Map.entry("BAD_REQUEST", -32600), Map.entry("UNAUTHORIZED", -32001),
            Map.entry("FORBIDDEN", -32003), Map.entry("NOT_FOUND", -32004), Map.entry("METHOD_NOT_SUPPORTED", -32005),
            Map.entry("CONFLICT", -32009), Map.entry("PRECONDITION_FAILED", -32012), Map.entry("PAYLOAD_TOO_LARGE", -32013),
            Map.entry("TOO_MANY_REQUESTS", -32029));

    /** Every concrete tRPC procedure that template.yaml routes (plus the fallback's greedy route, as garbage). */
    static List<String> trpcProcedures() {
        TreeSet<String> procedures = new TreeSet<>();
        for (LocalTemplate.Function function : LocalCloudFixture.get().template().functions().values()) {
            for (LocalTemplate.HttpRoute route : function.routes()) {
                if (route.path().startsWith("/trpc/") && !route.path().contains("{")) {
                    procedures.add(route.path().substring("/trpc/".length()));
                }
            }
        }
        return new ArrayList<>(procedures);
    }

    record Generated(String kind, String method, String target, Map<String, String> headers, byte[] body) {
        String describe() {
            return kind + " " + method + " " + clip(target) + (body == null ? "" : " body[" + body.length + "]=" + clip(new String(body, StandardCharsets.UTF_8)));
        }
    }

    /** Builds malformed requests from a seeded Random: paths, methods, inputs, headers and tokens. */
    private static final class Generator {
        private static final String[] FIELDS = {"apiKey", "id", "name", "limit", "cursor", "entityId", "entityType",
                "optedIn", "source", "contacts", "mailchimpCampaignId", "segmentType", "mailchimpListId",
                "filterCriteria", "description", "requireOptIn", "status", "input", "__proto__", "constructor", ""};
        private static final String[] METHODS = {"GET", "GET", "GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
        private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=utf-8", "text/plain",
                "application/octet-stream", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
                "", "application/json; charset=latin1", "image/png", "application/problem+json"};
        private static final String UNICODE = "é漢字🙂\u200B\u202E\u0000\uFEFFΩ𝄞ß\u0301\uD83D";

        private final Random random;
        private final List<String> procedures;

        Generator(Random random, List<String> procedures) {
            this.random = random;
            this.procedures = procedures;
        }

        Generated next() {
            String procedure = procedure();
            String method = METHODS[random.nextInt(METHODS.length)];
            Map<String, String> headers = new LinkedHashMap<>();
            String token = token();
            if (token != null) {
                headers.put("Authorization", token);
            }
            int extra = random.nextInt(4);
            for (int i = 0; i < extra; i++) {
                headers.put(pick("X-Fuzz-" + i, "Accept", "Accept-Language", "X-Forwarded-For", "Cookie", "X-Amz-Target",
                        "Origin", "User-Agent", "X-Request-Id"), headerValue());
            }
            String kind;
            String query = null;
            byte[] body = null;
            int what = random.nextInt(10);
            if (method.equals("GET") || random.nextInt(4) == 0) {
                int q = random.nextInt(8);
                switch (q) {
                    case 0 -> { kind = "query-bad-percent"; query = "input=" + badPercent(); }
                    case 1 -> { kind = "query-repeated"; query = "input=" + enc(payload(what)) + "&input=" + enc(payload(random.nextInt(10))); }
                    case 2 -> { kind = "query-no-value"; query = pick("input", "input=", "=", "&&&", "input&input", "batch=1&input=" + enc("{\"0\":{}}")); }
                    case 3 -> { kind = "query-raw-json"; query = "input=" + payload(what).replaceAll("[\\s#%&+]", "").replace("\"", "%22"); }
                    default -> { kind = "query-" + payloadKind(what); query = "input=" + enc(payload(what)); }
                }
                if (!method.equals("GET") && random.nextBoolean()) {
                    body = bodyBytes(random.nextInt(10));
                }
            } else {
                kind = "body-" + payloadKind(what);
                body = what == 9 && random.nextInt(3) == 0 ? oversized() : bodyBytes(what);
            }
            if (body != null) {
                headers.put("Content-Type", CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]);
                if (random.nextInt(12) == 0) {
                    headers.put("Content-Encoding", "gzip");
                }
            }
            String target = procedure + (query == null ? "" : "?" + query);
            return new Generated(kind, method, target, headers, body);
        }

        private String procedure() {
            int p = random.nextInt(20);
            if (p < 12) {
                return "/trpc/" + procedures.get(random.nextInt(procedures.size()));
            }
            if (p < 14) {
                String real = procedures.get(random.nextInt(procedures.size()));
                return "/trpc/" + pick(real.toUpperCase(Locale.ROOT), real + "/", real + ".", "." + real, real + "/extra",
                        real.replace('.', '/'), real + "%00", real.substring(0, real.length() / 2), real + ",mailchimp.audit.list");
            }
            if (p < 17) {
                return "/trpc/mailchimp." + pathSegment() + "." + pathSegment();
            }
            if (p < 19) {
                return "/trpc/" + pick(pathSegment(), "", "/", "..%2F..%2Fetc%2Fpasswd", pathSegment() + "/" + pathSegment(),
                        "%F0%9F%99%82", "a".repeat(2000));
            }
            return pick("/" + pathSegment(), "/trpcx/mailchimp.connection.get", "/_sandbox/faults", "/api/" + pathSegment(),
                    "/TRPC/mailchimp.connection.get");
        }

        private String pathSegment() {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(12);
            String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~";
            for (int i = 0; i < n; i++) {
                if (random.nextInt(10) == 0) {
                    s.append(enc(String.valueOf(UNICODE.charAt(random.nextInt(UNICODE.length() - 1)))));
                } else {
                    s.append(chars.charAt(random.nextInt(chars.length())));
                }
            }
            return s.toString();
        }

        private String token() {
            return switch (random.nextInt(20)) {
                case 0 -> null;
                case 1 -> "Bearer " + junk(40);
                case 2 -> "Bearer " + LocalCloudFixture.token(org, "admin", Instant.now().minusSeconds(10));
                case 3 -> "Bearer " + b64("{\"alg\":\"none\"}") + "." + admin.split("\\.")[1] + ".";
                case 4 -> "Bearer " + admin.substring(0, admin.length() - 3) + "abc";
                case 5 -> pick("Basic " + b64("u:p"), "bearer " + member, "Bearer  " + admin, "Bearer " + admin + " extra",
                        "Bearer " + LocalCloudFixture.token(pick("", " ", "org/../x", "*"), pick("admin", "root", ""),
                                Instant.now().plusSeconds(60)));
                case 6, 7, 8, 9, 10, 11, 12 -> "Bearer " + member;
                default -> "Bearer " + admin;
            };
        }

        private String headerValue() {
            return pick(junk(1 + random.nextInt(60)), "", "../../", "gzip, deflate, br", "127.0.0.1, 10.0.0.1",
                    "a".repeat(4000), "session=abc; other=def");
        }

        private String payloadKind(int what) {
            return switch (what) {
                case 0 -> "truncated";
                case 1 -> "array";
                case 2 -> "huge-string";
                case 3 -> "unicode";
                case 4 -> "nulls";
                case 5 -> "wrong-types";
                case 6 -> "deep-nesting";
                case 7 -> "scalar";
                case 8 -> "random-fields";
                default -> "garbage";
            };
        }

        /** A JSON-ish text of the given kind. */
        private String payload(int what) {
            return switch (what) {
                case 0 -> {
                    String full = "{\"" + field() + "\":" + value(2) + ",\"" + field() + "\":" + value(2) + "}";
                    yield full.substring(0, Math.max(1, random.nextInt(full.length())));
                }
                case 1 -> "[" + value(3) + "," + value(3) + "]";
                case 2 -> "{\"" + field() + "\":\"" + "x".repeat(1000 * (1 + random.nextInt(60))) + "\"}";
                case 3 -> "{\"" + field() + "\":\"" + unicode() + "\",\"" + unicode() + "\":1}";
                case 4 -> pick("null", "{\"" + field() + "\":null}", "{\"apiKey\":null,\"limit\":null,\"cursor\":null,\"id\":null}", "[null]");
                case 5 -> "{\"" + field() + "\":" + pick("123", "-1", "1e400", "1.5", "true", "[]", "{}", "9223372036854775808",
                        "-0", "0.0000001") + "}";
                case 6 -> {
                    int depth = pick(50, 500, 1500, 5000, 20000);
                    boolean arrays = random.nextBoolean();
                    StringBuilder s = new StringBuilder();
                    for (int i = 0; i < depth; i++) {
                        s.append(arrays ? "[" : "{\"a\":");
                    }
                    s.append("1");
                    for (int i = 0; i < depth; i++) {
                        s.append(arrays ? "]" : "}");
                    }
                    yield s.toString();
                }
                case 7 -> pick("1", "\"text\"", "true", "false", "-32700", "\"\"", "0", "NaN", "undefined", "Infinity");
                case 8 -> {
                    StringBuilder s = new StringBuilder("{");
                    int n = random.nextInt(8);
                    for (int i = 0; i < n; i++) {
                        s.append(i == 0 ? "" : ",").append('"').append(random.nextBoolean() ? field() : junk(8).replace("\"", ""))
                                .append("\":").append(value(2));
                    }
                    yield s.append('}').toString();
                }
                default -> junk(1 + random.nextInt(200));
            };
        }

        private byte[] bodyBytes(int what) {
            if (what == 9 && random.nextBoolean()) {
                byte[] bytes = new byte[1 + random.nextInt(300)];
                random.nextBytes(bytes); // not even UTF-8
                return bytes;
            }
            return payload(what).getBytes(StandardCharsets.UTF_8);
        }

        private byte[] oversized() {
            String big = "{\"contacts\":[" + ("{\"entityId\":\"" + "e".repeat(90) + "\"},").repeat(12_000) + "{}]}";
            return big.getBytes(StandardCharsets.UTF_8); // > 1 MiB
        }

        private String value(int depth) {
            int v = random.nextInt(depth <= 0 ? 5 : 8);
            return switch (v) {
                case 0 -> "null";
                case 1 -> Integer.toString(random.nextInt(2000) - 1000);
                case 2 -> "\"" + junk(random.nextInt(20)).replace("\\", "").replace("\"", "") + "\"";
                case 3 -> random.nextBoolean() ? "true" : "false";
                case 4 -> "\"" + unicode() + "\"";
                case 5 -> "[" + value(depth - 1) + "]";
                case 6 -> "{\"" + field() + "\":" + value(depth - 1) + "}";
                default -> "\"0123456789abcdef0123456789abcdef-us" + random.nextInt(1000) + "\"";
            };
        }

        private String field() {
            return FIELDS[random.nextInt(FIELDS.length)];
        }

        private String unicode() {
            StringBuilder s = new StringBuilder();
            int n = 1 + random.nextInt(10);
            for (int i = 0; i < n; i++) {
                char c = UNICODE.charAt(random.nextInt(UNICODE.length()));
                if (c == '\u0000') {
                    s.append("\\u0000");
                } else if (c == '\uD83D') {
                    s.append("\\ud83d"); // a lone surrogate, escaped
                } else {
                    s.append(c);
                }
            }
            return s.toString();
        }

        private String junk(int n) {
            String chars = "abcXYZ019{}[]\":,\\/'<>!@$^*()_-=|;`~ ";
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.append(chars.charAt(random.nextInt(chars.length())));
            }
            return s.toString();
        }

        private String badPercent() {
            return pick("%", "%7", "%zz", "%7B%22limit%22%3A", "%E2%82", "%C3%28", "%FF%FE", "%%7B%7D", "%u007B%u007D",
                    "%7B%22apiKey%22%3A%22%ED%A0%80%22%7D", "%00", enc("{\"limit\":1}") + "%");
        }

        @SafeVarargs
        private <T> T pick(T... options) {
            return options[random.nextInt(options.length)];
        }
    }

    // ------------------------------------------------------------------ raw HTTP

    /** An answer as the client received it. */
    record Raw(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return TrpcHttp.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + status + " " + text());
            }
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }

    private static Raw get(String procedure, String query, String token) {
        return send("GET", "/trpc/" + procedure + (query == null ? "" : "?" + query), Map.of("Authorization", "Bearer " + token), null);
    }

    private static Raw post(String procedure, String body, String token) {
        return send("POST", "/trpc/" + procedure, Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static Raw send(String method, String path, String query, Map<String, String> headers, byte[] body) {
        return send(method, path + (query == null ? "" : "?" + query), headers, body);
    }

    /** One HTTP/1.1 request over its own connection, bytes exactly as given. */
    static Raw send(String method, String target, Map<String, String> headers, byte[] body) {
        URI api = URI.create(LocalCloudFixture.get().apiUrl());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(api.getHost(), api.getPort()), 5000);
            socket.setSoTimeout(60_000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(api.getHost()).append(':').append(api.getPort()).append("\r\n")
                    .append("Connection: close\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n\r\n");
            request.write(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                request.write(body);
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static Raw read(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        int headerEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (headerEnd < 0) {
            throw new IOException("no complete response (" + all.length + " bytes)");
        }
        String head = new String(all, 0, headerEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        byte[] body = java.util.Arrays.copyOfRange(all, headerEnd + 4, all.length);
        for (String line : lines) {
            if (line.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:") && line.toLowerCase(Locale.ROOT).contains("chunked")) {
                body = unchunk(body);
            }
        }
        return new Raw(status, body);
    }

    private static byte[] unchunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < chunked.length) {
            int lineEnd = indexOf(java.util.Arrays.copyOfRange(chunked, pos, chunked.length), "\r\n".getBytes(StandardCharsets.US_ASCII));
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(new String(chunked, pos, lineEnd, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, pos + lineEnd + 2, size);
            pos += lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------ assertions and small helpers

    /** Asserts the envelope of api.md and answers its message. */
    private static String expectError(Raw answer, String code, int httpStatus, int jsonRpc, String path) {
        assertEquals(httpStatus, answer.status, answer::toString);
        JsonNode body = answer.json();
        JsonNode error = body.path("error");
        assertEquals(1, body.size(), answer::toString);
        assertEquals(jsonRpc, error.path("code").asInt(), answer::toString);
        assertEquals(code, error.path("data").path("code").asText(), answer::toString);
        assertEquals(httpStatus, error.path("data").path("httpStatus").asInt(), answer::toString);
        assertEquals(path, error.path("data").path("path").asText(), answer::toString);
        String message = error.path("message").asText();
        assertFalse(message.isBlank(), answer::toString);
        assertFalse(LEAK.matcher(answer.text()).find(), () -> "no stack trace or class name: " + answer);
        return message;
    }

    private static void assertNames(String message, String field) {
        if (!Pattern.compile("\\b" + Pattern.quote(field) + "\\b").matcher(message).find()) {
            fail("the message should name " + field + ": " + message);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String clip(String s) {
        StringBuilder clean = new StringBuilder();
        s.codePoints().forEach(c -> clean.append(c < 0x20 || c == 0xFFFD || c == 0x7F ? "?" : new String(Character.toChars(c))));
        String one = clean.toString();
        return one.length() > 160 ? one.substring(0, 160) + "…(" + one.length() + ")" : one;
    }
}
