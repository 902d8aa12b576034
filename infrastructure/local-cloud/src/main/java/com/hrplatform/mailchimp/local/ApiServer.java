package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hrplatform.mailchimp.local.template.LocalTemplate;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The API as API Gateway's HTTP API would serve it: template routes matched by method ({@code ANY} matches
 * every method, OPTIONS included) and path (payload format 2.0; JWT checked with the local secret unless the
 * route's Auth.Authorizer is NONE, a missing or bad token answered 401 {@code {"message":"Unauthorized"}}),
 * CORS from the HttpApi's CorsConfiguration (a preflight answered by the API only where no route matches it,
 * the allow-origin headers on every answer), plus the runner's own endpoints ({@code /_local/schedules/{Function}},
 * {@code /_local/events} (POST puts events, GET lists those put), EventBridge PutEvents at {@code POST /}). The dashboard is served elsewhere
 * ({@link DashboardServer}), from an origin of its own as in AWS.
 */
final class ApiServer {

    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** A template route, compiled for matching. */
    record Route(LocalTemplate.HttpRoute spec, String[] segments, boolean greedy, int literals) {
        static Route of(LocalTemplate.HttpRoute spec) {
            String[] segs = split(spec.path());
            boolean greedy = segs.length > 0 && segs[segs.length - 1].matches("\\{[^}]+\\+}");
            int literals = 0;
            for (String s : segs) {
                if (!s.startsWith("{")) {
                    literals++;
                }
            }
            return new Route(spec, segs, greedy, literals);
        }

        boolean methodMatches(String method) {
            return spec.method().equals("ANY") || spec.method().equals(method);
        }

        /** Path parameters if the path matches, else null. */
        Map<String, String> match(String[] path) {
            Map<String, String> params = new LinkedHashMap<>();
            int fixed = greedy ? segments.length - 1 : segments.length;
            if (greedy ? path.length < segments.length : path.length != segments.length) {
                return null;
            }
            for (int i = 0; i < fixed; i++) {
                String s = segments[i];
                if (s.startsWith("{") && s.endsWith("}")) {
                    if (path[i].isEmpty()) {
                        return null;
                    }
                    params.put(s.substring(1, s.length() - 1), decode(path[i]));
                } else if (!s.equals(path[i])) {
                    return null;
                }
            }
            if (greedy) {
                StringBuilder rest = new StringBuilder();
                for (int i = fixed; i < path.length; i++) {
                    if (rest.length() > 0) {
                        rest.append('/');
                    }
                    rest.append(path[i]);
                }
                if (rest.isEmpty()) {
                    return null;
                }
                String name = segments[fixed];
                params.put(name.substring(1, name.length() - 2), decode(rest.toString()));
            }
            return params;
        }
    }

    private final HttpServer server;
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, FunctionHost> functions;
    private final LocalJwt jwt;
    private final LocalTemplate.Cors cors;
    private final Schedules schedules;
    private final EventRouter events;

    ApiServer(HttpServer server, Map<String, FunctionHost> functions, LocalJwt jwt, LocalTemplate.Cors cors,
              Schedules schedules, EventRouter events) {
        this.functions = functions;
        this.jwt = jwt;
        this.cors = cors;
        this.schedules = schedules;
        this.events = events;
        Map<String, LocalTemplate.HttpRoute> byKey = new LinkedHashMap<>();
        for (FunctionHost f : functions.values()) {
            for (LocalTemplate.HttpRoute r : f.spec().routes()) {
                LocalTemplate.HttpRoute prev = byKey.put(r.routeKey(), r);
                if (prev != null) {
                    throw new IllegalStateException("Route " + r.routeKey() + " is declared by both "
                            + prev.functionId() + " and " + r.functionId());
                }
                routes.add(Route.of(r));
            }
        }
        this.server = server;
        server.createContext("/", this::handle);
    }

    void start() {
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
    }

    static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Best match as API Gateway picks it: exact/parameter routes before greedy ones, more literal segments first, exact method before ANY. */
    Optional<Map.Entry<Route, Map<String, String>>> route(String method, String rawPath) {
        String[] path = split(rawPath);
        return routes.stream()
                .filter(r -> r.methodMatches(method))
                .map(r -> {
                    Map<String, String> params = r.match(path);
                    return params == null ? null : Map.entry(r, params);
                })
                .filter(e -> e != null)
                .min(Comparator.<Map.Entry<Route, Map<String, String>>>comparingInt(e -> e.getKey().greedy() ? 1 : 0)
                        .thenComparingInt(e -> -e.getKey().literals())
                        .thenComparingInt(e -> -e.getKey().segments().length)
                        .thenComparingInt(e -> e.getKey().spec().method().equals("ANY") ? 1 : 0));
    }

