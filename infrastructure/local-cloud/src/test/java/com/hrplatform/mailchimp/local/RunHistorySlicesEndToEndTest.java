package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, "Run history", for a run of many slices (this JVM's cloud reads two people a window and ends a slice
 * after each): every slice's skips reach the run's history, each once.
 */
@Tag("own-cloud")
class RunHistorySlicesEndToEndTest {

    @Test
    @DisplayName("a run of many slices lists every slice's skips once")
    void everySlicesSkipsOnce() {
        Org org = connectedOrg("runs-slices");
        List<Map<String, Object>> people = new ArrayList<>();
        Set<String> optedOut = new TreeSet<>();
        for (int i = 0; i < 12; i++) {
            people.add(employee("emp-" + i, unique("p" + i) + "@example.com"));
        }
        importContacts(org, people);
        for (int i = 0; i < 12; i += 2) {
            mutation(org.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-" + i,
                    "entityType", "employee", "optedIn", false, "source", "preference-centre")).data();
            optedOut.add("emp-" + i);
        }
        String segmentId = segment(org, "Engineering S", org.employeesList());
        JsonNode run = sync(org, segmentId).path("lastRun");
        String runId = run.path("runId").asText();
        long slices = capturedOutput().lines().filter(line -> line.contains("Sync slice done, run continues")
                && line.contains(runId)).count();
        assertTrue(slices >= 3, () -> "a run of several slices: " + slices);
        assertEquals(6, run.path("skipped").path("no_consent").asInt(), run::toString);

        JsonNode listed = query(org.member(), "mailchimp.segments.runs", Map.of("id", segmentId)).data().path("items").get(0);
        assertEquals(6, listed.path("issuesKept").asInt(), listed::toString);
        List<String> rows = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> input = new java.util.HashMap<>(Map.of("id", segmentId, "runId", runId));
            if (cursor != null) {
                input.put("cursor", cursor);
            }
            JsonNode page = query(org.admin(), "mailchimp.segments.runIssues", input).data();
            page.path("items").forEach(row -> {
                assertEquals("no_consent", row.path("reason").asText());
                assertTrue(row.path("email").asText().endsWith("@example.com"), row::toString);
                rows.add(row.path("entityId").asText());
            });
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        assertEquals(6, rows.size(), () -> "each once: " + rows);
        assertEquals(optedOut, new TreeSet<>(rows));
    }
}
