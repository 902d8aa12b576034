package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, point 6, end to end: a run waiting in its org's FIFO group behind other segments' slices keeps its
 * lease: it never shows as stalled, and a second request cannot take it over. The own-cloud JVM's leases last 10 s
 * and its slices one window of two people; with Mailchimp answering slowly, the last of 10 segments synced at once
 * waits behind 9 slices (about 2 s each), longer than its first lease.
 */
@Tag("own-cloud")
class QueuedRunLeaseEndToEndTest {
    private static final int SEGMENTS = 10;
    private static final int PEOPLE_PER_SEGMENT = 2;

    private Org org;

    @AfterEach
    void clearFaults() {
        clearFaultsOf(org);
    }

    @Test
    void aRunQueuedBehindOthersKeepsItsLeaseAndIsNotTakenOver() {
        org = connectedOrg("queued");
        assertEquals("10", System.getProperty("SYNC_LEASE_SECONDS"), "the short lease of the own-cloud local cloud");
        List<Map<String, Object>> people = new ArrayList<>();
        List<String> segments = new ArrayList<>();
        List<String> lastSegmentsPeople = new ArrayList<>();
        for (int s = 0; s < SEGMENTS; s++) {
            for (int p = 0; p < (s == 0 || s == SEGMENTS - 1 ? PEOPLE_PER_SEGMENT : 0); p++) {
                String email = unique("q" + s + "-" + p) + "@example.com";
                Map<String, Object> person = employee("e-" + s + "-" + p, email);
                person.put("department", "Dept " + s);
                people.add(person);
                if (s == SEGMENTS - 1) {
                    lastSegmentsPeople.add(email);
                }
            }
            segments.add(mutation(org.member(), "mailchimp.segments.create", Map.of("name", "Dept " + s,
                    "segmentType", "employee", "mailchimpListId", s % 2 == 0 ? org.employeesList() : org.vendorsList(),
                    "filterCriteria", Map.of("department", "Dept " + s))).data().path("id").asText());
        }
        importContacts(org, people);
        control("POST", "/_sandbox/faults", Map.of("apiKey", org.apiKey(), "kind", "latency", "latencyMs", 500));

        String queuedRun = null;
        for (String segment : segments) {
            queuedRun = mutation(org.member(), "mailchimp.segments.sync", Map.of("id", segment)).data().path("runId").asText();
        }
        String watched = segments.get(SEGMENTS - 1);
        Instant requestedAt = Instant.now();
        List<String> seen = new ArrayList<>();
        boolean triedTakeover = false;
        while (true) {
            JsonNode waiting = query(org.member(), "mailchimp.segments.get", Map.of("id", watched)).data();
            String status = waiting.path("status").asText();
            long elapsed = Duration.between(requestedAt, Instant.now()).toSeconds();
            if (!status.equals("syncing")) {
                seen.add(status + " " + waiting.path("lastError").asText() + " after " + elapsed + " s");
                break;
            }
            if (!triedTakeover && elapsed > 11) {
                // Past its first lease and not yet started: a new request must still find the queued run running.
                triedTakeover = true;
                assertFalse(inAudience(org.vendorsList(), lastSegmentsPeople), "the watched run is still waiting in the queue");
                assertEquals("CONFLICT", mutation(org.member(), "mailchimp.segments.sync", Map.of("id", watched)).errorCode(),
                        "the queued run is not taken over");
            }
            assertTrue(elapsed < 180, "all runs end");
            pause();
        }
        assertTrue(triedTakeover, () -> "the watched run waited longer than its lease: " + seen);
        JsonNode done = query(org.member(), "mailchimp.segments.get", Map.of("id", watched)).data();
        assertEquals("synced", done.path("status").asText(), () -> "never stalled: " + seen + " " + done);
        assertEquals(queuedRun, done.path("lastRun").path("runId").asText(), "its own run finished it");
        assertEquals(PEOPLE_PER_SEGMENT, done.path("lastRun").path("added").asInt());
        assertTrue(inAudience(org.vendorsList(), lastSegmentsPeople));
    }

    /** Whether any of these addresses is in the audience yet (read through the sandbox's control API, past faults). */
    private boolean inAudience(String listId, List<String> emails) {
        for (String email : emails) {
            JsonNode member = control("GET", "/_sandbox/members?apiKey=" + org.apiKey() + "&listId=" + listId + "&email="
                    + URLEncoder.encode(email, StandardCharsets.UTF_8), null);
            if (member.path("status").isTextual()) {
                return true;
            }
        }
        return false;
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
