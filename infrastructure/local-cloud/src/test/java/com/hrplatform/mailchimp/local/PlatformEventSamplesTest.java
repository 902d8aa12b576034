package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.events.PlatformEvent;
import com.hrplatform.mailchimp.json.JsonOut;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * events/published/ documents each event the functions put for the platform: one sample per detail-type, shaped as
 * EventBridge delivers it, whose detail has exactly the fields the code writes (and no address).
 */
class PlatformEventSamplesTest {
    private static final Path PUBLISHED = TemplateChecksTestSupport.repoRoot().resolve("events").resolve("published");

    /** What the code makes, one of each kind. */
    private static final List<PlatformEvent> MADE = List.of(
            PlatformEvent.memberChanged(PlatformEvent.MEMBER_UNSUBSCRIBED, "o", "l", List.of("employee#e"), "t", "x"),
            PlatformEvent.memberChanged(PlatformEvent.MEMBER_CLEANED, "o", "l", List.of("employee#e"), "t", "x"),
            PlatformEvent.memberChanged(PlatformEvent.MEMBER_RESUBSCRIBED, "o", "l", List.of("employee#e"), "t", "x"),
            PlatformEvent.erasureCompleted("o", "r", List.of("vendor#v"), 1, "t"),
            PlatformEvent.syncRunEnded("o", "s", "l", "r", "manual", "synced", "t", "t", Map.of("added", 1, "updated", 0,
                    "unchanged", 0, "archived", 0, "unsubscribed", 0, "pendingConfirmation", 0, "skipped", Map.of(),
                    "failed", 0)),
            PlatformEvent.connectionBroken("o", "t", "sync", "t"));

    @Test
    void oneSamplePerKindWithTheFieldsTheCodeWrites() throws IOException {
        Map<String, JsonNode> samples = new TreeMap<>();
        try (Stream<Path> files = Files.list(PUBLISHED)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                JsonNode sample = TrpcHttp.JSON.readTree(file.toFile());
                assertEquals(PlatformEvent.SOURCE, sample.path("source").asText(), file::toString);
                assertFalse(sample.toString().contains("@"), () -> "no address in " + file);
                samples.put(sample.path("detail-type").asText(), sample.path("detail"));
            }
        }
        Map<String, JsonNode> made = new TreeMap<>();
        for (PlatformEvent event : MADE) {
            made.put(event.detailType(), TrpcHttp.JSON.readTree(JsonOut.write(event.detail())));
        }
        assertEquals(made.keySet(), samples.keySet(), "a sample of each kind the code puts");
        made.forEach((type, detail) -> {
            assertEquals(fields(detail), fields(samples.get(type)), () -> type + ": the sample's detail fields");
            if (detail.has("entities")) {
                assertEquals(fields(detail.path("entities").get(0)), fields(samples.get(type).path("entities").get(0)),
                        () -> type + ": an entity's fields");
            }
            if (detail.has("counts")) {
                assertEquals(fields(detail.path("counts")), fields(samples.get(type).path("counts")), () -> type + ": counts");
            }
        });
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
