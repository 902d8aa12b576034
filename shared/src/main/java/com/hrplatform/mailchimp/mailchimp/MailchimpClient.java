package com.hrplatform.mailchimp.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.json.JsonFields;
import com.hrplatform.mailchimp.json.RawJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Mailchimp Marketing API over the JDK's HttpClient: Basic auth with the org's key, the data centre's
 * base URL (or an override for the sandbox), timeouts, problem+json mapped to {@link MailchimpException},
 * bounded retries with backoff and jitter for transient failures only, and an in-process bound on
 * simultaneous requests per key (Mailchimp allows 10 per key across all our functions).
 */
public class MailchimpClient {
    public static final int DEFAULT_CONCURRENCY_PER_KEY = 5;
    /** An attempt given less time than this would only time out. */
    private static final Duration MIN_ATTEMPT = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(MailchimpClient.class);
    private static final int AUDIENCE_PAGE_SIZE = 1000;

    private volatile HttpClient http;
    private final String baseUrlOverride;
    private final Duration requestTimeout;
    private final RetryPolicy retryPolicy;
    private final int concurrencyPerKey;
    private final KeyBudget budget;
    private final Map<MailchimpApiKey, Semaphore> permits = new ConcurrentHashMap<>();

    public MailchimpClient(String baseUrlOverride, Duration requestTimeout, RetryPolicy retryPolicy, int concurrencyPerKey) {
        this(baseUrlOverride, requestTimeout, retryPolicy, concurrencyPerKey, KeyBudget.UNBOUNDED);
    }

    /** @param budget the key's simultaneous requests across every container (Mailchimp allows 10) */
    public MailchimpClient(String baseUrlOverride, Duration requestTimeout, RetryPolicy retryPolicy, int concurrencyPerKey,
                           KeyBudget budget) {
        this.budget = budget;
        this.baseUrlOverride = baseUrlOverride == null || baseUrlOverride.isBlank() ? null : stripSlash(baseUrlOverride);
        this.requestTimeout = requestTimeout;
        this.retryPolicy = retryPolicy;
        this.concurrencyPerKey = concurrencyPerKey;
    }

    public record Account(String accountId, String accountName) {
    }

    public record Audience(String id, String name, long memberCount) {
    }

    /** {@code GET /3.0/}: proves the key works and names the account. */
    public Account account(MailchimpApiKey key) {
        JsonNode root = get(key, "/");
        return new Account(root.path("account_id").asText(null), root.path("account_name").asText(null));
    }

    /** Every audience (list) of the account, all pages. */
    public List<Audience> audiences(MailchimpApiKey key) {
        List<Audience> audiences = new ArrayList<>();
        int offset = 0;
        while (true) {
            JsonNode page = get(key, "/lists?fields=lists.id,lists.name,lists.stats.member_count,total_items&count="
                    + AUDIENCE_PAGE_SIZE + "&offset=" + offset);
            JsonNode lists = page.path("lists");
            for (JsonNode list : lists) {
                audiences.add(new Audience(list.path("id").asText(), list.path("name").asText(),
                        list.path("stats").path("member_count").asLong()));
            }
            offset += lists.size();
            if (lists.isEmpty() || offset >= page.path("total_items").asLong()) {
                return audiences;
            }
        }
    }

    /** A marketing permission (GDPR field) of an audience. */
    public record MarketingPermission(String id, String text) {
    }

    /**
     * An audience's marketing permissions: {@code enabled} is the audience's own flag; the permissions themselves
     * Mailchimp shows only on members, so they are read from one member (none when the audience has no member yet).
     * {@link MailchimpException} NOT_FOUND when the audience is not the account's.
     */
    public record AudiencePermissions(boolean enabled, boolean hasMembers, List<MarketingPermission> permissions) {
    }

    public AudiencePermissions marketingPermissions(MailchimpApiKey key, String listId) {
        JsonNode list = get(key, "/lists/" + listId + "?fields=id,marketing_permissions");
        if (!list.path("marketing_permissions").asBoolean(false)) {
            return new AudiencePermissions(false, false, List.of());
        }
        JsonNode members = get(key, "/lists/" + listId + "/members?count=1&fields=members.marketing_permissions").path("members");
        List<MarketingPermission> permissions = new ArrayList<>();
        for (JsonNode member : members) {
            for (JsonNode permission : member.path("marketing_permissions")) {
                permissions.add(new MarketingPermission(permission.path("marketing_permission_id").asText(),
                        permission.path("text").asText("")));
            }
        }
        return new AudiencePermissions(true, !members.isEmpty(), permissions);
    }

    /** A stretch of many requests for the key from this container, see {@link KeyBudget#session}. */
    public KeyBudget.Session budgetSession(MailchimpApiKey key) {
        return budget.session(key);
    }

    public JsonNode get(MailchimpApiKey key, String pathAndQuery) {
        return send(key, "GET", pathAndQuery, null);
    }

    /**
     * Sends one request, retrying transient failures. Answers the JSON body, or a missing node for 204.
     *
     * @param body any JSON-serialisable value, a {@link RawJson}, or null for none
     */
    public JsonNode send(MailchimpApiKey key, String method, String pathAndQuery, Object body) {
        return send(key, method, pathAndQuery, body, null);
    }

    /**
     * {@link #send(MailchimpApiKey, String, String, Object)} inside one of the caller's request slots: a
     * slot is held only while a request is on the wire (not while its body is written out or its answer
     * parsed, nor between retries), so a caller's limit counts exactly its requests in flight.
     */
    public JsonNode send(MailchimpApiKey key, String method, String pathAndQuery, Object body, Semaphore requestSlots) {
        return send(key, method, pathAndQuery, body, requestSlots, true);
    }

