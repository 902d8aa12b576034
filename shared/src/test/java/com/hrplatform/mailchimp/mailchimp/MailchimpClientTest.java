package com.hrplatform.mailchimp.mailchimp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client's HTTP behaviour against a scripted local server (the real sandbox is used end to end). */
class MailchimpClientTest {
    private static final MailchimpApiKey KEY = MailchimpApiKey.of("0123456789abcdef0123456789abcdef-us1");

    private record Scripted(int status, String contentType, String body, long delayMs) {
    }

    private HttpServer server;
    private final ConcurrentLinkedQueue<Scripted> script = new ConcurrentLinkedQueue<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<Duration> sleeps = new ArrayList<>();
    private MailchimpClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::answer);
        server.start();
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), sleeps::add);
        client = new MailchimpClient("http://127.0.0.1:" + server.getAddress().getPort() + "/3.0/",
                Duration.ofMillis(500), policy, 5);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        Scripted next = script.poll();
        if (next == null) {
            next = new Scripted(500, "application/problem+json", "{\"title\":\"Unscripted\",\"status\":500}", 0);
        }
        try {
            Thread.sleep(next.delayMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] body = next.body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", next.contentType);
        exchange.sendResponseHeaders(next.status, next.status == 204 ? -1 : body.length);
        if (next.status != 204) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private void then(int status, String body) {
        script.add(new Scripted(status, status >= 400 ? "application/problem+json" : "application/json", body, 0));
    }

    @Test
    void sendsBasicAuthWithTheKeyToTheBaseUrl() {
        then(200, "{\"account_id\":\"acc-1\",\"account_name\":\"Acme\"}");
        MailchimpClient.Account account = client.account(KEY);
        assertEquals("acc-1", account.accountId());
        assertEquals("Acme", account.accountName());
        assertEquals(List.of("GET /3.0/"), requests);
        String credentials = new String(Base64.getDecoder().decode(authorizations.get(0).substring("Basic ".length())),
                StandardCharsets.UTF_8);
        assertTrue(credentials.endsWith(":" + KEY.value()));
    }

    @Test
    void readsEveryPageOfAudiences() {
        then(200, "{\"lists\":[{\"id\":\"a\",\"name\":\"A\",\"stats\":{\"member_count\":3}}],\"total_items\":2}");
        then(200, "{\"lists\":[{\"id\":\"b\",\"name\":\"B\",\"stats\":{\"member_count\":0}}],\"total_items\":2}");
        var audiences = client.audiences(KEY);
        assertEquals(List.of(new MailchimpClient.Audience("a", "A", 3), new MailchimpClient.Audience("b", "B", 0)), audiences);
        assertTrue(requests.get(1).contains("offset=1"), requests.get(1));
    }

    @Test
    void retriesRateLimitingThenSucceeds() {
        then(429, "{\"title\":\"Too Many Requests\",\"status\":429}");
        then(429, "{\"title\":\"Too Many Requests\",\"status\":429}");
        then(200, "{\"account_id\":\"acc-1\",\"account_name\":\"Acme\"}");
        assertEquals("acc-1", client.account(KEY).accountId());
        assertEquals(3, requests.size());
        assertEquals(2, sleeps.size());
        assertTrue(sleeps.stream().allMatch(d -> !d.isNegative() && d.compareTo(Duration.ofSeconds(1)) <= 0), sleeps.toString());
    }

    @Test
    void htmlServiceUnavailableIsTransientAndReportedAfterTheRetries() {
        for (int i = 0; i < 3; i++) {
            script.add(new Scripted(503, "text/html", "<html><body>Service Unavailable</body></html>", 0));
        }
        MailchimpException e = assertThrows(MailchimpException.class, () -> client.account(KEY));
        assertEquals(MailchimpException.Kind.UNAVAILABLE, e.kind());
        assertEquals(3, requests.size());
    }

    @Test
    void timeoutsAreRetriedAndReportedAsTimeout() {
        for (int i = 0; i < 3; i++) {
            script.add(new Scripted(200, "application/json", "{}", 1500));
        }
        MailchimpException e = assertThrows(MailchimpException.class, () -> client.account(KEY));
        assertEquals(MailchimpException.Kind.TIMEOUT, e.kind());
        assertEquals(3, requests.size());
    }

    @Test
    void invalidKeyIsNotRetried() {
        then(401, "{\"type\":\"x\",\"title\":\"API Key Invalid\",\"status\":401,\"detail\":\"Your API key may be invalid.\"}");
        MailchimpException e = assertThrows(MailchimpException.class, () -> client.account(KEY));
        assertEquals(MailchimpException.Kind.INVALID_KEY, e.kind());
        assertEquals("API Key Invalid", e.title());
        assertEquals(1, requests.size());
        assertFalse(e.getMessage().contains(KEY.value()));
    }

    @Test
    void permanentRejectionsKeepMailchimpsTitleAndAreNotRetried() {
        then(400, "{\"title\":\"Member In Compliance State\",\"status\":400,\"detail\":\"cannot be re-subscribed\"}");
        MailchimpException e = assertThrows(MailchimpException.class,
                () -> client.send(KEY, "PATCH", "/lists/l1/members/abc", java.util.Map.of("status", "subscribed")));
        assertEquals(MailchimpException.Kind.REJECTED, e.kind());
        assertEquals("Member In Compliance State", e.title());
        assertEquals(1, requests.size());
    }

    @Test
    void noContentAnswersAMissingNode() {
        then(204, "");
        assertTrue(client.send(KEY, "POST", "/lists/l1/members/abc/actions/delete-permanent", null).isMissingNode());
    }

    @Test
    void noAttemptStartsThatCannotFinishBeforeTheInvocationsDeadline() {
        // Issue 11, point 7: 3 attempts of 500 ms plus backoff would outlast a 1.2 s deadline.
        client = new MailchimpClient("http://127.0.0.1:" + server.getAddress().getPort() + "/3.0/", Duration.ofSeconds(10),
                new RetryPolicy(4, Duration.ofMillis(300), Duration.ofSeconds(1), duration -> Thread.sleep(duration.toMillis())), 5);
        for (int i = 0; i < 4; i++) {
            script.add(new Scripted(503, "text/html", "<html>busy</html>", 700));
        }
        long started = System.nanoTime();
        MailchimpException e = assertThrows(MailchimpException.class, () -> CallDeadline.within(
                java.time.Instant.now().plusMillis(1200), () -> client.get(KEY, "/lists")));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMs < 1400, "answered within the deadline, took " + tookMs + " ms");
        assertTrue(e.isTransient());
        assertTrue(requests.size() <= 2, "no attempt it could not finish: " + requests);
    }

    @Test
    void loggedPathsNeverCarryASubscriberHash() {
        assertEquals("/lists/abc/members/{hash}/tags",
                MailchimpClient.pathOnly("/lists/abc/members/0123456789abcdef0123456789abcdef/tags?fields=x"));
        assertEquals("/lists/abc/segments/12", MailchimpClient.pathOnly("/lists/abc/segments/12"));
    }
}
