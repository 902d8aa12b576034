package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, acceptance 2: the consent rules of the sync, points 1-11, end to end through the API, the consent
 * queue worker, the sync worker and the Mailchimp sandbox. Each test has its own org and sandbox account.
 */
class SyncConsentEndToEndTest {
    private boolean faults;

    @BeforeAll
    static void start() {
        cloud();
    }

    @AfterEach
    void clearFaults() {
        if (faults) {
            control("DELETE", "/_sandbox/faults", null);
            control("POST", "/_sandbox/config", Map.of("latencyMs", 0));
        }
    }

    private static Map<String, Object> person(String type, String id, String email, String department) {
        Map<String, Object> contact = new LinkedHashMap<>();
        contact.put("entityId", id);
        contact.put("entityType", type);
        contact.put("email", email);
        contact.put("firstName", "First " + id);
        contact.put("lastName", "Last");
        contact.put("department", department);
        contact.put("location", "Berlin");
        contact.put("employmentType", "full_time");
        contact.put("employmentStatus", "active");
        return contact;
    }

    private static String segment(Org org, String name, String type, String listId, String department, boolean optIn) {
        return mutation(org.member(), "mailchimp.segments.create", Map.of("name", name, "segmentType", type,
                "mailchimpListId", listId, "filterCriteria", Map.of("department", department), "requireOptIn", optIn))
                .data().path("id").asText();
    }

    private static String status(Org org, String listId, String email) {
        var answer = member(org, listId, email);
        return answer.status() == 404 ? "absent" : answer.body().path("status").asText();
    }

    private static Set<String> tagsOf(Org org, String listId, String email) {
        Set<String> tags = new java.util.TreeSet<>();
        member(org, listId, email).body().path("tags").forEach(tag -> tags.add(tag.path("name").asText()));
        return tags;
    }

    private static void setStatus(Org org, String listId, String email, String status) {
        control("POST", "/_sandbox/members", Map.of("apiKey", org.apiKey(), "listId", listId, "email", email, "status", status));
    }

    private static void optOut(Org org, String type, String id) {
        mutation(org.admin(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", id, "entityType", type,
                "optedIn", false, "source", "hr-portal")).data();
    }

    private static JsonNode preference(Org org, String type, String id) {
        return query(org.member(), "mailchimp.preferences.getForEntity", Map.of("entityId", id, "entityType", type)).data();
    }

    private static List<JsonNode> writes(Org org, int mark) {
        return requests(org, mark).stream().filter(r -> !r.path("method").asText().equals("GET")).toList();
    }

    @Test
    @DisplayName("1. an address shared by two records is subscribed only if every record allows it")
    void aSharedAddressNeedsTheConsentOfEveryRecord() {
        Org org = connectedOrg("shared");
        String sam = unique("sam") + "@example.com";
        String tia = unique("tia") + "@example.com";
        importContacts(org, List.of(person("employee", "e-sam", sam, "Engineering"), person("vendor", "v-sam", sam, "Engineering"),
                person("employee", "e-tia", tia, "Engineering"), person("vendor", "v-tia", tia, "Engineering")));
        optOut(org, "vendor", "v-sam"); // the vendor record said no; the employee record never did
        String all = segment(org, "Everyone 1", "mixed", org.employeesList(), "Engineering", false);
        assertTrue(query(org.member(), "mailchimp.connection.get", null).data().path("lastSyncAt").isNull(), "never synced");

        JsonNode synced = sync(org, all);
        JsonNode run = synced.path("lastRun");
        // The connection shows when the org's last run ended: read from its segments (the sync writes no connection).
        assertTrue(synced.path("lastSyncedAt").isTextual(), () -> "the run's end: " + synced);
        assertEquals(synced.path("lastSyncedAt").asText(),
                query(org.member(), "mailchimp.connection.get", null).data().path("lastSyncAt").asText());
        assertEquals("absent", status(org, org.employeesList(), sam), "the most restrictive record wins");
        assertEquals("subscribed", status(org, org.employeesList(), tia), "both records allow it: subscribed once");
        assertEquals(1, run.path("skipped").path("no_consent").asInt(), () -> "sam skipped: " + run);
        assertEquals(1, run.path("added").asInt());

        optOut(org, "vendor", "v-tia"); // one of Tia's records says no now
        await(Duration.ofSeconds(30), () -> "unsubscribed".equals(status(org, org.employeesList(), tia)),
                () -> "tia's address unsubscribed");
        sync(org, all);
        assertEquals("unsubscribed", status(org, org.employeesList(), tia), "the employee record does not bring it back");
    }

