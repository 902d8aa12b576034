package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.sync.SyncPreview;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, field mapping, end to end: mappings set through the API, the sync worker creating the audience's merge
 * fields and sending the mapped values, the Mailchimp sandbox checked for the fields, their types and the members'
 * values. Each test has its own org and sandbox account.
 */
class MergeFieldMappingEndToEndTest {

    @BeforeAll
    static void start() {
        cloud();
    }

    private static Map<String, Object> person(String id, String email, String jobTitle, String startDate) {
        Map<String, Object> contact = employee(id, email);
        if (jobTitle != null) {
            contact.put("jobTitle", jobTitle);
        }
        if (startDate != null) {
            contact.put("startDate", startDate);
        }
        return contact;
    }

    private static List<Map<String, String>> mapping(String... fieldThenTag) {
        List<Map<String, String>> entries = new java.util.ArrayList<>();
        for (int i = 0; i < fieldThenTag.length; i += 2) {
            entries.add(Map.of("field", fieldThenTag[i], "tag", fieldThenTag[i + 1]));
        }
        return entries;
    }

    private static TrpcHttp.Answer setMapping(String token, String segmentId, Object mapping) {
        Map<String, Object> input = new HashMap<>();
        input.put("id", segmentId);
        input.put("mapping", mapping);
        return mutation(token, "mailchimp.segments.setMapping", input);
    }

    /** The audience's merge fields, tag to type, as Mailchimp lists them. */
    private static Map<String, String> mergeFieldTypes(Org org, String listId) {
        Map<String, String> types = new LinkedHashMap<>();
        marketing(org, "GET", "/lists/" + listId + "/merge-fields?count=100", null).path("merge_fields")
                .forEach(field -> types.put(field.path("tag").asText(), field.path("type").asText()));
        return types;
    }

    private static JsonNode mergeFields(Org org, String listId, String email) {
        TrpcHttp.Answer member = member(org, listId, email);
        assertEquals(200, member.status(), () -> email + ": " + member.body());
        return member.body().path("merge_fields");
    }

    @Test
    void aMappingCreatesItsMergeFieldsWithTheirTypesAndTheMembersCarryTheValues() {
        Org org = connectedOrg("map-types");
        String ana = unique("ana") + "@example.com";
        String bo = unique("bo") + "@example.com";
        importContacts(org, List.of(person("e1", ana, "Engineer", "2024-03-01"), person("e2", bo, null, null)));
        String seg = segment(org, "Mapped", org.employeesList());
        assertEquals("default", query(org.member(), "mailchimp.segments.getMapping", Map.of("id", seg)).data()
                .path("source").asText(), "nothing set: first and last name, as before");

        JsonNode set = setMapping(org.member(), seg, mapping("firstName", "FNAME", "department", "DEPT",
                "startDate", "START", "jobTitle", "TITLE", "stableId", "HRID")).data();
        assertEquals("segment", set.path("source").asText());
        assertEquals(5, set.path("effective").size());
        assertTrue(!mergeFieldTypes(org, org.employeesList()).containsKey("DEPT"), "created by the sync, not before");

        JsonNode run = sync(org, seg).path("lastRun");
        assertEquals(2, run.path("added").asInt(), run::toString);

        Map<String, String> types = mergeFieldTypes(org, org.employeesList());
        assertEquals("text", types.get("DEPT"));
        assertEquals("date", types.get("START"));
        assertEquals("text", types.get("TITLE"));
        assertEquals("text", types.get("HRID"));
        JsonNode anaFields = mergeFields(org, org.employeesList(), ana);
        assertEquals("Test", anaFields.path("FNAME").asText());
        assertEquals("Engineering", anaFields.path("DEPT").asText());
        assertEquals("2024-03-01", anaFields.path("START").asText());
        assertEquals("Engineer", anaFields.path("TITLE").asText());
        assertEquals("employee#e1", anaFields.path("HRID").asText());
        JsonNode boFields = mergeFields(org, org.employeesList(), bo);
        assertEquals("", boFields.path("START").asText(), "no start date: no date");
        assertEquals("employee#e2", boFields.path("HRID").asText());

        JsonNode listed = query(org.member(), "mailchimp.connection.audienceMergeFields",
                Map.of("listId", org.employeesList())).data();
        Map<String, String> listedTypes = new HashMap<>();
        listed.forEach(field -> listedTypes.put(field.path("tag").asText(), field.path("type").asText()));
        assertEquals("date", listedTypes.get("START"), listed::toString);
        assertEquals("text", listedTypes.get("FNAME"));
    }

