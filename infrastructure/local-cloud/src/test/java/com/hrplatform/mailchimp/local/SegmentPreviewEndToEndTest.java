package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, preview: {@code mailchimp.segments.preview} through the API, the Mailchimp sandbox and dynalite. A segment
 * with new people, people whose names or address changed, an opted-out person, an erased one, one unsubscribed in
 * Mailchimp and one who leaves: the preview writes nothing (the sandbox saw only GETs, no table changed, the segment is
 * as it was, a second preview says the same), then the sync reports exactly the counts the preview predicted.
 */
class SegmentPreviewEndToEndTest {
    private static final List<String> RUN_FIELDS = List.of("added", "updated", "unchanged", "archived", "unsubscribed",
            "pendingConfirmation", "skipped", "failed");

    @BeforeAll
    static void start() {
        cloud();
    }

    private static Map<String, Object> person(String id, String email, String lastName, String department) {
        Map<String, Object> contact = new LinkedHashMap<>(employee(id, email));
        contact.put("lastName", lastName);
        contact.put("department", department);
        return contact;
    }

    private static JsonNode preview(String token, String segmentId) {
        return query(token, "mailchimp.segments.preview", Map.of("id", segmentId)).data();
    }

    /**
     * Every item of every table that mentions the org, and the Mailchimp key budget's slots: what a preview must leave
     * as it was (a slot is taken for each request and given back).
     */
    private static Map<String, List<String>> tablesOf(Org org) {
        Map<String, List<String>> mine = new TreeMap<>();
        scanEveryTable().forEach((table, items) -> mine.put(table, items.stream()
                .filter(item -> item.contains(org.orgId()) || item.contains("mailchimp-key#")).sorted().toList()));
        return mine;
    }

    private static final String CHANGES_SWITCH = "CHANGES_WITHIN_MINUTES";

    @AfterEach
    void changesWithinMinutesBackOn() {
        System.clearProperty(CHANGES_SWITCH);
    }

