package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, acceptance 2 and 4 (erasure), end to end: gdprDelete through the API, the consent queue's
 * delete-permanent in the sandbox, re-import, a Contact Upserted event and a full re-sync after it, and
 * every table scanned and every line the cloud printed searched for the address.
 */
class ErasureEndToEndTest {
    private boolean faults;

    @BeforeAll
    static void start() {
        cloud();
    }

    @AfterEach
    void clearFaults() {
        if (faults) {
            control("DELETE", "/_sandbox/faults", null);
        }
    }

    @Test
    @DisplayName("2. an erased contact is gone from both audiences, stays gone, and its address is stored and logged nowhere")
    void erasureIsCompleteAndStaysComplete() {
        Org org = connectedOrg("erase");
        String eve = unique("Eve.Erased") + "@Example.com";
        String frank = unique("frank") + "@example.com";
        importContacts(org, List.of(employee("emp-eve", eve), employee("emp-frank", frank)));
        mutation(org.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-eve",
                "entityType", "employee", "optedIn", true, "source", "signup")).data();
        String inEmployees = segment(org, "Engineering A", org.employeesList());
        String inVendors = segment(org, "Engineering B", org.vendorsList());
        sync(org, inEmployees);
        sync(org, inVendors);
        for (String list : List.of(org.employeesList(), org.vendorsList())) {
            assertEquals("subscribed", member(org, list, eve).body().path("status").asText());
        }

        JsonNode erased = mutation(org.admin(), "mailchimp.preferences.gdprDelete",
                Map.of("entityId", "emp-eve", "entityType", "employee")).data();
        assertTrue(erased.path("erased").asBoolean());
        assertEquals(2, erased.path("audiencesErased").asInt());

