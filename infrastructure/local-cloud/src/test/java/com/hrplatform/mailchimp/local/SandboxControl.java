package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The Mailchimp sandbox as tests drive it: its own accounts, the Marketing API, the request log and faults. */
final class SandboxControl {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private SandboxControl() {
    }

    private static String root() {
        String base = LocalCloudFixture.get().sandboxUrl();
        return base.endsWith("/3.0") ? base.substring(0, base.length() - 4) : base;
    }

    /** A fresh sandbox account (seeded: "Employees" and "Vendors & Contractors" audiences) with its own key. */
    static JsonNode newAccount(String name) {
        String key = HexFormat.of().formatHex(randomBytes(16)) + "-us1";
        return control("POST", "/_sandbox/accounts", Map.of("apiKey", key, "accountName", name, "seed", true));
    }

    static String listId(JsonNode account, String name) {
        for (JsonNode list : account.path("lists")) {
            if (list.path("name").asText().equals(name)) {
                return list.path("id").asText();
            }
        }
        throw new IllegalStateException("No list called " + name + " in " + account);
    }

    static JsonNode control(String method, String path, Object body) {
        return call(method, root() + path, null, body);
    }

    static JsonNode api(String apiKey, String method, String path, Object body) {
        return call(method, root() + "/3.0" + path, apiKey, body);
    }

    /** Every member of an audience (all statuses), following the pages. */
    static List<JsonNode> members(String apiKey, String listId) {
        List<JsonNode> members = new ArrayList<>();
        for (int offset = 0; ; offset += 1000) {
            JsonNode page = api(apiKey, "GET", "/lists/" + listId + "/members?count=1000&offset=" + offset, null);
            page.path("members").forEach(members::add);
            if (page.path("members").size() < 1000) {
                return members;
            }
        }
    }

    /** Members of the audience's static segment (our tag) called {@code name}. */
    static List<String> taggedEmails(String apiKey, String listId, String name) {
        JsonNode segments = api(apiKey, "GET", "/lists/" + listId + "/segments?count=1000", null);
        for (JsonNode segment : segments.path("segments")) {
            if (segment.path("name").asText().equals(name)) {
                List<String> emails = new ArrayList<>();
                for (int offset = 0; ; offset += 1000) {
                    JsonNode page = api(apiKey, "GET", "/lists/" + listId + "/segments/" + segment.path("id").asText()
                            + "/members?count=1000&offset=" + offset, null);
                    page.path("members").forEach(member -> emails.add(member.path("email_address").asText()));
                    if (page.path("members").size() < 1000) {
                        return emails;
                    }
                }
            }
        }
        return List.of();
    }

    /** Marketing API requests the sandbox received for this key's lists, as [{method, path, status, members}]. */
    static List<JsonNode> requests(String pathPrefix) {
        List<JsonNode> matching = new ArrayList<>();
        for (JsonNode request : control("GET", "/_sandbox/requests", null)) {
            if (request.path("path").asText().startsWith(pathPrefix)) {
                matching.add(request);
            }
        }
        return matching;
    }

    private static JsonNode call(String method, String url, String apiKey, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(TrpcHttp.write(body)))
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("test:" + apiKey).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return response.body().isBlank() ? TrpcHttp.JSON.nullNode() : TrpcHttp.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("Sandbox call failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
