package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Calls the local cloud's tRPC API over real HTTP, as a dashboard would (GET queries, POST mutations). */
final class TrpcHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Answer(int status, JsonNode body) {
        JsonNode data() {
            assertEquals(200, status, () -> "expected success, got " + status + " " + body);
            return body.path("result").path("data");
        }

        String errorCode() {
            return body.path("error").path("data").path("code").asText();
        }

        String message() {
            return body.path("error").path("message").asText();
        }
    }

    private TrpcHttp() {
    }

    static Answer query(String token, String procedure, Object input) {
        String url = LocalCloudFixture.get().apiUrl() + "/trpc/" + procedure
                + (input == null ? "" : "?input=" + URLEncoder.encode(write(input), StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), token);
    }

    static Answer mutation(String token, String procedure, Object input) {
        String url = LocalCloudFixture.get().apiUrl() + "/trpc/" + procedure;
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(input == null ? "" : write(input))), token);
    }

    static Answer send(HttpRequest.Builder request, String token) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
            return new Answer(response.statusCode(), body);
        } catch (IOException e) {
            throw new IllegalStateException("API call failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String write(Object value) {
        try {
            return value instanceof String text ? text : JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
