package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.cloud;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every function of template.yaml has a sample event in {@code events/}, and each sample works through the Lambda
 * Invoke API of the local cloud (what {@code sam local invoke -e} does where Docker exists): the function answers,
 * without a function error and without a 5xx. In the own-cloud JVM and last there, because the daily fan-out and
 * the stats refresh act on every org of the cloud they run in.
 */
@Tag("own-cloud")
@Order(Integer.MAX_VALUE)
class SampleEventsInvokeTest {
    /** Function -> its sample events (paths under events/). */
    private static final Map<String, List<String>> SAMPLES = Map.ofEntries(
            Map.entry("ConnectionFunction", List.of("connection-get.json", "connection-connect.json",
                    "connection-marketing-permissions.json", "connection-get-mapping.json")),
            Map.entry("AuditFunction", List.of("audit-list.json")),
            Map.entry("TrpcFallbackFunction", List.of("trpc-unknown-procedure.json")),
            Map.entry("CampaignsFunction", List.of("campaigns-list.json", "campaigns-get.json", "campaigns-recent.json",
                    "campaigns-track-campaign.json", "campaigns-refresh-stats.json")),
            Map.entry("CampaignStatsRefreshFunction", List.of("scheduled/campaign-stats-refresh.json")),
            Map.entry("ContactsFunction", List.of("contacts-import.json")),
            Map.entry("ContactEventsFunction", List.of("eventbridge/contact-upserted.json")),
            Map.entry("SegmentsFunction", List.of("segments-list.json", "segments-preview.json", "segments-runs.json")),
            Map.entry("SegmentSyncFunction", List.of("sqs/segment-sync.json", "sqs/segment-sync-changes.json")),
            Map.entry("ScheduledSyncFunction", List.of("scheduled/daily-sync.json")),
            Map.entry("PreferencesFunction", List.of("preferences-get-for-entity.json", "preferences-list.json",
                    "preferences-update-opt-status.json", "preferences-gdpr-delete.json")),
            Map.entry("ConsentWorkerFunction", List.of("sqs/consent-unsubscribe.json")),
            Map.entry("MailchimpWebhookFunction", List.of("webhook/mailchimp-unsubscribe.json")));

    private static final Path EVENTS = TemplateChecksTestSupport.repoRoot().resolve("events");

    @Test
    void everyFunctionHasASampleAndEverySampleBelongsToAFunction() throws IOException {
        JsonNode template = TemplateChecksTestSupport.read(TemplateChecksTestSupport.projectTemplate());
        Set<String> functions = new TreeSet<>(TemplateChecksTestSupport.resourcesOfType(template,
                TemplateChecksTestSupport.SERVERLESS_FUNCTION).keySet());
        assertEquals(functions, new TreeSet<>(SAMPLES.keySet()), "functions of template.yaml with a sample event");
        Set<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(EVENTS)) {
            // events/published/: what the functions put for the platform, not inputs (PlatformEventSamplesTest).
            walk.filter(path -> path.toString().endsWith(".json") && !EVENTS.relativize(path).startsWith("published"))
                    .forEach(path -> files.add(EVENTS.relativize(path).toString()));
        }
        Set<String> named = new TreeSet<>();
        SAMPLES.values().forEach(named::addAll);
        assertEquals(files, named, "sample events in events/ and those named here");
    }

    @Test
    void everySampleWorksThroughTheInvokeApi() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<String>> function : new java.util.TreeMap<>(SAMPLES).entrySet()) {
            for (String sample : function.getValue()) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(cloud().invokeUrl()
                                + "/2015-03-31/functions/" + function.getKey() + "/invocations"))
                        .POST(HttpRequest.BodyPublishers.ofFile(EVENTS.resolve(sample))).build(),
                        HttpResponse.BodyHandlers.ofString());
                String where = function.getKey() + " with " + sample + ": ";
                if (answer.statusCode() != 200 || answer.headers().firstValue("X-Amz-Function-Error").isPresent()) {
                    problems.add(where + answer.statusCode() + " " + answer.body());
                    continue;
                }
                JsonNode payload = answer.body().isBlank() ? null : TrpcHttp.JSON.readTree(answer.body());
                if (payload != null && payload.has("statusCode") && payload.path("statusCode").asInt() >= 500) {
                    problems.add(where + "HTTP " + payload.path("statusCode").asInt() + " " + payload.path("body").asText());
                }
                if (payload != null && payload.has("batchItemFailures") && !payload.path("batchItemFailures").isEmpty()) {
                    problems.add(where + "failed items " + payload.path("batchItemFailures"));
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }
}
