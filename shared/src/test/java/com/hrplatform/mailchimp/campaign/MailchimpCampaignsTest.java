package com.hrplatform.mailchimp.campaign;

import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.RetryPolicy;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The request {@link MailchimpCampaigns#recent} sends, captured by a local server, and how it reads the answer. */
class MailchimpCampaignsTest {
    private static final MailchimpApiKey KEY = MailchimpApiKey.of("0123456789abcdef0123456789abcdef-us1");

    private HttpServer server;
    private final List<URI> requests = new CopyOnWriteArrayList<>();
    private MailchimpCampaigns campaigns;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI());
            byte[] body = ("{\"campaigns\":[{\"id\":\"b2\",\"status\":\"save\",\"emails_sent\":0,\"send_time\":\"\","
                    + "\"recipients\":{\"list_id\":\"l1\"},\"settings\":{\"title\":\"Draft\",\"subject_line\":\"\"}},"
                    + "{\"id\":\"a1\",\"status\":\"sent\",\"emails_sent\":20,\"send_time\":\"2026-11-30T09:00:00+00:00\","
                    + "\"recipients\":{\"list_id\":\"l1\"},\"settings\":{\"title\":\"News\",\"subject_line\":\"Hi\"}}]}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        campaigns = new MailchimpCampaigns(new MailchimpClient("http://127.0.0.1:" + server.getAddress().getPort() + "/3.0/",
                Duration.ofSeconds(2), new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10), d -> { }), 2));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void asksForTheNewestByCreationWithOnlyTheFieldsItReads() {
        List<MailchimpCampaign> recent = campaigns.recent(KEY, 20);

        assertEquals(1, requests.size());
        URI sent = requests.get(0);
        assertEquals("/3.0/campaigns", sent.getPath());
        Map<String, String> query = Arrays.stream(sent.getQuery().split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> p[1], (a, b) -> b, LinkedHashMap::new));
        assertEquals(Map.of("count", "20", "sort_field", "create_time", "sort_dir", "DESC", "fields", query.get("fields")), query);
        assertEquals(Set.of("campaigns.id", "campaigns.status", "campaigns.emails_sent", "campaigns.send_time",
                "campaigns.recipients.list_id", "campaigns.settings.title", "campaigns.settings.subject_line"),
                Set.of(query.get("fields").split(",")));

        assertEquals(List.of("b2", "a1"), recent.stream().map(MailchimpCampaign::id).toList(), "Mailchimp's order kept");
        assertEquals(CampaignStatus.fromMailchimp("save", 0), recent.get(0).status());
        assertNull(recent.get(0).sendTime(), "a draft's empty send_time");
        assertNull(recent.get(0).subjectLine());
        assertEquals("2026-11-30T09:00:00.000Z", recent.get(1).sendTime());
        assertEquals("News", recent.get(1).title());
        assertNull(recent.get(1).report(), "no report is read for a list");
    }
}