        await(Duration.ofSeconds(20), () -> List.of(org.employeesList(), org.vendorsList()).stream()
                .allMatch(list -> member(org, list, eve).status() == 404), () -> "eve still in Mailchimp");
        assertTrue(query(org.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-eve", "entityType", "employee")).data().isNull(), "preference gone");

        // Erasing twice is harmless: within the hour it is the same request (a retry whose answer was lost, say),
        // answered the same and audited once.
        JsonNode again = mutation(org.admin(), "mailchimp.preferences.gdprDelete",
                Map.of("entityId", "emp-eve", "entityType", "employee")).data();
        assertTrue(again.path("erased").asBoolean());
        assertEquals(2, again.path("audiencesErased").asInt()); // the audit log shows one erasure (part 4 below)

        // Nothing brings her back: a re-import, a Contact Upserted event, a full re-sync of both segments.
        JsonNode reimport = importContacts(org, List.of(employee("emp-eve", eve), employee("emp-frank", frank)));
        assertEquals(1, reimport.path("rejected").size(), () -> "re-import: " + reimport);
        assertEquals(0, reimport.path("rejected").get(0).path("index").asInt());
        Map<String, Object> detail = new java.util.LinkedHashMap<>(employee("emp-eve-2", eve.toUpperCase()));
        detail.put("orgId", org.orgId());
        JsonNode put = PreferencesTestSupport.JSON.valueToTree(Map.of("Entries", List.of(Map.of(
                "Source", "platform.directory", "DetailType", "Contact Upserted", "Detail", write(detail)))));
        var answer = webhookJson(cloud().apiUrl() + "/_local/events", put);
        assertEquals(200, answer.statusCode(), answer::body);
        JsonNode directory = query(org.member(), "mailchimp.contacts.list", Map.of("limit", 100)).data();
        assertEquals(1, directory.path("items").size(), () -> "only frank: " + directory);
        assertEquals("emp-frank", directory.path("items").get(0).path("entityId").asText());

        int mark = requestMark();
        for (String segment : List.of(inEmployees, inVendors)) {
            JsonNode run = sync(org, segment).path("lastRun");
            assertEquals(0, run.path("failed").asInt(), () -> "a refused re-add would count as failed: " + run);
        }
        for (String list : List.of(org.employeesList(), org.vendorsList())) {
            assertEquals(404, member(org, list, eve).status());
            assertEquals("subscribed", member(org, list, frank).body().path("status").asText());
        }
        String hash = subscriberHash(eve);
        assertFalse(requests(org, mark).stream().anyMatch(r -> !r.path("method").asText().equals("GET")
                        && r.path("path").asText().contains(hash)), "the re-syncs wrote nothing about her");

        assertTrue(cloud().awaitQueuesIdle(Duration.ofSeconds(20)), cloud()::queuesBusyState);
        assertAddressStoredNowhere(eve, hash);
        assertAddressLoggedNowhere(eve);

        // 4. audit: the erasure with actor and ids; no address anywhere in the log
        List<JsonNode> audit = PreferencesEndToEndTest.auditEntries(org);
        List<JsonNode> erasures = audit.stream().filter(e -> "preference.erased".equals(e.path("action").asText())
                && "emp-eve".equals(e.path("targetId").asText())).toList();
        assertEquals(1, erasures.size(), () -> "the request made again within the hour is the same erasure: " + audit);
        JsonNode first = erasures.get(0);
        assertEquals("user:admin-" + org.orgId(), first.path("actor").asText());
        assertEquals("employee", first.path("targetType").asText());
        assertEquals(2, first.path("details").path("audiencesErased").asInt());
        PreferencesEndToEndTest.assertNoAddress(audit, eve, frank);

        // issue 13: the platform heard the erasure is done, Mailchimp's part included; the request made again
        // within the hour is the same request (the same requestId), which a consumer dedupes on.
        List<JsonNode> done = platformEvents(org).stream()
                .filter(e -> e.path("detail-type").asText().equals("Erasure Completed")).toList();
        assertFalse(done.isEmpty(), "Erasure Completed");
        assertEquals(1, done.stream().map(e -> e.path("detail").path("requestId").asText()).distinct().count(),
                () -> "one request: " + done);
        // The first answer's event comes from the consent worker, the second's at once (nothing left to delete):
        // in either order, together they name her and no one else.
        assertEquals(Set.of("emp-eve"), done.stream().flatMap(e -> entityIds(e.path("detail")).stream())
                .collect(Collectors.toSet()));
        for (JsonNode event : done) {
            assertEquals(2, event.path("detail").path("audiencesErased").asInt(), event::toString);
            assertTrue(event.path("detail").path("completedAt").asText().endsWith("Z"), event::toString);
        }
        assertFalse(done.toString().contains("@") || done.toString().contains(hash), () -> "ids only: " + done);
    }

    private static List<String> entityIds(JsonNode detail) {
        List<String> ids = new ArrayList<>();
        detail.path("entities").forEach(entity -> ids.add(entity.path("entityId").asText()));
        return ids;
    }

    @Test
    @DisplayName("2. an erasure made while a sync is sending her to Mailchimp still wins when the run ends")
    void erasureDuringARunningSyncWins() {
        Org org = connectedOrg("erase-race");
        String gil = unique("gil") + "@example.com";
        String seg = segment(org, "Engineering", org.employeesList());
        // Nobody yet: the run makes the segment's tag and registers our webhook beside its work. Hold that
        // registration 1.5 s: the run still waits for it, so once it has ended the webhook exists and the next
        // run's first POST under the audience is its member batch.
        faults = true;
        control("POST", "/_sandbox/faults", Map.of("apiKey", org.apiKey(), "method", "POST",
                "pathPrefix", "/3.0/lists/" + org.employeesList() + "/webhooks", "kind", "hold", "latencyMs", 1500,
                "count", 1));
        sync(org, seg);
        assertEquals(1, marketing(org, "GET", "/lists/" + org.employeesList() + "/webhooks", null)
                .path("webhooks").size(), "the run registered our webhook before it ended");
        importContacts(org, List.of(employee("emp-gil", gil)));
        // Hold the run's member batch (now the first POST under the audience) for 4 s before Mailchimp applies it.
        control("POST", "/_sandbox/faults", Map.of("apiKey", org.apiKey(), "method", "POST",
                "pathPrefix", "/3.0/lists/" + org.employeesList(), "kind", "hold", "latencyMs", 4000,
                "count", 1));
        int mark = requestMark();
        mutation(org.member(), "mailchimp.segments.sync", Map.of("id", seg)).data();
        // The run reads the audience (five status lists), then the directory, then sends its batch, which is held
        // 4 s: erase once the batch is at Mailchimp and held (it took the one-off hold rule).
        await(Duration.ofSeconds(20), () -> control("GET", "/_sandbox/faults?apiKey=" + org.apiKey(), null).isEmpty(),
                () -> "the run did not reach its member batch: " + requests(org, mark));
        JsonNode erased = mutation(org.admin(), "mailchimp.preferences.gdprDelete",
                Map.of("entityId", "emp-gil", "entityType", "employee")).data();
        assertEquals(0, erased.path("audiencesErased").asInt(), "not yet placed anywhere when erased");

        await(Duration.ofSeconds(30), () -> {
            JsonNode segment = query(org.member(), "mailchimp.segments.get", Map.of("id", seg)).data();
            return !"syncing".equals(segment.path("status").asText());
        }, () -> "the run did not end");
        assertTrue(cloud().awaitQueuesIdle(Duration.ofSeconds(20)), cloud()::queuesBusyState);
        List<JsonNode> log = requests(org, mark);
        String hash = subscriberHash(gil);
        assertTrue(log.stream().anyMatch(r -> r.path("method").asText().equals("POST")
                        && r.path("path").asText().equals("/3.0/lists/" + org.employeesList()) && r.path("members").asInt() == 1),
                () -> "the held batch carried her (the race happened): " + log);
        assertTrue(log.stream().anyMatch(r -> r.path("path").asText()
                        .equals("/3.0/lists/" + org.employeesList() + "/members/" + hash + "/actions/delete-permanent")),
                () -> "the run's end erased her again: " + log);
        assertEquals(404, member(org, org.employeesList(), gil).status());
        assertAddressStoredNowhere(gil, hash);
    }

    @Test
    @DisplayName("issue 11, point 2: a person who left is erased under every address we held, from every audience; by email too")
    void erasureOfSomeoneWhoLeftReachesEveryAddressAndAudience() {
        Org org = connectedOrg("erase-left");
        String nedOld = unique("ned-old") + "@example.com";
        String nedNew = unique("ned-new") + "@example.com";
        String oz = unique("oz") + "@example.com";
        String never = unique("never-held") + "@example.com";
        importContacts(org, List.of(employee("emp-ned", nedOld), employee("emp-oz", oz)));
        String inEmployees = segment(org, "Engineering L", org.employeesList());
        sync(org, inEmployees);
        importContacts(org, List.of(employee("emp-ned", nedNew))); // Ned changed address
        sync(org, inEmployees);
        // Someone else has Ned's new address in the other audience, where we never placed it.
        control("POST", "/_sandbox/members", Map.of("apiKey", org.apiKey(), "listId", org.vendorsList(),
                "email", nedNew, "status", "subscribed"));
        // Ned leaves the directory.
        Map<String, Object> deleted = Map.of("orgId", org.orgId(), "entityId", "emp-ned", "entityType", "employee");
        var answer = webhookJson(cloud().apiUrl() + "/_local/events", PreferencesTestSupport.JSON.valueToTree(Map.of("Entries",
                List.of(Map.of("Source", "platform.directory", "DetailType", "Contact Deleted", "Detail", write(deleted))))));
        assertEquals(200, answer.statusCode(), answer::body);

        JsonNode erased = mutation(org.admin(), "mailchimp.preferences.gdprDelete",
                Map.of("entityId", "emp-ned", "entityType", "employee")).data();
        assertTrue(erased.path("erased").asBoolean(), () -> "a person who left can be erased: " + erased);
        await(Duration.ofSeconds(30), () -> List.of(org.employeesList(), org.vendorsList()).stream().allMatch(list ->
                member(org, list, nedOld).status() == 404 && member(org, list, nedNew).status() == 404),
                () -> "both of Ned's addresses gone from both audiences");
        JsonNode reimport = importContacts(org, List.of(employee("emp-ned-2", nedOld), employee("emp-ned-3", nedNew)));
        assertEquals(2, reimport.path("rejected").size(), () -> "both addresses tombstoned: " + reimport);

        // By email: Oz (in the directory) and an address we never held.
        assertTrue(mutation(org.admin(), "mailchimp.preferences.gdprDelete", Map.of("email", oz.toUpperCase())).data()
                .path("erased").asBoolean());
        assertTrue(mutation(org.admin(), "mailchimp.preferences.gdprDelete", Map.of("email", never)).data()
                .path("erased").asBoolean(), "the tombstone is left even for an address we never held");
        await(Duration.ofSeconds(30), () -> member(org, org.employeesList(), oz).status() == 404, () -> "oz gone");
        assertEquals(0, query(org.member(), "mailchimp.contacts.list", Map.of("limit", 100)).data().path("items").size(),
                "Oz's directory entry is gone");
        assertEquals(2, importContacts(org, List.of(employee("emp-oz-2", oz), employee("emp-never", never)))
                .path("rejected").size(), "neither comes back");
        assertEquals("BAD_REQUEST", mutation(org.admin(), "mailchimp.preferences.gdprDelete",
                Map.of("email", oz, "entityId", "emp-oz", "entityType", "employee")).errorCode(), "one way or the other");

        assertTrue(cloud().awaitQueuesIdle(Duration.ofSeconds(20)), cloud()::queuesBusyState);
        for (String address : List.of(nedOld, nedNew, oz, never)) {
            assertAddressStoredNowhere(address, subscriberHash(address));
        }
        List<JsonNode> audit = PreferencesEndToEndTest.auditEntries(org);
        assertEquals(3, audit.stream().filter(e -> "preference.erased".equals(e.path("action").asText())).count(),
                () -> "one entry per erasure: " + audit);
        PreferencesEndToEndTest.assertNoAddress(audit, nedOld, nedNew, oz, never);

        // issue 13: three erasures done, each told once, with the people it erased (none for an unknown address)
        List<JsonNode> done = platformEvents(org).stream()
                .filter(e -> e.path("detail-type").asText().equals("Erasure Completed")).toList();
        assertEquals(3, done.size(), () -> "one per erasure: " + done);
        assertEquals(3, done.stream().map(e -> e.path("detail").path("requestId").asText()).distinct().count());
        assertEquals(List.of(List.of("emp-ned"), List.of("emp-oz"), List.of()),
                done.stream().map(e -> entityIds(e.path("detail"))).toList());
        assertEquals(erased.path("audiencesErased").asInt(), done.get(0).path("detail").path("audiencesErased").asInt());
        for (String address : List.of(nedOld, nedNew, oz, never)) {
            assertFalse(done.toString().contains(address) || done.toString().contains(subscriberHash(address)),
                    () -> "ids only: " + done);
        }
    }

    private static void assertAddressStoredNowhere(String email, String hash) {
        Map<String, List<String>> tables = scanEveryTable();
        assertTrue(tables.size() >= 8, () -> "every table scanned: " + tables.keySet());
        tables.forEach((table, items) -> items.forEach(item -> {
            assertFalse(item.toLowerCase().contains(email.toLowerCase()), () -> table + " holds the address: " + item);
            assertFalse(item.contains(hash), () -> table + " holds the subscriber hash: " + item);
        }));
    }

    private static void assertAddressLoggedNowhere(String email) {
        String output = capturedOutput();
        assertTrue(output.contains("Consent change applied in Mailchimp"),
                "the functions' own log lines are captured (else this check would prove nothing)");
        for (String line : output.split("\n")) {
            assertFalse(line.toLowerCase().contains(email.toLowerCase()), () -> "log line holds the address: " + line);
        }
    }

    private static java.net.http.HttpResponse<String> webhookJson(String url, JsonNode body) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