    @Test
    @DisplayName("2. a new opt-in after an unsubscribe comes back as pending, confirmed by the person")
    void aNewOptInAfterAnUnsubscribeComesBackAsPending() {
        Org org = connectedOrg("reoptin");
        String uma = unique("uma") + "@example.com";
        importContacts(org, List.of(employee("e-uma", uma)));
        String seg = PreferencesTestSupport.segment(org, "Engineering 2", org.employeesList());
        sync(org, seg);
        setStatus(org, org.employeesList(), uma, "unsubscribed"); // Uma unsubscribes in Mailchimp (no webhook here)
        sync(org, seg);
        JsonNode learned = preference(org, "employee", "e-uma");
        assertEquals("opted_out", learned.path("status").asText());
        assertEquals("mailchimp:reconcile", learned.path("consentSource").asText());

        mutation(org.admin(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "e-uma", "entityType", "employee",
                "optedIn", true, "source", "preference-centre")).data();
        int mark = requestMark();
        // Issue 13: the opt-in reaches Mailchimp within minutes by the change path, with the sync's decision.
        await(Duration.ofSeconds(60), () -> "pending".equals(status(org, org.employeesList(), uma)),
                () -> "the opt-in reached Mailchimp without a sync");
        JsonNode run = sync(org, seg).path("lastRun");
        assertEquals("pending", status(org, org.employeesList(), uma), "Mailchimp asks Uma to confirm");
        assertEquals(0, run.path("pendingConfirmation").asInt(), () -> "set pending once, by the change path: " + run);
        assertEquals(0, run.path("failed").asInt(), () -> "nothing refused: " + run);
        JsonNode history = preference(org, "employee", "e-uma").path("history");
        assertEquals("opted_in", history.get(history.size() - 1).path("status").asText(), "no withdrawal after the opt-in");
        assertEquals("opted_in", preference(org, "employee", "e-uma").path("status").asText());
        assertTrue(requests(org, mark).stream().noneMatch(r -> r.path("status").asInt() >= 400),
                "nothing was sent that Mailchimp refused");

        setStatus(org, org.employeesList(), uma, "subscribed"); // Uma confirms
        JsonNode confirmed = sync(org, seg);
        assertEquals(1, confirmed.path("memberCount").asInt());
        int quiet = requestMark();
        sync(org, seg);
        assertEquals(List.of(), writes(org, quiet), "nothing left to write");
    }

    @Test
    @DisplayName("3. pending, transactional and members archived by someone else are left as they are, counted as skipped")
    void membersLeftToOthersAreLeftAsTheyAre() {
        Org org = connectedOrg("leftalone");
        String pia = unique("pia") + "@example.com";
        String ted = unique("ted") + "@example.com";
        String ari = unique("ari") + "@example.com";
        setStatus(org, org.employeesList(), pia, "pending");
        setStatus(org, org.employeesList(), ted, "transactional");
        setStatus(org, org.employeesList(), ari, "subscribed");
        setStatus(org, org.employeesList(), ari, "archived");
        importContacts(org, List.of(employee("e-pia", pia), employee("e-ted", ted), employee("e-ari", ari)));
        String seg = PreferencesTestSupport.segment(org, "Engineering 3", org.employeesList());
        JsonNode run = sync(org, seg).path("lastRun");
        assertEquals("pending", status(org, org.employeesList(), pia));
        assertEquals("transactional", status(org, org.employeesList(), ted));
        assertEquals("archived", status(org, org.employeesList(), ari));
        for (String email : List.of(pia, ted)) {
            assertTrue(tagsOf(org, org.employeesList(), email).isEmpty(), email + " untouched, untagged");
        }
        assertEquals(1, run.path("skipped").path("pending").asInt(), () -> "run: " + run);
        assertEquals(1, run.path("skipped").path("transactional").asInt());
        assertEquals(1, run.path("skipped").path("archived").asInt());
        assertEquals(0, run.path("added").asInt());
    }