    private void handle(HttpExchange ex) throws IOException {
        long started = System.nanoTime();
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        String rawPath = ex.getRequestURI().getRawPath();
        int status = 500;
        String target = "-";
        try (ex) {
            byte[] body = Http.body(ex);
            Optional<Map.Entry<Route, Map<String, String>>> match = route(method, rawPath);
            if (match.isPresent()) {
                target = match.get().getKey().spec().functionId();
                allowOrigin(ex);
                status = invokeRoute(ex, method, rawPath, body, match.get().getKey(), match.get().getValue());
            } else if (rawPath.startsWith("/_local/") || "AWSEvents.PutEvents".equals(ex.getRequestHeaders().getFirst("X-Amz-Target"))) {
                target = "runner";
                status = local(ex, method, rawPath, body);
            } else if (method.equals("OPTIONS") && cors != null && isPreflight(ex.getRequestHeaders())) {
                // No route matches this OPTIONS request: the API answers the preflight itself, without a token.
                target = "cors";
                status = preflight(ex);
            } else {
                allowOrigin(ex);
                status = 404;
                Http.sendJson(ex, 404, "{\"message\":\"Not Found\"}");
            }
        } catch (RuntimeException e) {
            System.out.println("[api] " + method + " " + rawPath + " runner error: " + e.getClass().getSimpleName() + ": " + Http.oneLine(e.getMessage()));
            try {
                Http.sendJson(ex, 500, "{\"message\":\"Internal Server Error\"}");
            } catch (IOException ignored) {
                // client gone
            }
        } finally {
            System.out.println("[api] " + method + " " + rawPath + " -> " + status + " " + target + " "
                    + (System.nanoTime() - started) / 1_000_000 + "ms");
        }
    }

    // ------------------------------------------------------------------ CORS

    private static boolean isPreflight(Headers headers) {
        return headers.getFirst("Origin") != null && headers.getFirst("Access-Control-Request-Method") != null;
    }

    /** The preflight answer of HTTP API: 204, with the configured allowances for an allowed origin (none otherwise). */
    private int preflight(HttpExchange ex) throws IOException {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (cors.allows(origin)) {
            Headers h = ex.getResponseHeaders();
            h.set("Access-Control-Allow-Origin", cors.allowOrigins().contains("*") ? "*" : origin);
            if (!cors.allowMethods().isEmpty()) {
                h.set("Access-Control-Allow-Methods", String.join(",", cors.allowMethods()));
            }
            if (!cors.allowHeaders().isEmpty()) {
                h.set("Access-Control-Allow-Headers", String.join(",", cors.allowHeaders()));
            }
            if (cors.maxAge() != null) {
                h.set("Access-Control-Max-Age", cors.maxAge().toString());
            }
            if (cors.allowCredentials()) {
                h.set("Access-Control-Allow-Credentials", "true");
            }
        }
        Http.send(ex, 204, null, new byte[0]);
        return 204;
    }

    /** On an actual (non-preflight) answer of the API, the headers that let an allowed origin read it. */
    private void allowOrigin(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (cors == null || !cors.allows(origin)) {
            return;
        }
        Headers h = ex.getResponseHeaders();
        h.set("Access-Control-Allow-Origin", cors.allowOrigins().contains("*") ? "*" : origin);
        if (!cors.exposeHeaders().isEmpty()) {
            h.set("Access-Control-Expose-Headers", String.join(",", cors.exposeHeaders()));
        }
        if (cors.allowCredentials()) {
            h.set("Access-Control-Allow-Credentials", "true");
        }
    }

    // ------------------------------------------------------------------ template routes