    @Test
    void changingTheMappingUpdatesOnlyTheMembersWhoseValuesChange() {
        Org org = connectedOrg("map-change");
        String same = unique("same") + "@example.com";
        String differs = unique("differs") + "@example.com";
        String none = unique("none") + "@example.com";
        // INFO first carries the job title, then the location (Berlin for all): only two values change.
        importContacts(org, List.of(person("e1", same, "Berlin", null), person("e2", differs, "Engineer", null),
                person("e3", none, null, null)));
        String seg = segment(org, "Changing", org.employeesList());
        setMapping(org.member(), seg, mapping("firstName", "FNAME", "lastName", "LNAME", "jobTitle", "INFO")).data();
        sync(org, seg);
        assertEquals("Engineer", mergeFields(org, org.employeesList(), differs).path("INFO").asText());

        JsonNode quiet = sync(org, seg).path("lastRun");
        assertEquals(0, quiet.path("updated").asInt(), () -> "nothing changed, nothing written: " + quiet);

        setMapping(org.member(), seg, mapping("firstName", "FNAME", "lastName", "LNAME", "location", "INFO")).data();
        int mark = requestMark();
        JsonNode run = sync(org, seg).path("lastRun");
        assertEquals(2, run.path("updated").asInt(), run::toString);
        assertEquals(1, run.path("unchanged").asInt(), run::toString);
        int membersWritten = 0;
        for (JsonNode request : requests(org, mark)) {
            if (request.path("method").asText().equals("POST")
                    && request.path("path").asText().endsWith("/lists/" + org.employeesList())) {
                membersWritten += request.path("members").asInt();
            }
        }
        assertEquals(2, membersWritten, "the batch carried only the members whose INFO changed");
        for (String email : List.of(same, differs, none)) {
            assertEquals("Berlin", mergeFields(org, org.employeesList(), email).path("INFO").asText(), email);
        }
    }

    @Test
    void validationNamesTheBadFieldAndATooLongTagIsRefused() {
        Org org = connectedOrg("map-invalid");
        String seg = segment(org, "Strict", org.employeesList());
        TrpcHttp.Answer bad = setMapping(org.member(), seg, mapping("salary", "PAY", "department", "DEPARTMENTS",
                "location", "LOC", "jobTitle", "LOC", "firstName", "f-name"));
        assertEquals(400, bad.status(), bad.body()::toString);
        assertEquals("BAD_REQUEST", bad.errorCode());
        for (String expected : List.of("mapping[0].field: unknown directory field",
                "mapping[1].tag: at most 10 characters (Mailchimp's limit for a merge tag)",
                "mapping[3].tag: LOC is mapped twice", "mapping[4].tag: only uppercase letters, digits and _")) {
            assertTrue(bad.message().contains(expected), () -> expected + " in " + bad.message());
        }
        assertEquals("default", query(org.member(), "mailchimp.segments.getMapping", Map.of("id", seg)).data()
                .path("source").asText(), "nothing half-written");

        // Two segments of one audience cannot send different fields under one tag: a member holds one value.
        String other = mutation(org.member(), "mailchimp.segments.create", Map.of("name", "Other", "segmentType", "employee",
                "mailchimpListId", org.employeesList())).data().path("id").asText();
        setMapping(org.member(), seg, mapping("department", "TEAM")).data();
        TrpcHttp.Answer conflict = setMapping(org.member(), other, mapping("location", "TEAM"));
        assertEquals(400, conflict.status(), conflict.body()::toString);
        assertTrue(conflict.message().contains("mapping: TEAM already carries department for segment \"Strict\""),
                conflict::message);
        setMapping(org.member(), other, mapping("department", "TEAM", "location", "SITE")).data();

        TrpcHttp.Answer memberSetsDefault = mutation(org.member(), "mailchimp.connection.setMapping",
                Map.of("mapping", mapping("department", "DEPT")));
        assertEquals("FORBIDDEN", memberSetsDefault.errorCode(), "the connection's default is an admin's");

        JsonNode rejected = importContacts(org, List.of(person("e9", unique("late") + "@example.com", "Lead", "01/03/2024")))
                .path("rejected");
        assertEquals(1, rejected.size());
        assertTrue(rejected.get(0).path("reason").asText().contains("startDate: expected an ISO date, YYYY-MM-DD"),
                rejected::toString);
    }

