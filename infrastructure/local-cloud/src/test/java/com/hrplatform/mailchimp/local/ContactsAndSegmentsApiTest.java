package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory and segment procedures through the local cloud's API: per-record validation of imports,
 * the platform's directory events, validation that names fields, the segment state machine's CONFLICT,
 * soft delete, and that another org sees none of it.
 */
class ContactsAndSegmentsApiTest {
    private boolean faultsSet;

    @BeforeAll
    static void startCloud() {
        LocalCloudFixture.get();
    }

    @AfterEach
    void clearFaults() {
        if (faultsSet) {
            SandboxControl.control("DELETE", "/_sandbox/faults", null);
        }
    }

    private static String newOrgId() {
        return "org-" + UUID.randomUUID();
    }

    private static Map<String, Object> person(String id, String type, String email) {
        Map<String, Object> person = new LinkedHashMap<>();
        person.put("entityId", id);
        person.put("entityType", type);
        person.put("email", email);
        person.put("firstName", "Ada");
        person.put("lastName", "Lovelace");
        person.put("department", "Engineering");
        return person;
    }

    @Test
    void importValidatesEachRecordOnItsOwnAndCountsCreatedAndUpdated() {
        String orgId = newOrgId();
        String admin = LocalCloudFixture.adminToken(orgId);
        Map<String, Object> unknownField = person("e4", "employee", "four@example.com");
        unknownField.put("salary", 1);
        List<Object> records = new ArrayList<>(List.of(
                person("e1", "employee", "  One@Example.com "),
                person("e2", "employee", "not-an-email"),
                person("e3", "contractor", "three@example.com"),
                unknownField,
                person("e1", "employee", "one-again@example.com"),
                person("v1", "vendor", "vendor@example.com"),
                "not an object"));

        JsonNode result = TrpcHttp.mutation(admin, "mailchimp.contacts.import", Map.of("contacts", records)).data();

        assertEquals(2, result.path("created").asInt());
        assertEquals(0, result.path("updated").asInt());
        Map<Integer, String> rejected = new LinkedHashMap<>();
        result.path("rejected").forEach(r -> rejected.put(r.path("index").asInt(), r.path("reason").asText()));
        assertEquals(Set.of(1, 2, 3, 4, 6), rejected.keySet());
        assertTrue(rejected.get(1).contains("email"), rejected.get(1));
        assertTrue(rejected.get(2).contains("entityType"), rejected.get(2));
        assertTrue(rejected.get(3).contains("salary: unknown field"), rejected.get(3));
        assertTrue(rejected.get(4).contains("record 0"), rejected.get(4));

        JsonNode again = TrpcHttp.mutation(admin, "mailchimp.contacts.import",
                Map.of("contacts", List.of(person("e1", "employee", "one@example.com")))).data();
        assertEquals(0, again.path("created").asInt());
        assertEquals(1, again.path("updated").asInt());

        JsonNode employees = TrpcHttp.query(admin, "mailchimp.contacts.list", Map.of("entityType", "employee")).data();
        assertEquals(1, employees.path("items").size());
        assertEquals("one@example.com", employees.path("items").get(0).path("email").asText(), "stored normalised");
        assertFalse(employees.path("items").get(0).has("consent"), "only api.md's contact fields");
        assertEquals(0, TrpcHttp.query(LocalCloudFixture.adminToken(newOrgId()), "mailchimp.contacts.list", null)
                .data().path("items").size(), "another org sees none of them");
    }