    @Test
    @DisplayName("a preview writes nothing and predicts, field by field, the counts of the sync that follows")
    void aPreviewPredictsTheSyncAndWritesNothing() {
        Org org = connectedOrg("preview");
        String list = org.employeesList();
        String ann = unique("ann") + "@example.com";   // synced, unchanged
        String bob = unique("bob") + "@example.com";   // synced, then renamed
        String cat = unique("cat") + "@example.com";   // synced, then unsubscribed in Mailchimp (no webhook)
        String dan = unique("dan") + "@example.com";   // synced, then leaves the segment (moves to Sales)
        String gil = unique("gil") + "@example.com";   // an employee and a vendor record; the vendor is erased
        String jon = unique("jon") + "@example.com";   // synced, then his address changes
        String jonNew = unique("jon") + "@example.com";
        String fay = unique("fay") + "@example.com";   // new, opted out
        String hal = unique("hal") + "@example.com";   // new
        String ivy = unique("ivy") + "@example.com";   // new
        importContacts(org, List.of(person("e-ann", ann, "Ann", "Engineering"), person("e-bob", bob, "Bob", "Engineering"),
                person("e-cat", cat, "Cat", "Engineering"), person("e-dan", dan, "Dan", "Engineering"),
                person("e-jon", jon, "Jon", "Engineering")));
        String seg = segment(org, "Engineering preview", list);

        // Before the first sync: five people to add, nothing else.
        JsonNode first = preview(org.member(), seg);
        assertTrue(first.path("complete").asBoolean(), () -> "first: " + first);
        assertEquals(5, first.path("counts").path("added").asInt(), () -> "first: " + first);
        assertEquals("pending", query(org.member(), "mailchimp.segments.get", Map.of("id", seg)).data().path("status").asText());
        JsonNode firstRun = sync(org, seg).path("lastRun");
        for (String field : RUN_FIELDS) {
            assertEquals(first.path("counts").path(field), firstRun.path(field), field + ": " + first + " / " + firstRun);
        }

        // What changes before the next sync. With changes within minutes on, the directory changes below would reach
        // Mailchimp by themselves before the preview; this deployment switch keeps them for the next sync.
        System.setProperty(CHANGES_SWITCH, "off");
        importContacts(org, List.of(person("e-bob", bob, "Bobbington", "Engineering"), person("e-dan", dan, "Dan", "Sales"),
                person("e-jon", jonNew, "Jon", "Engineering"), person("e-fay", fay, "Fay", "Engineering"),
                person("e-hal", hal, "Hal", "Engineering"), person("e-ivy", ivy, "Ivy", "Engineering"),
                person("e-gil", gil, "Gil", "Engineering")));
        Map<String, Object> gilVendor = new LinkedHashMap<>(person("v-gil", gil, "Gil", "Engineering"));
        gilVendor.put("entityType", "vendor");
        importContacts(org, List.of(gilVendor));
        mutation(org.admin(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "e-fay", "entityType", "employee",
                "optedIn", false, "source", "hr-portal")).data();
        mutation(org.admin(), "mailchimp.preferences.gdprDelete", Map.of("entityId", "v-gil", "entityType", "vendor")).data();
        control("POST", "/_sandbox/members", Map.of("apiKey", org.apiKey(), "listId", list, "email", cat, "status", "unsubscribed"));
        assertTrue(cloud().awaitQueuesIdle(Duration.ofSeconds(30)), () -> "the consent queue settled: " + cloud().queuesBusyState());

        JsonNode before = query(org.member(), "mailchimp.segments.get", Map.of("id", seg)).data();
        Map<String, List<String>> tables = tablesOf(org);
        int mark = requestMark();
        JsonNode predicted = preview(org.member(), seg);
        List<JsonNode> sent = requests(org, mark);
        JsonNode again = preview(org.admin(), seg); // admins may preview too

        // Nothing written: Mailchimp was only read, no table changed, the segment is as it was.
        assertFalse(sent.isEmpty(), "the preview read the audience");
        assertTrue(sent.stream().allMatch(request -> request.path("method").asText().equals("GET")), () -> "only reads: " + sent);
        assertEquals(tables, tablesOf(org), "the preview wrote nothing to DynamoDB");
        assertEquals(before, query(org.member(), "mailchimp.segments.get", Map.of("id", seg)).data(), "the segment is unchanged");
        assertEquals(predicted.path("counts"), again.path("counts"), "a second preview says the same");
        assertEquals(predicted.path("examples"), again.path("examples"));

        JsonNode counts = predicted.path("counts");
        assertTrue(predicted.path("complete").asBoolean());
        assertEquals(2, counts.path("added").asInt(), () -> "hal and ivy: " + predicted);
        assertEquals(2, counts.path("updated").asInt(), () -> "bob's name, jon's address: " + predicted);
        assertEquals(1, counts.path("unchanged").asInt(), () -> "ann: " + predicted);
        assertEquals(1, counts.path("archived").asInt(), () -> "dan left: " + predicted);
        assertEquals(1, counts.path("addressChanges").asInt(), () -> "jon's member moves: " + predicted);
        assertEquals(1, counts.path("optOutsLearned").asInt(), () -> "cat's record learns the unsubscribe: " + predicted);
        assertEquals(Map.of("no_consent", 1, "erased", 1, "unsubscribed", 1),
                JSON.convertValue(counts.path("skipped"), Map.class), () -> "fay, gil, cat: " + predicted);
        JsonNode examples = predicted.path("examples");
        assertEquals("d***@example.com", examples.path("archived").get(0).path("email").asText());
        assertEquals("erased", examples.path("skipped").findValuesAsText("reason").stream().filter("erased"::equals)
                .findFirst().orElse(null));
        assertEquals(2, examples.path("added").size());
        assertTrue(examples.path("added").findValuesAsText("email").containsAll(List.of("h***@example.com", "i***@example.com")));
        String answer = predicted.toString();
        for (String email : List.of(ann, bob, cat, dan, gil, jon, jonNew, fay, hal, ivy)) {
            assertFalse(answer.contains(email), "no whole address in the answer");
            assertFalse(capturedOutput().contains(email), "no whole address in the logs");
        }

        // The sync that follows does what the preview said.
        JsonNode synced = sync(org, seg);
        JsonNode run = synced.path("lastRun");
        for (String field : RUN_FIELDS) {
            assertEquals(counts.path(field), run.path(field), () -> field + ": predicted " + counts + ", the run " + run);
        }
        assertEquals(counts.path("inSegment").asInt(), synced.path("memberCount").asInt(), "the members it predicted");
        assertEquals(404, member(org, list, jon).status(), "jon's member moved");
        assertEquals("subscribed", member(org, list, jonNew).body().path("status").asText());
    }

    @Test
    @DisplayName("another org's segment is NOT_FOUND; a missing id is BAD_REQUEST naming the field")
    void anotherOrgsSegmentIsNotFound() {
        Org org = connectedOrg("previewown");
        Org other = connectedOrg("previewother");
        importContacts(org, List.of(employee("e-kim", unique("kim") + "@example.com")));
        String seg = segment(org, "Engineering own", org.employeesList());
        assertEquals(1, preview(org.member(), seg).path("counts").path("added").asInt());

        TrpcHttp.Answer foreign = query(other.admin(), "mailchimp.segments.preview", Map.of("id", seg));
        assertEquals(404, foreign.status(), () -> "another org: " + foreign.body());
        assertEquals("NOT_FOUND", foreign.errorCode());
        TrpcHttp.Answer missing = query(org.member(), "mailchimp.segments.preview", Map.of());
        assertEquals(400, missing.status());
        assertTrue(missing.body().toString().contains("id"), () -> "names the field: " + missing.body());
    }
}