    /**
     * @param repeatable false for a request that must not be sent twice blindly (a batch add): only a 429, which
     *                   Mailchimp answers before doing anything, is retried; a timeout or a 5xx is thrown at once
     *                   for the caller to find out what happened
     */
    public JsonNode send(MailchimpApiKey key, String method, String pathAndQuery, Object body, Semaphore requestSlots,
                         boolean repeatable) {
        return send(key, method, pathAndQuery, body, requestSlots, repeatable, null);
    }

    /**
     * @param kept the parts of a successful answer the caller reads (null: all); for requests that take no
     *             {@code fields=} and answer much more than is used, such as a batch add's whole new members
     */
    public JsonNode send(MailchimpApiKey key, String method, String pathAndQuery, Object body, Semaphore requestSlots,
                         boolean repeatable, JsonFields kept) {
        byte[] requestBody = body == null ? null : body instanceof RawJson raw ? raw.utf8()
                : Json.write(body).getBytes(StandardCharsets.UTF_8);
        Instant deadline = CallDeadline.current().orElse(null);
        for (int attempt = 1; ; attempt++) {
            Duration timeout = timeoutWithin(deadline);
            if (timeout == null) {
                throw new MailchimpException(MailchimpException.Kind.TIMEOUT, 0, "Mailchimp did not answer in time", null);
            }
            Outcome outcome = attempt(key, method, pathAndQuery, requestBody, requestSlots, timeout, kept);
            if (outcome.error() == null) {
                return outcome.body();
            }
            boolean retryable = outcome.error().isTransient()
                    && (repeatable || outcome.error().kind() == MailchimpException.Kind.RATE_LIMITED);
            if (!retryable || attempt >= retryPolicy.maxAttempts()) {
                throw outcome.error();
            }
            Duration delay = retryPolicy.delayAfter(attempt, outcome.retryAfter());
            if (deadline != null && Instant.now().plus(delay).plus(MIN_ATTEMPT).isAfter(deadline)) {
                throw outcome.error(); // no time left for another attempt: the caller answers now
            }
            LOG.warn("Mailchimp request will be retried", entry("method", method), entry("path", pathOnly(pathAndQuery)),
                    entry("status", outcome.error().status()), entry("attempt", attempt), entry("delayMs", delay.toMillis()));
            try {
                retryPolicy.sleeper().sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw outcome.error();
            }
        }
    }

    /** Built on first use (TLS set-up is costly): a cold start that never calls Mailchimp does not pay for it. */
    private HttpClient http() {
        HttpClient client = http;
        if (client == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(3))
                            .build();
                }
                client = http;
            }
        }
        return client;
    }

    /** The timeout of the next attempt: the client's, shortened to the deadline; null when no attempt fits. */
    private Duration timeoutWithin(Instant deadline) {
        if (deadline == null) {
            return requestTimeout;
        }
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.compareTo(MIN_ATTEMPT) < 0) {
            return null;
        }
        return left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
    }

    private Outcome attempt(MailchimpApiKey key, String method, String pathAndQuery, byte[] requestBody,
                            Semaphore requestSlots, Duration timeout, JsonFields kept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl(key) + pathAndQuery))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(("anystring:" + key.value()).getBytes(StandardCharsets.UTF_8)))
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .method(method, requestBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(requestBody));
        Semaphore semaphore = permits.computeIfAbsent(key, k -> new Semaphore(concurrencyPerKey, true));
        HttpResponse<byte[]> response;
        KeyBudget.Slot held = null;
        try {
            if (requestSlots != null) {
                requestSlots.acquire();
            }
            try {
                semaphore.acquire();
                try {
                    long startedWaiting = System.nanoTime();
                    Optional<KeyBudget.Slot> slot = budget.acquire(key, timeout);
                    Duration left = timeout.minusNanos(System.nanoTime() - startedWaiting);
                    if (slot.isEmpty() || left.isNegative() || left.isZero()) {
                        slot.ifPresent(KeyBudget.Slot::close);
                        // Nothing was sent: like Mailchimp's own 429, worth another attempt after a pause.
                        return Outcome.failed(MailchimpException.Kind.RATE_LIMITED, 429,
                                "Mailchimp's simultaneous requests for this key are all in use", null, null);
                    }
                    held = slot.get();
                    response = http().send(request.timeout(left).build(), HttpResponse.BodyHandlers.ofByteArray());
                } finally {
                    semaphore.release();
                }
            } finally {
                if (requestSlots != null) {
                    requestSlots.release();
                }
            }
        } catch (HttpTimeoutException e) {
            return Outcome.failed(MailchimpException.Kind.TIMEOUT, 0, "Mailchimp did not answer in time", null, null);
        } catch (IOException e) {
            return Outcome.failed(MailchimpException.Kind.UNAVAILABLE, 0, "Mailchimp could not be reached", null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed(MailchimpException.Kind.UNAVAILABLE, 0, "Interrupted while calling Mailchimp", null, null);
        } finally {
            // After the caller's slots are free: freeing the key's slot is not on the caller's path.
            if (held != null) {
                held.close();
            }
        }
        return Outcome.of(response, kept);
    }

    private String baseUrl(MailchimpApiKey key) {
        return baseUrlOverride != null ? baseUrlOverride : "https://" + key.dataCenter() + ".api.mailchimp.com/3.0";
    }

    /** The path as logs may show it: no query, and no subscriber hash (a member's id identifies a person). */
    static String pathOnly(String pathAndQuery) {
        int query = pathAndQuery.indexOf('?');
        String path = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
        return path.replaceAll("/members/[^/]+", "/members/{hash}");
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