    @Test
    @DisplayName("4. an opt-out reaches every audience of the account where the address is subscribed or pending")
    void anOptOutReachesEveryAudience() {
        Org org = connectedOrg("everywhere");
        String vic = unique("vic") + "@example.com";
        importContacts(org, List.of(employee("e-vic", vic)));
        sync(org, PreferencesTestSupport.segment(org, "Engineering 4", org.employeesList()));
        setStatus(org, org.vendorsList(), vic, "pending"); // someone else's double opt-in in the other audience
        optOut(org, "employee", "e-vic");
        await(Duration.ofSeconds(30), () -> "unsubscribed".equals(status(org, org.employeesList(), vic))
                && "unsubscribed".equals(status(org, org.vendorsList(), vic)), () -> "vic unsubscribed in both audiences");
    }

    @Test
    @DisplayName("5. an opt-out that arrives while a long sync runs wins over the run's older view")
    void anOptOutDuringARunWins() {
        Org org = connectedOrg("midrun");
        List<Map<String, Object>> people = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            people.add(employee("e-" + i, unique("mid" + i) + "@example.com"));
        }
        for (int from = 0; from < people.size(); from += 1000) {
            importContacts(org, people.subList(from, Math.min(people.size(), from + 1000)));
        }
        String seg = PreferencesTestSupport.segment(org, "Engineering 5", org.employeesList());
        faults = true;
        control("POST", "/_sandbox/config", Map.of("latencyMs", 400)); // every request takes 0.4 s: the run takes seconds
        mutation(org.member(), "mailchimp.segments.sync", Map.of("id", seg)).data();
        List<String> optedOut = List.of("e-7", "e-500", "e-1100");
        await(Duration.ofSeconds(30), () -> requests(org, 0).stream().anyMatch(r -> r.path("path").asText()
                .endsWith("/members") && r.path("method").asText().equals("GET")), () -> "the run started reading");
        optedOut.forEach(id -> optOut(org, "employee", id));
        await(Duration.ofSeconds(90), () -> !"syncing".equals(query(org.member(), "mailchimp.segments.get",
                Map.of("id", seg)).data().path("status").asText()), () -> "the run ended");
        control("POST", "/_sandbox/config", Map.of("latencyMs", 0));
        assertTrue(cloud().awaitQueuesIdle(Duration.ofSeconds(30)), cloud()::queuesBusyState);
        for (String id : optedOut) {
            String email = people.get(Integer.parseInt(id.substring(2))).get("email").toString();
            String now = status(org, org.employeesList(), email);
            assertTrue(Set.of("absent", "unsubscribed").contains(now), () -> id + " is " + now);
            assertEquals("opted_out", preference(org, "employee", id).path("status").asText(), "the opt-out stands");
            assertEquals(1, preference(org, "employee", id).path("history").size(), "no reconcile over it");
        }
    }

    @Test
    @DisplayName("6. placement stays exact when Mailchimp applied a batch but its answer was lost")
    void placementIsExactAfterALostAnswer() {
        Org org = connectedOrg("lost");
        String seg = PreferencesTestSupport.segment(org, "Engineering 6", org.employeesList());
        sync(org, seg); // nobody yet: the tag and our webhook exist, so the next POST to the audience is the batch
        String was = unique("was-there") + "@example.com";
        String neu = unique("new-here") + "@example.com";
        setStatus(org, org.employeesList(), was, "subscribed"); // someone else's member, there before us
        importContacts(org, List.of(employee("e-was", was), employee("e-neu", neu)));
        faults = true;
        control("POST", "/_sandbox/faults", Map.of("apiKey", org.apiKey(), "method", "POST",
                "path", "/3.0/lists/" + org.employeesList(), "kind", "lostAnswer", "count", 1));
        int mark = requestMark();
        sync(org, seg);
        assertTrue(requests(org, mark).stream().anyMatch(r -> r.path("status").asInt() == 0), "an answer was lost");
        assertTrue(membership(org, org.employeesList(), subscriberHash(neu)).placedByUs(), "our add created it");
        assertFalse(membership(org, org.employeesList(), subscriberHash(was)).placedByUs(), "it was there before");

        editAndAwaitRun(org, seg, Map.of("filterCriteria", Map.of("department", "Nobody")));
        assertEquals("archived", status(org, org.employeesList(), neu), "ours: archived when it leaves");
        assertEquals("subscribed", status(org, org.employeesList(), was), "not ours: never archived");
        assertFalse(tagsOf(org, org.employeesList(), was).contains("Engineering 6"), "it only loses our tag");
    }

    @Test
    @DisplayName("7. a field the audience requires fails the member, named, and is retried once fixed")
    void anAudienceSetupErrorIsNamedAndRetried() {
        Org org = connectedOrg("setup");
        String rex = unique("rex") + "@example.com";
        importContacts(org, List.of(employee("e-rex", rex)));
        control("POST", "/_sandbox/lists/" + org.employeesList() + "/merge-fields",
                Map.of("apiKey", org.apiKey(), "tag", "PHONE", "required", true));
        String seg = PreferencesTestSupport.segment(org, "Engineering 7", org.employeesList());
        JsonNode run = sync(org, seg).path("lastRun");
        assertEquals(1, run.path("failed").asInt(), () -> "run: " + run);
        String reason = run.path("errors").get(0).path("reason").asText();
        assertTrue(reason.contains("PHONE"), () -> "the field is named: " + reason);
        assertFalse(reason.contains(rex), "no address in our words");
        assertNull(membership(org, org.employeesList(), subscriberHash(rex)), "not remembered as refused for good");

        control("POST", "/_sandbox/lists/" + org.employeesList() + "/merge-fields",
                Map.of("apiKey", org.apiKey(), "tag", "PHONE", "required", false));
        JsonNode again = sync(org, seg).path("lastRun");
        assertEquals(1, again.path("added").asInt(), () -> "tried again and added: " + again);
        assertEquals("subscribed", status(org, org.employeesList(), rex));
    }

    @Test
    @DisplayName("8. a deleted segment's people are released; a moved segment's people follow it")
    void deletedAndMovedSegmentsReleaseTheirPeople() {
        Org org = connectedOrg("release");
        String ida = unique("ida") + "@example.com";
        String jon = unique("jon") + "@example.com";
        importContacts(org, List.of(person("employee", "e-ida", ida, "Sales"), person("employee", "e-jon", jon, "Support")));
        String sales = segment(org, "Sales 8", "employee", org.employeesList(), "Sales", false);
        String support = segment(org, "Support 8", "employee", org.employeesList(), "Support", false);
        sync(org, sales);
        sync(org, support);
        mutation(org.member(), "mailchimp.segments.delete", Map.of("id", sales)).data();
        sync(org, support); // the next sync of the audience releases the deleted segment's people
        assertEquals("archived", status(org, org.employeesList(), ida), "placed by us, selected by no live segment");
        assertEquals("subscribed", status(org, org.employeesList(), jon));
        assertTrue(marketing(org, "GET", "/lists/" + org.employeesList() + "/segments?count=100", null).path("segments")
                .findValuesAsText("name").stream().noneMatch("Sales 8"::equals), "the deleted segment's tag is gone");

        editAndAwaitRun(org, support, Map.of("mailchimpListId", org.vendorsList()));
        assertEquals("subscribed", status(org, org.vendorsList(), jon), "added in the new audience");
        assertTrue(tagsOf(org, org.vendorsList(), jon).contains("Support 8"));
        assertEquals("archived", status(org, org.employeesList(), jon), "released from the old one");
    }

    @Test
    @DisplayName("8b. a segment moved away, back and away again before a sync still takes its tag off whom it leaves")
    void movedAwayBackAndAwayAgainBeforeASync() {
        // Changes within minutes off: the moves wait for the next sync (as they would for the daily run).
        System.setProperty("CHANGES_WITHIN_MINUTES", "off");
        try {
            Org org = connectedOrg("moved-back");
            String kim = unique("kim") + "@example.com";
            importContacts(org, List.of(person("employee", "e-kim", kim, "Support")));
            String support = segment(org, "Support 8b", "employee", org.employeesList(), "Support", false);
            String everyone = segment(org, "Everyone 8b", "employee", org.employeesList(), "Support", false);
            sync(org, support);
            sync(org, everyone);
            assertEquals(Set.of("Support 8b", "Everyone 8b"), tagsOf(org, org.employeesList(), kim));
            for (String listId : List.of(org.vendorsList(), org.employeesList(), org.vendorsList())) {
                mutation(org.member(), "mailchimp.segments.update", Map.of("id", support, "mailchimpListId", listId)).data();
            }
            sync(org, support);
            assertEquals("subscribed", status(org, org.vendorsList(), kim), "added in the new audience");
            assertEquals("subscribed", status(org, org.employeesList(), kim), "kept by the other segment");
            assertEquals(Set.of("Everyone 8b"), tagsOf(org, org.employeesList(), kim), "the moved segment's tag is off");
            assertTrue(marketing(org, "GET", "/lists/" + org.employeesList() + "/segments?count=100", null).path("segments")
                    .findValuesAsText("name").stream().noneMatch("Support 8b"::equals), "and gone from the old audience");
        } finally {
            System.clearProperty("CHANGES_WITHIN_MINUTES");
        }
    }

    @Test
    @DisplayName("9. a person moving between two segments of one audience is neither archived nor added again")
    void movingBetweenTwoSegmentsOfOneAudience() {
        Org org = connectedOrg("between");
        String kai = unique("kai") + "@example.com";
        importContacts(org, List.of(person("employee", "e-kai", kai, "Sales")));
        String sales = segment(org, "Sales 9", "employee", org.employeesList(), "Sales", false);
        String support = segment(org, "Support 9", "employee", org.employeesList(), "Support", false);
        sync(org, sales);
        importContacts(org, List.of(person("employee", "e-kai", kai, "Support"))); // Kai moves to Support
        int mark = requestMark();
        sync(org, sales);
        assertEquals("subscribed", status(org, org.employeesList(), kai), "still in the audience");
        assertFalse(tagsOf(org, org.employeesList(), kai).contains("Sales 9"), "lost Sales' tag");
        sync(org, support);
        assertEquals(Set.of("Support 9"), tagsOf(org, org.employeesList(), kai));
        List<JsonNode> log = writes(org, mark);
        assertTrue(log.stream().noneMatch(r -> r.path("method").asText().equals("DELETE")), () -> "no archive: " + log);
        assertTrue(log.stream().noneMatch(r -> r.path("path").asText().equals("/3.0/lists/" + org.employeesList())),
                () -> "no add: " + log);
    }

    @Test
    @DisplayName("10. tags go through the static-segment endpoint, for new members and for existing ones")
    void tagsGoThroughTheSegmentEndpoint() {
        Org org = connectedOrg("tags");
        String lea = unique("lea") + "@example.com";
        String max = unique("max") + "@example.com";
        setStatus(org, org.employeesList(), max, "subscribed"); // already in the audience, someone else's
        importContacts(org, List.of(employee("e-lea", lea), employee("e-max", max)));
        String seg = PreferencesTestSupport.segment(org, "Engineering 10", org.employeesList());
        int mark = requestMark();
        sync(org, seg);
        for (String email : List.of(lea, max)) {
            assertEquals(Set.of("Engineering 10"), tagsOf(org, org.employeesList(), email), email + " tagged");
        }
        assertTrue(requests(org, mark).stream().anyMatch(r -> r.path("method").asText().equals("POST")
                && r.path("path").asText().matches("/3\\.0/lists/" + org.employeesList() + "/segments/\\d+")
                && r.path("members").asInt() == 2), "one tag request carried both");
    }

    @Test
    @DisplayName("11. nothing is kept of members who are not in the org's directory")
    void nothingIsKeptOfPeopleOutsideTheDirectory() {
        Org org = connectedOrg("outsiders");
        String stranger = unique("stranger") + "@example.com";
        String zoe = unique("zoe") + "@example.com";
        setStatus(org, org.employeesList(), stranger, "unsubscribed");
        setStatus(org, org.employeesList(), zoe, "unsubscribed");
        importContacts(org, List.of(employee("e-zoe", zoe)));
        sync(org, PreferencesTestSupport.segment(org, "Engineering 11", org.employeesList()));
        List<String> hashes = new ArrayList<>();
        for (Map<String, AttributeValue> item : scanMemberships()) {
            MembershipRepository.decode(item).stream().map(Membership::subscriberHash).forEach(hashes::add);
        }
        assertFalse(hashes.contains(subscriberHash(stranger)), "nothing of the stranger");
        for (String seeded : List.of("dan.optout@example.com", "erin.bounce@example.com")) {
            assertFalse(hashes.contains(subscriberHash(seeded)), "nothing of the seeded " + seeded);
        }
        assertEquals("opted_out", preference(org, "employee", "e-zoe").path("status").asText(),
                "a directory contact learns Mailchimp's unsubscribe");
    }

    private static List<Map<String, AttributeValue>> scanMemberships() {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = dynamo().scan(request -> request.tableName("MembershipsTable").exclusiveStartKey(from));
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }
}