    @Test
    void importNeedsAdminAndOneToAThousandRecords() {
        String orgId = newOrgId();
        var member = TrpcHttp.mutation(LocalCloudFixture.memberToken(orgId), "mailchimp.contacts.import",
                Map.of("contacts", List.of(person("e1", "employee", "a@example.com"))));
        assertEquals("FORBIDDEN", member.errorCode());
        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(person("e" + i, "employee", "p" + i + "@example.com"));
        }
        var tooLarge = TrpcHttp.mutation(LocalCloudFixture.adminToken(orgId), "mailchimp.contacts.import",
                Map.of("contacts", tooMany));
        assertEquals("BAD_REQUEST", tooLarge.errorCode());
        assertTrue(tooLarge.message().contains("contacts: expected an array of 1 to 1000"), tooLarge.message());
        var empty = TrpcHttp.mutation(LocalCloudFixture.adminToken(orgId), "mailchimp.contacts.import",
                Map.of("contacts", List.of()));
        assertEquals("BAD_REQUEST", empty.errorCode());
    }

    @Test
    void contactListPagesWithACursor() {
        String orgId = newOrgId();
        String admin = LocalCloudFixture.adminToken(orgId);
        List<Object> people = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            people.add(person("e" + i, "employee", "p" + i + "@example.com"));
        }
        TrpcHttp.mutation(admin, "mailchimp.contacts.import", Map.of("contacts", people)).data();
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("limit", 2);
            if (cursor != null) {
                input.put("cursor", cursor);
            }
            JsonNode page = TrpcHttp.query(admin, "mailchimp.contacts.list", input).data();
            page.path("items").forEach(item -> seen.add(item.path("entityId").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(Set.of("e0", "e1", "e2", "e3", "e4"), seen);
        assertEquals(3, pages);
    }

    @Test
    void directoryEventsUpsertAndDeleteContactsAndInvalidOnesChangeNothing() {
        String orgId = newOrgId();
        String admin = LocalCloudFixture.adminToken(orgId);
        Map<String, Object> upsert = person("e7", "employee", "Grace@Example.com");
        upsert.put("orgId", orgId);
        putEvent("Contact Upserted", upsert);
        Map<String, Object> invalid = person("e8", "employee", "no-at-sign");
        invalid.put("orgId", orgId);
        putEvent("Contact Upserted", invalid);

        JsonNode listed = TrpcHttp.query(admin, "mailchimp.contacts.list", null).data();
        assertEquals(1, listed.path("items").size(), "the invalid event stored nothing");
        assertEquals("grace@example.com", listed.path("items").get(0).path("email").asText());

        putEvent("Contact Deleted", Map.of("orgId", orgId, "entityId", "e7", "entityType", "employee"));
        assertEquals(0, TrpcHttp.query(admin, "mailchimp.contacts.list", null).data().path("items").size());
    }

    @Test
    void aLateOlderEventChangesNothing() {
        // Issue 11, point 5: events are applied only if newer than what is stored (event time, then detail.sequence).
        String orgId = newOrgId();
        String admin = LocalCloudFixture.adminToken(orgId);
        Map<String, Object> leaver = person("e9", "employee", "leaver@example.com");
        leaver.put("orgId", orgId);
        putEvent("Contact Upserted", leaver, "2026-03-01T10:00:00Z");
        putEvent("Contact Deleted", Map.of("orgId", orgId, "entityId", "e9", "entityType", "employee"), "2026-03-01T12:00:00Z");
        Map<String, Object> stale = new LinkedHashMap<>(leaver);
        stale.put("department", "Came back?");
        putEvent("Contact Upserted", stale, "2026-03-01T11:00:00Z"); // older than the delete, delivered after it
        assertEquals(0, TrpcHttp.query(admin, "mailchimp.contacts.list", null).data().path("items").size(),
                "a leaver is not brought back by a late, older event");

        putEvent("Contact Upserted", leaver, "2026-03-02T09:00:00Z"); // rehired: newer than the delete
        Map<String, Object> first = new LinkedHashMap<>(leaver);
        first.put("department", "Second of the same second");
        first.put("sequence", 7);
        putEvent("Contact Upserted", first, "2026-03-02T10:00:00Z");
        Map<String, Object> second = new LinkedHashMap<>(leaver);
        second.put("department", "First of the same second");
        second.put("sequence", 6);
        putEvent("Contact Upserted", second, "2026-03-02T10:00:00Z");
        JsonNode listed = TrpcHttp.query(admin, "mailchimp.contacts.list", null).data();
        assertEquals(1, listed.path("items").size());
        assertEquals("Second of the same second", listed.path("items").get(0).path("department").asText(),
                "within one second, the higher sequence wins whatever the arrival order");
    }

    private static void putEvent(String detailType, Map<String, Object> detail) {
        putEvent(detailType, detail, java.time.Instant.now().toString());
    }

    private static void putEvent(String detailType, Map<String, Object> detail, String time) {
        String body = TrpcHttp.write(Map.of("Entries", List.of(Map.of("Source", "platform.directory",
                "DetailType", detailType, "Detail", TrpcHttp.write(detail), "Time", time))));
        var answer = TrpcHttp.send(HttpRequest.newBuilder(URI.create(LocalCloudFixture.get().apiUrl() + "/_local/events"))
                .POST(HttpRequest.BodyPublishers.ofString(body)), null);
        assertEquals(200, answer.status(), () -> answer.body().toString());
        assertEquals(0, answer.body().path("FailedEntryCount").asInt());
    }

    @Test
    void segmentsValidateTheirInputAndBelongToOneOrg() {
        String orgId = newOrgId();
        String admin = LocalCloudFixture.adminToken(orgId);
        Map<String, Object> input = new LinkedHashMap<>(Map.of("name", "Engineers", "segmentType", "employee",
                "mailchimpListId", "0123456789"));
        assertEquals("PRECONDITION_FAILED", TrpcHttp.mutation(admin, "mailchimp.segments.create", input).errorCode(),
                "no Mailchimp connection yet");

        JsonNode account = SandboxControl.newAccount("Segments " + orgId);
        TrpcHttp.mutation(admin, "mailchimp.connection.connect", Map.of("apiKey", account.path("apiKey").asText())).data();
        String listId = SandboxControl.listId(account, "Employees");

        var foreignList = TrpcHttp.mutation(admin, "mailchimp.segments.create", input);
        assertEquals("BAD_REQUEST", foreignList.errorCode());
        assertTrue(foreignList.message().contains("mailchimpListId"), foreignList.message());
        // An id not in Mailchimp's form never reaches a request path.
        for (String crafted : List.of("../../lists", "a1b2c3d4e5/members", "A1B2C3D4E5", "a1b2c3d4e", "a1b2c3d4e5?x=1")) {
            Map<String, Object> craftedInput = new LinkedHashMap<>(input);
            craftedInput.put("mailchimpListId", crafted);
            var refused = TrpcHttp.mutation(admin, "mailchimp.segments.create", craftedInput);
            assertEquals("BAD_REQUEST", refused.errorCode(), crafted);
            assertTrue(refused.message().contains("mailchimpListId: must be a Mailchimp audience id"), refused.message());
        }

        Map<String, Object> bad = new LinkedHashMap<>(Map.of("name", "", "segmentType", "robot", "mailchimpListId", listId,
                "filterCriteria", Map.of("colour", "red", "department", List.of(1, 2)), "requireOptIn", "yes"));
        var invalid = TrpcHttp.mutation(admin, "mailchimp.segments.create", bad);
        assertEquals("BAD_REQUEST", invalid.errorCode());
        for (String field : List.of("name", "segmentType", "filterCriteria.colour", "filterCriteria.department", "requireOptIn")) {
            assertTrue(invalid.message().contains(field + ":"), () -> field + " is named in: " + invalid.message());
        }

        input.put("mailchimpListId", listId);
        input.put("filterCriteria", Map.of("department", "Engineering", "location", List.of("Berlin", "Lisbon")));
        JsonNode created = TrpcHttp.mutation(admin, "mailchimp.segments.create", input).data();
        String id = created.path("id").asText();
        assertEquals(List.of("Engineering"), TrpcHttp.JSON.convertValue(created.path("filterCriteria").path("department"), List.class));
        assertFalse(created.path("requireOptIn").asBoolean());
        assertEquals(0, created.path("memberCount").asInt());
        assertTrue(created.path("lastRun").isNull());
        assertEquals("CONFLICT", TrpcHttp.mutation(admin, "mailchimp.segments.create", input).errorCode(),
                "a second segment of the audience cannot take the same name (it is the tag's name)");

        String other = LocalCloudFixture.adminToken(newOrgId());
        assertEquals("NOT_FOUND", TrpcHttp.query(other, "mailchimp.segments.get", Map.of("id", id)).errorCode());
        assertEquals("NOT_FOUND", TrpcHttp.mutation(other, "mailchimp.segments.update", Map.of("id", id, "name", "Mine")).errorCode());
        assertEquals("NOT_FOUND", TrpcHttp.mutation(other, "mailchimp.segments.delete", Map.of("id", id)).errorCode());
        assertEquals("NOT_FOUND", TrpcHttp.mutation(other, "mailchimp.segments.sync", Map.of("id", id)).errorCode());
        assertEquals(0, TrpcHttp.query(other, "mailchimp.segments.list", null).data().path("items").size());
        assertEquals("Engineers", TrpcHttp.query(admin, "mailchimp.segments.get", Map.of("id", id)).data().path("name").asText(),
                "untouched by the other org");

        assertTrue(TrpcHttp.mutation(admin, "mailchimp.segments.delete", Map.of("id", id)).data().path("success").asBoolean());
        assertEquals("NOT_FOUND", TrpcHttp.query(admin, "mailchimp.segments.get", Map.of("id", id)).errorCode());
        assertEquals(0, TrpcHttp.query(admin, "mailchimp.segments.list", null).data().path("items").size(), "soft-deleted: hidden");
    }

    @Test
    void aSecondSyncWhileOneRunsIsAConflictAndChangesWaitForIt() {
        String orgId = newOrgId();
        String admin = LocalCloudFixture.adminToken(orgId);
        JsonNode account = SandboxControl.newAccount("Conflict " + orgId);
        String apiKey = account.path("apiKey").asText();
        TrpcHttp.mutation(admin, "mailchimp.connection.connect", Map.of("apiKey", apiKey)).data();
        TrpcHttp.mutation(admin, "mailchimp.contacts.import", Map.of("contacts",
                List.of(person("e1", "employee", "slow@example.com")))).data();
        String id = TrpcHttp.mutation(admin, "mailchimp.segments.create", Map.of("name", "Slow", "segmentType", "employee",
                "mailchimpListId", SandboxControl.listId(account, "Employees"))).data().path("id").asText();
        // Hold the run in Mailchimp long enough to ask again while it is running.
        faultsSet = true;
        SandboxControl.control("POST", "/_sandbox/faults", Map.of("apiKey", apiKey, "kind", "latency", "latencyMs", 1500,
                "method", "POST"));

        JsonNode first = TrpcHttp.mutation(admin, "mailchimp.segments.sync", Map.of("id", id)).data();
        var second = TrpcHttp.mutation(admin, "mailchimp.segments.sync", Map.of("id", id));
        var edit = TrpcHttp.mutation(admin, "mailchimp.segments.update", Map.of("id", id, "name", "Renamed"));

        assertEquals("CONFLICT", second.errorCode());
        assertEquals("CONFLICT", edit.errorCode());
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        JsonNode segment;
        do {
            segment = TrpcHttp.query(admin, "mailchimp.segments.get", Map.of("id", id)).data();
        } while ("syncing".equals(segment.path("status").asText()) && Instant.now().isBefore(deadline));
        assertEquals("synced", segment.path("status").asText(), segment.toString());
        assertEquals(first.path("runId").asText(), segment.path("lastRun").path("runId").asText(), "one run, not two");
        assertNull(segment.path("lastError").textValue());
        assertEquals("Renamed", TrpcHttp.mutation(admin, "mailchimp.segments.update", Map.of("id", id, "name", "Renamed"))
                .data().path("name").asText(), "changes are accepted once the sync is done");
    }
}