    @Test
    void aMergeFieldOfAnotherTypeInTheAudienceFailsTheRunWithAClearError() {
        Org org = connectedOrg("map-type");
        importContacts(org, List.of(person("e1", unique("t") + "@example.com", null, "2024-03-01")));
        marketing(org, "POST", "/lists/" + org.employeesList() + "/merge-fields",
                Map.of("tag", "START", "name", "Start (text)", "type", "text"));
        String seg = segment(org, "Typed", org.employeesList());
        setMapping(org.member(), seg, mapping("startDate", "START")).data();
        mutation(org.member(), "mailchimp.segments.sync", Map.of("id", seg)).data();
        JsonNode[] last = new JsonNode[1];
        await(Duration.ofSeconds(60), () -> {
            last[0] = query(org.member(), "mailchimp.segments.get", Map.of("id", seg)).data();
            return "error".equals(last[0].path("status").asText());
        }, () -> "the run did not fail: " + last[0]);
        String error = last[0].path("lastError").asText();
        assertTrue(error.contains("START") && error.contains("text") && error.contains("startDate"), error);
        assertEquals(0, last[0].path("lastRun").path("added").asInt(), "no member was sent a value the field cannot hold");
    }

    @Test
    void theConnectionsDefaultAppliesToSegmentsWithoutTheirOwnAndNoOrgSeesAnothersMappings() {
        Org org = connectedOrg("map-default");
        Org stranger = connectedOrg("map-stranger");
        String email = unique("d") + "@example.com";
        importContacts(org, List.of(person("e1", email, "Engineer", null)));
        String seg = segment(org, "Defaulted", org.employeesList());
        JsonNode set = mutation(org.admin(), "mailchimp.connection.setMapping",
                Map.of("mapping", mapping("firstName", "FNAME", "jobTitle", "JOB"))).data();
        assertEquals("connection", set.path("source").asText());
        JsonNode segmentView = query(org.member(), "mailchimp.segments.getMapping", Map.of("id", seg)).data();
        assertEquals("connection", segmentView.path("source").asText());
        assertTrue(segmentView.path("mapping").isNull(), segmentView::toString);
        sync(org, seg);
        assertEquals("Engineer", mergeFields(org, org.employeesList(), email).path("JOB").asText());

        assertEquals("NOT_FOUND", query(stranger.member(), "mailchimp.segments.getMapping", Map.of("id", seg)).errorCode());
        assertEquals("NOT_FOUND", setMapping(stranger.member(), seg, mapping("department", "DEPT")).errorCode());
        assertEquals("default", query(stranger.member(), "mailchimp.connection.getMapping", null).data()
                .path("source").asText(), "another org's default is not this one's");
        assertEquals("segment", setMapping(org.member(), seg, mapping("lastName", "LNAME")).data().path("source").asText());
        TrpcHttp.Answer foreignAudience = query(stranger.member(), "mailchimp.connection.audienceMergeFields",
                Map.of("listId", org.employeesList()));
        assertEquals("BAD_REQUEST", foreignAudience.errorCode(), "another account's audience is none of this one's");
        assertTrue(foreignAudience.message().contains("listId: not an audience of the connected Mailchimp account"),
                foreignAudience::message);
    }