    private int invokeRoute(HttpExchange ex, String method, String rawPath, byte[] body, Route route,
                            Map<String, String> pathParams) throws IOException {
        ObjectNode claims = null;
        ArrayNode scopes = null;
        if (route.spec().authorized()) {
            Optional<JsonNode> verified = bearer(ex.getRequestHeaders()).flatMap(jwt::verify);
            if (verified.isEmpty()) {
                // The JWT authorizer's own answer: the function is not called, so no tRPC envelope.
                Http.sendJson(ex, 401, "{\"message\":\"Unauthorized\"}");
                return 401;
            }
            claims = Http.JSON.createObjectNode();
            LocalJwt.claimsAsStrings(verified.get()).forEach(claims::put);
            String scope = verified.get().path("scope").asText(verified.get().path("scp").asText(""));
            if (!scope.isBlank()) {
                scopes = Http.JSON.createArrayNode();
                for (String s : scope.trim().split("\\s+")) {
                    scopes.add(s);
                }
            }
        }
        ObjectNode event = event(ex, method, rawPath, body, route, pathParams, claims, scopes);
        FunctionHost fn = functions.get(route.spec().functionId());
        FunctionHost.Result result = fn.invoke(event.toString());
        if (result.failed()) {
            System.out.println("[api] " + route.spec().functionId() + " failed: " + result.errorType() + ": "
                    + Http.oneLine(result.errorMessage()));
            Http.sendJson(ex, 502, "{\"message\":\"Internal Server Error\"}");
            return 502;
        }
        return writeResponse(ex, result.json(), route.spec().functionId(), cors != null);
    }

    private static Optional<String> bearer(Headers headers) {
        String auth = headers.getFirst("Authorization");
        if (auth == null) {
            return Optional.empty();
        }
        String a = auth.trim();
        if (a.length() > 7 && a.substring(0, 7).equalsIgnoreCase("Bearer ")) {
            return Optional.of(a.substring(7).trim());
        }
        return Optional.empty();
    }

    private static boolean isText(String contentType) {
        if (contentType == null) {
            return true;
        }
        String ct = contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
        return ct.isEmpty() || ct.startsWith("text/") || ct.endsWith("/json") || ct.endsWith("+json")
                || ct.endsWith("/xml") || ct.endsWith("+xml") || ct.equals("application/javascript");
    }

