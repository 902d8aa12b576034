package com.hrplatform.mailchimp.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.json.JsonFields;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** One attempt's result: Mailchimp's JSON body, or the failure (problem+json mapped to a kind) and its Retry-After. */
record Outcome(JsonNode body, MailchimpException error, Duration retryAfter) {

    /** What Mailchimp's answer means: the body, or the failure and when to try again. */
    static Outcome of(HttpResponse<byte[]> response) {
        return of(response, null);
    }

    /** @param kept the parts of a successful answer to read (null: all of it); a failure's body is read whole */
    static Outcome of(HttpResponse<byte[]> response, JsonFields kept) {
        int status = response.statusCode();
        boolean success = status >= 200 && status < 300;
        Optional<JsonNode> json = parseJson(response.body(), success ? kept : null);
        if (success) {
            if (status == 204 || response.body().length == 0) {
                return new Outcome(MissingNode.getInstance(), null, null);
            }
            return json.map(body -> new Outcome(body, null, null))
                    .orElseGet(() -> failed(MailchimpException.Kind.UNAVAILABLE, status, "Mailchimp answered with something that is not JSON", null, null));
        }
        String title = json.map(node -> node.path("title").asText(null)).orElse(null);
        String detail = json.map(node -> node.path("detail").asText(null)).orElse(null);
        if (title == null) {
            title = "HTTP " + status;
        }
        Duration retryAfter = response.headers().firstValue("Retry-After").flatMap(Outcome::seconds).orElse(null);
        if (status == 429) {
            return failed(MailchimpException.Kind.RATE_LIMITED, status, title, detail, retryAfter);
        }
        if (status >= 500 || ((status == 403 || status == 503) && json.isEmpty())) {
            // A non-JSON 403/503 comes from Mailchimp's edge under load, not from the API: transient.
            return failed(MailchimpException.Kind.UNAVAILABLE, status, title, detail, retryAfter);
        }
        if (status == 401 || status == 403) {
            return failed(MailchimpException.Kind.INVALID_KEY, status, title, detail, null);
        }
        if (status == 404) {
            return failed(MailchimpException.Kind.NOT_FOUND, status, title, detail, null);
        }
        return failed(MailchimpException.Kind.REJECTED, status, title, detail, null);
    }

    static Outcome failed(MailchimpException.Kind kind, int status, String title, String detail, Duration retryAfter) {
        return new Outcome(null, new MailchimpException(kind, status, title, detail), retryAfter);
    }

    private static Optional<JsonNode> parseJson(byte[] body, JsonFields kept) {
        if (body == null || body.length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode node = kept == null ? Json.read(body) : kept.read(body);
            return node != null && node.isContainerNode() ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> seconds(String header) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