    /** Forgets the org's recorded address changes, as their retention would (a week). */
    private static void forgetRecordedMoves(Org org) {
        var items = dynamo().query(request -> request.tableName("LocksTable").consistentRead(true)
                .keyConditionExpression("orgId = :org AND begins_with(sk, :move)")
                .expressionAttributeValues(Map.of(":org", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(org.orgId()),
                        ":move", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("move#")))).items();
        assertEquals(1, items.size(), "the directory change was recorded as a move");
        items.forEach(item -> dynamo().deleteItem(request -> request.tableName("LocksTable")
                .key(Map.of("orgId", item.get("orgId"), "sk", item.get("sk")))));
    }

    /** A new address for the person that the sync's walk reaches after the old one (or before, with {@code after} false). */
    private static String addressAfter(String old, boolean after) {
        while (true) {
            String candidate = unique("moved") + "@example.com";
            if (subscriberHash(candidate).compareTo(subscriberHash(old)) > 0 == after) {
                return candidate;
            }
        }
    }

    @Test
    void aPersonWhoseAddressChangedIsMovedByTheirStableIdWhenNoMoveIsKept() {
        // Changes within minutes off: the address changes wait for a sync that no longer has their recorded moves (as a
        // daily run would after the week moves are kept), instead of going out within seconds with them.
        System.setProperty("CHANGES_WITHIN_MINUTES", "off");
        try {
            stableIdMoves();
        } finally {
            System.clearProperty("CHANGES_WITHIN_MINUTES");
        }
    }

    private void stableIdMoves() {
        Org org = connectedOrg("map-stable");
        String old = unique("old") + "@example.com";
        importContacts(org, List.of(person("e1", old, "Engineer", null)));
        String seg = segment(org, "Stable", org.employeesList());
        setMapping(org.member(), seg, mapping("firstName", "FNAME", "stableId", "HRID")).data();
        sync(org, seg);
        long webId = member(org, org.employeesList(), old).body().path("web_id").asLong();
        assertEquals("employee#e1", mergeFields(org, org.employeesList(), old).path("HRID").asText());

        String moved = addressAfter(old, true);
        importContacts(org, List.of(person("e1", moved, "Engineer", null)));
        forgetRecordedMoves(org);
        syncMoves(org, seg, old, moved, webId);

        // The other way round: the walk meets the new address first, and the person's record names the addresses
        // they held before, so the member is fetched from there rather than a new one added and the old archived.
        String back = addressAfter(moved, false);
        importContacts(org, List.of(person("e1", back, "Engineer", null)));
        forgetRecordedMoves(org);
        JsonNode predicted = query(org.member(), "mailchimp.segments.preview", Map.of("id", seg)).data();
        assertEquals(1, predicted.path("counts").path("addressChanges").asInt(), predicted::toString);
        assertEquals(0, predicted.path("counts").path("added").asInt(), predicted::toString);
        assertEquals(SyncPreview.mask(moved), predicted.path("examples").path("addressChanges").get(0).path("email").asText(),
                predicted::toString);
        syncMoves(org, seg, moved, back, webId);
        assertEquals("employee#e1", mergeFields(org, org.employeesList(), back).path("HRID").asText());
    }

    /** A sync that moves the member from {@code from} to {@code to} ({@code PATCH email_address}): nothing added or archived. */
    private void syncMoves(Org org, String seg, String from, String to, long webId) {
        int mark = requestMark();
        JsonNode run = sync(org, seg).path("lastRun");
        assertEquals(0, run.path("added").asInt(), run::toString);
        assertEquals(0, run.path("archived").asInt(), () -> "moved, not archived: " + run);
        assertEquals(404, member(org, org.employeesList(), from).status(), "no member left at the address before");
        TrpcHttp.Answer now = member(org, org.employeesList(), to);
        assertEquals(200, now.status(), now.body()::toString);
        assertEquals(webId, now.body().path("web_id").asLong(), "the same member, its history kept");
        assertEquals("subscribed", now.body().path("status").asText());
        assertTrue(requests(org, mark).stream().anyMatch(request -> request.path("method").asText().equals("PATCH")
                && request.path("path").asText().endsWith("/members/" + subscriberHash(from))), "PATCH email_address");
    }
}