    private ObjectNode event(HttpExchange ex, String method, String rawPath, byte[] body, Route route,
                             Map<String, String> pathParams, ObjectNode claims, ArrayNode scopes) {
        ObjectNode e = Http.JSON.createObjectNode();
        e.put("version", "2.0");
        e.put("routeKey", route.spec().routeKey());
        e.put("rawPath", rawPath);
        String rawQuery = ex.getRequestURI().getRawQuery();
        e.put("rawQueryString", rawQuery == null ? "" : rawQuery);
        ObjectNode headers = Http.JSON.createObjectNode();
        ArrayNode cookies = null;
        for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("cookie")) {
                cookies = Http.JSON.createArrayNode();
                for (String v : h.getValue()) {
                    for (String c : v.split(";")) {
                        if (!c.isBlank()) {
                            cookies.add(c.trim());
                        }
                    }
                }
                continue;
            }
            headers.put(name, String.join(",", h.getValue()));
        }
        if (!headers.has("x-forwarded-for")) {
            headers.put("x-forwarded-for", ex.getRemoteAddress().getAddress().getHostAddress());
        }
        headers.put("x-forwarded-proto", "http");
        headers.put("x-forwarded-port", Integer.toString(port()));
        if (cookies != null) {
            e.set("cookies", cookies);
        }
        e.set("headers", headers);
        if (rawQuery != null && !rawQuery.isEmpty()) {
            Map<String, List<String>> q = new LinkedHashMap<>();
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
                q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
            ObjectNode qs = e.putObject("queryStringParameters");
            q.forEach((k, v) -> qs.put(k, String.join(",", v)));
        }
        ObjectNode rc = e.putObject("requestContext");
        rc.put("accountId", "000000000000");
        rc.put("apiId", "local");
        if (claims != null) {
            ObjectNode jwtNode = rc.putObject("authorizer").putObject("jwt");
            jwtNode.set("claims", claims);
            jwtNode.set("scopes", scopes);
        }
        String host = headers.path("host").asText("127.0.0.1");
        rc.put("domainName", host);
        rc.put("domainPrefix", host.split("[.:]")[0]);
        ObjectNode http = rc.putObject("http");
        http.put("method", method);
        http.put("path", rawPath);
        http.put("protocol", ex.getProtocol());
        http.put("sourceIp", ex.getRemoteAddress().getAddress().getHostAddress());
        http.put("userAgent", headers.path("user-agent").asText(""));
        rc.put("requestId", UUID.randomUUID().toString());
        rc.put("routeKey", route.spec().routeKey());
        rc.put("stage", "$default");
        Instant now = Instant.now();
        rc.put("time", REQUEST_TIME.format(now));
        rc.put("timeEpoch", now.toEpochMilli());
        if (!pathParams.isEmpty()) {
            ObjectNode pp = e.putObject("pathParameters");
            pathParams.forEach(pp::put);
        }
        if (body.length > 0) {
            boolean text = isText(ex.getRequestHeaders().getFirst("Content-Type"));
            e.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
            e.put("isBase64Encoded", !text);
        } else {
            e.put("isBase64Encoded", false);
        }
        return e;
    }

    private static String decodeQuery(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Writes a Lambda result back as API Gateway does with payload format 2.0. */
    private static int writeResponse(HttpExchange ex, String json, String functionId, boolean corsConfigured)
            throws IOException {
        JsonNode out;
        try {
            out = Http.JSON.readTree(json);
        } catch (IOException e) {
            System.out.println("[api] " + functionId + " returned a result that is not JSON");
            Http.sendJson(ex, 502, "{\"message\":\"Internal Server Error\"}");
            return 502;
        }
        if (out == null || !out.isObject() || !out.has("statusCode")) {
            // No statusCode: API Gateway answers 200 with the result as a JSON body.
            Http.send(ex, 200, "application/json", json.getBytes(StandardCharsets.UTF_8));
            return 200;
        }
        int status = out.get("statusCode").asInt();
        if (status < 100 || status > 599) {
            System.out.println("[api] " + functionId + " returned an invalid statusCode");
            Http.sendJson(ex, 502, "{\"message\":\"Internal Server Error\"}");
            return 502;
        }
        Headers h = ex.getResponseHeaders();
        for (Iterator<Map.Entry<String, JsonNode>> it = out.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNull() && !(corsConfigured && isCorsHeader(e.getKey()))) {
                h.add(e.getKey(), e.getValue().asText());
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = out.path("multiValueHeaders").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (corsConfigured && isCorsHeader(e.getKey())) {
                continue;
            }
            for (JsonNode v : e.getValue()) {
                h.add(e.getKey(), v.asText());
            }
        }
        for (JsonNode c : out.path("cookies")) {
            h.add("Set-Cookie", c.asText());
        }
        JsonNode bodyNode = out.get("body");
        byte[] body = new byte[0];
        if (bodyNode != null && !bodyNode.isNull()) {
            body = out.path("isBase64Encoded").asBoolean(false)
                    ? Base64.getDecoder().decode(bodyNode.asText())
                    : bodyNode.asText().getBytes(StandardCharsets.UTF_8);
        }
        String contentType = h.getFirst("Content-Type");
        Http.send(ex, status, contentType == null && body.length > 0 ? "application/json" : null, body);
        return status;
    }

    /** With a CorsConfiguration, API Gateway ignores the CORS headers an integration returns. */
    private static boolean isCorsHeader(String name) {
        return name.toLowerCase(Locale.ROOT).startsWith("access-control-");
    }

    // ------------------------------------------------------------------ runner endpoints

    private int local(HttpExchange ex, String method, String rawPath, byte[] body) throws IOException {
        if (method.equals("GET") && rawPath.equals("/_local/events")) {
            Http.send(ex, 200, "application/json", Http.JSON.writeValueAsBytes(events.published()));
            return 200;
        }
        if (!method.equals("POST")) {
            Http.sendJson(ex, 405, "{\"message\":\"Method Not Allowed\"}");
            return 405;
        }
        if (rawPath.equals("/_local/events") || rawPath.equals("/")) {
            JsonNode req;
            try {
                req = Http.JSON.readTree(body);
            } catch (IOException e) {
                req = null;
            }
            if (req == null || !req.path("Entries").isArray()) {
                Http.sendJson(ex, 400, "{\"__type\":\"ValidationException\",\"message\":\"Entries is required\"}");
                return 400;
            }
            JsonNode answer = events.putEvents(req.get("Entries"));
            Http.send(ex, 200, rawPath.equals("/") ? "application/x-amz-json-1.1" : "application/json",
                    Http.JSON.writeValueAsBytes(answer));
            return 200;
        }
        if (rawPath.startsWith("/_local/schedules/")) {
            String id = rawPath.substring("/_local/schedules/".length());
            Optional<FunctionHost.Result> r = schedules.fireNow(id);
            if (r.isEmpty()) {
                Http.sendJson(ex, 404, Http.JSON.createObjectNode().put("message", "No schedule for function " + id));
                return 404;
            }
            if (r.get().failed()) {
                ex.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
                Http.sendJson(ex, 502, Http.JSON.createObjectNode().put("errorMessage", r.get().errorMessage())
                        .put("errorType", r.get().errorType()));
                return 502;
            }
            Http.sendJson(ex, 200, r.get().json());
            return 200;
        }
        Http.sendJson(ex, 404, "{\"message\":\"Not Found\"}");
        return 404;
    }
}
