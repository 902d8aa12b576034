package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.segment.PendingChanges;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, "changes within minutes", through the local cloud: platform events, the API, the FIFO queue polled by
 * the SegmentSyncFunction, and the sandbox. After one sync of a segment, nobody calls sync again: each change must
 * reach Mailchimp by the change path (or, for an edit, the run it starts) as the sync would have applied it.
 */
class ChangesEndToEndTest {
    /** The issue's promise is 2 minutes; locally it takes seconds. */
    private static final Duration WITHIN = Duration.ofMinutes(2);

    @Test
    void aNewEmployeeANameChangeAndADepartmentChangeReachMailchimpWithoutASync() {
        Org org = connectedOrg("chg-dir");
        String ada = unique("ada") + "@example.com";
        importContacts(org, List.of(employee("e-ada", ada)));
        String seg = segment(org, "Engineering C1", org.employeesList());
        JsonNode synced = sync(org, seg);
        String runId = synced.path("lastRun").path("runId").asText();

        // A new employee in the segment's filter: added and tagged.
        String ben = unique("ben") + "@example.com";
        directoryEvent(org, employee("e-ben", ben), 1);
        awaitMember(org, org.employeesList(), ben, m -> "subscribed".equals(m.path("status").asText())
                && tags(m).contains("Engineering C1"), "the new employee added and tagged");
        assertEquals("Test", memberSeen(org, org.employeesList(), ben).path("merge_fields").path("FNAME").asText());

        // A name change, sent once the first change was applied and inside the same deduplication window (60 s): the
        // claim started a new generation, so its message is not dropped as a duplicate.
        Map<String, Object> renamed = employee("e-ben", ben);
        renamed.put("firstName", "Benjamin");
        directoryEvent(org, renamed, 2);
        awaitMember(org, org.employeesList(), ben, m -> "Benjamin".equals(m.path("merge_fields").path("FNAME").asText()),
                "the name change applied");

        // A department change that leaves the only segment: placed by us, so archived as the sync would.
        Map<String, Object> moved = employee("e-ada", ada);
        moved.put("department", "Sales");
        directoryEvent(org, moved, 3);
        awaitMember(org, org.employeesList(), ada, m -> "archived".equals(m.path("status").asText()), "the leaver archived");

        JsonNode segment = query(org.member(), "mailchimp.segments.get", Map.of("id", seg)).data();
        assertEquals(runId, segment.path("lastRun").path("runId").asText(), "no sync run happened: the change path did it");
        awaitApplied(org, seg);
    }

    @Test
    void aDepartmentChangeToAnotherSegmentOfTheAudienceOnlyMovesTheTag() {
        Org org = connectedOrg("chg-tags");
        String cy = unique("cy") + "@example.com";
        Map<String, Object> sales = employee("e-dan", unique("dan") + "@example.com");
        sales.put("department", "Sales");
        importContacts(org, List.of(employee("e-cy", cy), sales));
        String engineering = segment(org, "Engineering C2", org.employeesList());
        String salesSegment = mutation(org.member(), "mailchimp.segments.create", Map.of("name", "Sales C2",
                "segmentType", "employee", "mailchimpListId", org.employeesList(),
                "filterCriteria", Map.of("department", "Sales"))).data().path("id").asText();
        sync(org, engineering);
        sync(org, salesSegment);

        Map<String, Object> moved = employee("e-cy", cy);
        moved.put("department", "Sales");
        directoryEvent(org, moved, 1);
        awaitMember(org, org.employeesList(), cy, m -> tags(m).equals(Set.of("Sales C2")),
                "the Engineering tag removed and the Sales tag added");
        assertEquals("subscribed", memberSeen(org, org.employeesList(), cy).path("status").asText(), "still subscribed");
        awaitApplied(org, engineering);
        awaitApplied(org, salesSegment);
    }

    @Test
    void anOptInReachesASegmentThatRequiresOne() {
        Org org = connectedOrg("chg-optin");
        String eve = unique("eve") + "@example.com";
        importContacts(org, List.of(employee("e-eve", eve)));
        String seg = mutation(org.member(), "mailchimp.segments.create", Map.of("name", "Newsletter C3",
                "segmentType", "employee", "mailchimpListId", org.vendorsList(), "requireOptIn", true,
                "filterCriteria", Map.of("department", "Engineering"))).data().path("id").asText();
        sync(org, seg);
        assertEquals("absent", status(org, org.vendorsList(), eve), "no opt-in yet: not added");

        mutation(org.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "e-eve", "entityType", "employee",
                "optedIn", true, "source", "newsletter-form")).data();
        awaitMember(org, org.vendorsList(), eve, m -> "subscribed".equals(m.path("status").asText())
                && tags(m).contains("Newsletter C3"), "the opt-in added the person");
    }

    @Test
    void aSegmentEditIsAppliedWithoutAskingForASync() {
        Org org = connectedOrg("chg-edit");
        String fay = unique("fay") + "@example.com";
        Map<String, Object> sales = employee("e-fay", fay);
        sales.put("department", "Sales");
        importContacts(org, List.of(employee("e-gus", unique("gus") + "@example.com"), sales));
        String seg = segment(org, "Engineering C4", org.employeesList());
        sync(org, seg);
        assertEquals("absent", status(org, org.employeesList(), fay));

        mutation(org.member(), "mailchimp.segments.update", Map.of("id", seg, "filterCriteria",
                Map.of("department", List.of("Engineering", "Sales")))).data();
        awaitMember(org, org.employeesList(), fay, m -> "subscribed".equals(m.path("status").asText())
                && tags(m).contains("Engineering C4"), "the widened filter applied");
        awaitSynced(org, seg);
    }

    @Test
    void aPersonWhoSaidNoIsNeverBroughtBackByAChange() {
        Org org = connectedOrg("chg-no");
        String hal = unique("hal") + "@example.com";
        String ivy = unique("ivy") + "@example.com";
        importContacts(org, List.of(employee("e-hal", hal), employee("e-ivy", ivy)));
        String seg = segment(org, "Engineering C5", org.employeesList());
        sync(org, seg);

        // Hal opts out here (the consent queue unsubscribes him); Ivy unsubscribes in Mailchimp itself.
        mutation(org.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "e-hal", "entityType", "employee",
                "optedIn", false, "source", "hr-portal")).data();
        awaitMember(org, org.employeesList(), hal, m -> "unsubscribed".equals(m.path("status").asText()), "the opt-out");
        control("POST", "/_sandbox/members", Map.of("apiKey", org.apiKey(), "listId", org.employeesList(), "email", ivy,
                "status", "unsubscribed"));

        for (String who : List.of("e-hal", "e-ivy")) {
            Map<String, Object> renamed = employee(who, who.equals("e-hal") ? hal : ivy);
            renamed.put("firstName", "Renamed");
            directoryEvent(org, renamed, 5);
        }
        // A third, consenting person's change goes through the same messages: once they are applied, so are the others.
        String joe = unique("joe") + "@example.com";
        directoryEvent(org, employee("e-joe", joe), 1);
        awaitMember(org, org.employeesList(), joe, m -> "subscribed".equals(m.path("status").asText()), "the consenting change");
        awaitApplied(org, seg);
        assertEquals("unsubscribed", status(org, org.employeesList(), hal), "our no is kept");
        assertEquals("unsubscribed", status(org, org.employeesList(), ivy), "Mailchimp's unsubscribe wins");
    }

    @Test
    void aBurstOfTwoHundredEventsIsAFewMessagesAndAllApplied() {
        Org org = connectedOrg("chg-burst");
        importContacts(org, List.of(employee("e-seed", unique("seed") + "@example.com")));
        String seg = segment(org, "Engineering C6", org.employeesList());
        sync(org, seg);
        int logMark = capturedOutput().length();

        List<String> emails = new ArrayList<>();
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String email = unique("burst" + i) + "@example.com";
            emails.add(email);
            events.add(employee("e-burst-" + i, email));
        }
        directoryEvents(org, events);
        await(WITHIN, () -> emails.stream().allMatch(email -> "subscribed".equals(status(org, org.employeesList(), email))),
                () -> "all 200 people added");
        awaitApplied(org, seg);
        String output = capturedOutput().substring(logMark);
        long messages = output.lines().filter(line -> line.contains("Change message processed")
                && line.contains(org.orgId())).count();
        System.out.println("A burst of 200 directory events: " + messages + " change messages");
        assertTrue(messages >= 1 && messages <= 20, () -> "a handful of messages, not one per event: " + messages);
    }

    @Test
    void aClaimLeftByAWorkerThatDiedIsAppliedByTheNextMessageAndSoIsWhatWaitedBehindIt() {
        Org org = connectedOrg("chg-crash");
        String kim = unique("kim") + "@example.com";
        String lee = unique("lee") + "@example.com";
        importContacts(org, List.of(employee("e-kim", kim), employee("e-lee", lee)));
        String seg = segment(org, "Engineering C8", org.employeesList());
        sync(org, seg);

        // Kim's rename was claimed by a worker that died before applying it, and its message is gone for good
        // (the dead-letter queue): the claim stays in the pending item.
        new ContactRepository(dynamo(), "ContactsTable").upsert(org.orgId(), new Contact("e-kim", "employee", kim, "Kimberly",
                "e-kim", "Engineering", "Berlin", "full_time", "active", Instant.now().toString(), null, null),
                ContactService.version(Instant.now(), 9));
        PendingChanges pending = new PendingChanges(dynamo(), "LocksTable", Clock.systemUTC());
        pending.add(org.orgId(), seg, List.of(subscriberHash(kim)));
        pending.claim(org.orgId(), seg).orElseThrow();

        // Lee's rename comes as an event: its message takes up Kim's claim first, then Lee's own change.
        Map<String, Object> renamed = employee("e-lee", lee);
        renamed.put("firstName", "Leland");
        directoryEvent(org, renamed, 2);
        awaitMember(org, org.employeesList(), kim, m -> "Kimberly".equals(m.path("merge_fields").path("FNAME").asText()),
                "the claim the dead worker left applied");
        awaitMember(org, org.employeesList(), lee, m -> "Leland".equals(m.path("merge_fields").path("FNAME").asText()),
                "the change that waited behind it applied");
        awaitApplied(org, seg);
    }

    @Test
    void changesMadeWhileAFullRunOfTheSegmentGoesOnEndCorrect() {
        Org org = connectedOrg("chg-run");
        List<Map<String, Object>> people = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            people.add(employee("e-" + i, unique("run" + i) + "@example.com"));
        }
        importContacts(org, people);
        String seg = segment(org, "Engineering C7", org.employeesList());
        sync(org, seg);
        try {
            // The next run goes slowly (every Mailchimp request 300 ms more), so the changes come while it runs.
            control("POST", "/_sandbox/faults", Map.of("apiKey", org.apiKey(), "kind", "latency", "latencyMs", 300, "count", 200));
            mutation(org.member(), "mailchimp.segments.sync", Map.of("id", seg)).data();
            for (int i = 0; i < 10; i++) {
                Map<String, Object> renamed = new LinkedHashMap<>(people.get(i));
                renamed.put("firstName", "During" + i);
                directoryEvent(org, renamed, 2);
            }
            Map<String, Object> leaver = new LinkedHashMap<>(people.get(10));
            leaver.put("department", "Sales");
            directoryEvent(org, leaver, 2);
            String hire = unique("hire") + "@example.com";
            directoryEvent(org, employee("e-hire", hire), 1);

            awaitSynced(org, seg);
            awaitApplied(org, seg);
            for (int i = 0; i < 10; i++) {
                String expected = "During" + i;
                awaitMember(org, org.employeesList(), (String) people.get(i).get("email"),
                        m -> expected.equals(m.path("merge_fields").path("FNAME").asText()), "renamed during the run");
            }
            awaitMember(org, org.employeesList(), (String) people.get(10).get("email"),
                    m -> "archived".equals(m.path("status").asText()), "the leaver archived");
            awaitMember(org, org.employeesList(), hire, m -> "subscribed".equals(m.path("status").asText())
                    && tags(m).equals(Set.of("Engineering C7")), "the new hire added and tagged");
            for (int i = 11; i < 30; i++) {
                JsonNode member = memberSeen(org, org.employeesList(), (String) people.get(i).get("email"));
                assertEquals("subscribed Test [Engineering C7]", member.path("status").asText() + " "
                        + member.path("merge_fields").path("FNAME").asText() + " " + tags(member), "untouched people as they were");
            }
        } finally {
            clearFaultsOf(org);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Sends Contact Upserted events for the org through the local EventBridge (10 per PutEvents, as the API allows). */
    static void directoryEvents(Org org, List<Map<String, Object>> contacts) {
        for (int from = 0; from < contacts.size(); from += 10) {
            List<Map<String, Object>> entries = new ArrayList<>();
            for (Map<String, Object> contact : contacts.subList(from, Math.min(from + 10, contacts.size()))) {
                Map<String, Object> detail = new LinkedHashMap<>(contact);
                detail.put("orgId", org.orgId());
                // EventBridge times events to the second: a second ahead keeps the event newer than what the test
                // imported just before it (an import's version is timed to the millisecond).
                entries.add(Map.of("Source", "platform.directory", "DetailType", "Contact Upserted",
                        "Time", java.time.Instant.now().plusSeconds(1).toString(), "Detail", write(detail)));
            }
            var answer = TrpcHttp.send(HttpRequest.newBuilder(URI.create(cloud().apiUrl() + "/_local/events"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(write(Map.of("Entries", entries)))), null);
            assertEquals(200, answer.status(), () -> "events refused: " + answer.body());
            assertEquals(0, answer.body().path("FailedEntryCount").asInt(), () -> "events refused: " + answer.body());
        }
    }

    static void directoryEvent(Org org, Map<String, Object> contact, long sequence) {
        Map<String, Object> withSequence = new LinkedHashMap<>(contact);
        withSequence.put("sequence", sequence);
        directoryEvents(org, List.of(withSequence));
    }

    private static void awaitMember(Org org, String listId, String email, java.util.function.Predicate<JsonNode> condition,
                                    String what) {
        JsonNode[] last = new JsonNode[1];
        await(WITHIN, () -> {
            last[0] = memberSeen(org, listId, email);
            return last[0] != null && condition.test(last[0]);
        }, () -> what + ": " + last[0]);
    }

    /** Until nothing of the segment waits or is being applied (the change path's pending item is empty). */
    static void awaitApplied(Org org, String segmentId) {
        await(WITHIN, () -> {
            Map<String, AttributeValue> item = dynamo().getItem(request -> request.tableName("LocksTable").consistentRead(true)
                    .key(Map.of("orgId", AttributeValue.fromS(org.orgId()), "sk", AttributeValue.fromS("changes#" + segmentId))))
                    .item();
            return item == null || !item.containsKey("hashes") && !item.containsKey("inflight");
        }, () -> "the segment's changes were not all applied");
    }

    private static void awaitSynced(Org org, String segmentId) {
        JsonNode[] last = new JsonNode[1];
        await(WITHIN, () -> {
            last[0] = query(org.member(), "mailchimp.segments.get", Map.of("id", segmentId)).data();
            return "synced".equals(last[0].path("status").asText());
        }, () -> "the edit's run did not end: " + last[0]);
    }

    private static String status(Org org, String listId, String email) {
        JsonNode member = memberSeen(org, listId, email);
        return member == null ? "absent" : member.path("status").asText();
    }

    /** The member through the sandbox's control API (not in the request log), or null when absent. */
    static JsonNode memberSeen(Org org, String listId, String email) {
        JsonNode member = control("GET", "/_sandbox/members?apiKey=" + org.apiKey() + "&listId=" + listId + "&email="
                + URLEncoder.encode(email, StandardCharsets.UTF_8), null);
        return member.path("status").isInt() || !member.has("status") ? null : member;
    }

    private static Set<String> tags(JsonNode member) {
        Set<String> tags = new TreeSet<>();
        member.path("tags").forEach(tag -> tags.add(tag.path("name").asText()));
        return tags;
    }
}
