package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, acceptance 1, 4 and 5 (preferences), end to end over real HTTP: the PreferencesFunction, the
 * ConsentQueue and ConsentWorkerFunction, the sync, dynalite and the Mailchimp sandbox. Each test has its
 * own orgs and sandbox accounts.
 */
class PreferencesEndToEndTest {

    @BeforeAll
    static void start() {
        cloud();
    }

    @Test
    @DisplayName("1. an opt-out reaches every audience as unsubscribed before any scheduled sync; history has both events")
    void optOutReachesEveryAudience() {
        Org org = connectedOrg("pref-optout");
        String ada = unique("ada") + "@example.com";
        String bob = unique("bob") + "@example.com";
        importContacts(org, List.of(employee("emp-ada", ada), employee("emp-bob", bob)));
        JsonNode optIn = mutation(org.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-ada",
                "entityType", "employee", "optedIn", true, "source", "onboarding-form")).data();
        assertEquals("opted_in", optIn.path("status").asText());
        assertNotNull(optIn.path("consentGivenAt").textValue());
        assertFalse(optIn.has("history"), "updateOptStatus answers the Preference without history");

        String inEmployees = segment(org, "Engineering A", org.employeesList());
        String inVendors = segment(org, "Engineering B", org.vendorsList());
        sync(org, inEmployees);
        sync(org, inVendors);
        for (String list : List.of(org.employeesList(), org.vendorsList())) {
            assertEquals("subscribed", member(org, list, ada).body().path("status").asText(), "synced first");
        }

        int mark = requestMark();
        JsonNode optOut = mutation(org.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-ada",
                "entityType", "employee", "optedIn", false, "source", "preference-centre")).data();
        assertEquals("opted_out", optOut.path("status").asText());
        assertNotNull(optOut.path("consentWithdrawnAt").textValue());
        assertEquals(optIn.path("consentGivenAt").asText(), optOut.path("consentGivenAt").asText());
        assertEquals("preference-centre", optOut.path("consentSource").asText());

        await(Duration.ofSeconds(20), () -> List.of(org.employeesList(), org.vendorsList()).stream()
                        .allMatch(list -> "unsubscribed".equals(member(org, list, ada).body().path("status").asText())),
                () -> "ada not unsubscribed in both audiences: " + requests(org, mark));
        List<JsonNode> since = requests(org, mark);
        String hash = subscriberHash(ada);
        for (String list : List.of(org.employeesList(), org.vendorsList())) {
            assertTrue(since.stream().anyMatch(r -> r.path("method").asText().equals("PATCH")
                    && r.path("path").asText().equals("/3.0/lists/" + list + "/members/" + hash)
                    && r.path("status").asInt() == 200), () -> "PATCH in " + list + ": " + since);
            assertFalse(since.stream().anyMatch(r -> r.path("method").asText().equals("POST")
                    && r.path("path").asText().equals("/3.0/lists/" + list)), () -> "no sync batch ran: " + since);
        }
        assertEquals("subscribed", member(org, org.employeesList(), bob).body().path("status").asText(), "bob untouched");

        JsonNode preference = query(org.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-ada", "entityType", "employee")).data();
        assertEquals("opted_out", preference.path("status").asText());
        assertNotNull(preference.path("consentWithdrawnAt").textValue());
        JsonNode history = preference.path("history");
        assertEquals(2, history.size(), () -> "history: " + history);
        assertEquals("opted_in", history.get(0).path("status").asText());
        assertEquals("onboarding-form", history.get(0).path("source").asText());
        assertEquals("opted_out", history.get(1).path("status").asText());
        assertEquals("preference-centre", history.get(1).path("source").asText());
        assertTrue(history.get(0).path("at").asText().compareTo(history.get(1).path("at").asText()) <= 0, "oldest first");

        // The next sync keeps her out, and says so.
        JsonNode resynced = sync(org, inEmployees);
        assertEquals("unsubscribed", member(org, org.employeesList(), ada).body().path("status").asText());
        assertEquals(0, resynced.path("lastRun").path("failed").asInt(), () -> "run: " + resynced);

        JsonNode optedOut = query(org.member(), "mailchimp.preferences.list", Map.of("status", "opted_out")).data();
        assertEquals(1, optedOut.path("items").size(), () -> "list: " + optedOut);
        assertEquals("emp-ada", optedOut.path("items").get(0).path("entityId").asText());
        assertTrue(optedOut.path("nextCursor").isNull());
        assertEquals(0, query(org.member(), "mailchimp.preferences.list", Map.of("status", "opted_in")).data()
                .path("items").size());

        // 4. the audit log: every change, with actor and ids, no address
        List<JsonNode> audit = auditEntries(org);
        JsonNode optedInEntry = find(audit, "preference.opted_in", "emp-ada");
        JsonNode optedOutEntry = find(audit, "preference.opted_out", "emp-ada");
        assertEquals("user:member-" + org.orgId(), optedInEntry.path("actor").asText());
        assertEquals("user:member-" + org.orgId(), optedOutEntry.path("actor").asText());
        assertEquals("employee", optedOutEntry.path("targetType").asText());
        assertEquals("preference-centre", optedOutEntry.path("details").path("source").asText());
        assertNoAddress(audit, ada, bob);
    }

    @Test
    @DisplayName("validation: fields are named; source 1..100 characters; gdprDelete needs admin")
    void validation() {
        Org org = connectedOrg("pref-valid");
        TrpcHttp.Answer bad = mutation(org.member(), "mailchimp.preferences.updateOptStatus",
                Map.of("entityId", "emp-1", "entityType", "robot", "optedIn", "yes", "source", "x".repeat(101)));
        assertEquals(400, bad.status());
        String message = bad.body().path("error").path("message").asText();
        for (String field : List.of("entityType", "optedIn", "source")) {
            assertTrue(message.contains(field), () -> field + " named in " + message);
        }
        assertEquals(400, mutation(org.member(), "mailchimp.preferences.updateOptStatus",
                Map.of("entityId", "emp-1", "entityType", "employee", "optedIn", true, "source", "")).status());
        assertEquals("FORBIDDEN", mutation(org.member(), "mailchimp.preferences.gdprDelete",
                Map.of("entityId", "emp-1", "entityType", "employee")).errorCode());
        assertTrue(query(org.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-unknown", "entityType", "employee")).data().isNull());
        assertEquals("METHOD_NOT_SUPPORTED", query(org.member(), "mailchimp.preferences.updateOptStatus",
                Map.of("entityId", "emp-1", "entityType", "employee", "optedIn", true, "source", "s")).errorCode());
    }

    @Test
    @DisplayName("5. another org cannot read, change or erase this org's preferences")
    void otherOrgsCannotTouchPreferences() {
        Org mine = connectedOrg("pref-mine");
        Org other = connectedOrg("pref-other");
        String cid = unique("cid") + "@example.com";
        importContacts(mine, List.of(employee("emp-cid", cid)));
        mutation(mine.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-cid",
                "entityType", "employee", "optedIn", true, "source", "signup")).data();
        String seg = segment(mine, "Engineering", mine.employeesList());
        sync(mine, seg);

        Map<String, Object> entity = Map.of("entityId", "emp-cid", "entityType", "employee");
        assertTrue(query(other.member(), "mailchimp.preferences.getForEntity", entity).data().isNull());
        assertEquals(0, query(other.member(), "mailchimp.preferences.list", null).data().path("items").size());
        assertEquals("NOT_FOUND", mutation(other.admin(), "mailchimp.preferences.gdprDelete", entity).errorCode());
        // Changing "the same" id in the other org writes the other org's own record only.
        mutation(other.member(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-cid",
                "entityType", "employee", "optedIn", false, "source", "other-org")).data();
        assertTrue(cloud().awaitQueuesIdle(Duration.ofSeconds(20)), cloud()::queuesBusyState);

        JsonNode preference = query(mine.member(), "mailchimp.preferences.getForEntity", entity).data();
        assertEquals("opted_in", preference.path("status").asText());
        assertEquals(1, preference.path("history").size());
        assertEquals("subscribed", member(mine, mine.employeesList(), cid).body().path("status").asText());
        assertEquals(1, query(mine.member(), "mailchimp.contacts.list", null).data().path("items").size());
        for (JsonNode entry : auditEntries(mine)) {
            assertTrue(entry.path("actor").asText().endsWith(mine.orgId()) || entry.path("actor").asText().startsWith("system:"),
                    () -> "only this org's actors: " + entry);
        }
        // A cursor cannot page into another org either.
        JsonNode page = query(mine.member(), "mailchimp.preferences.list", Map.of("limit", 1)).data();
        assertEquals(1, page.path("items").size());
    }

    static List<JsonNode> auditEntries(Org org) {
        List<JsonNode> entries = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = query(org.admin(), "mailchimp.audit.list", cursor == null ? Map.of("limit", 100)
                    : Map.of("limit", 100, "cursor", cursor)).data();
            page.path("items").forEach(entries::add);
            cursor = page.path("nextCursor").textValue();
        } while (cursor != null);
        return entries;
    }

    static JsonNode find(List<JsonNode> audit, String action, String targetId) {
        return audit.stream().filter(e -> action.equals(e.path("action").asText()) && targetId.equals(e.path("targetId").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + action + " for " + targetId + " in " + audit));
    }

    static void assertNoAddress(List<JsonNode> audit, String... emails) {
        for (JsonNode entry : audit) {
            String text = entry.toString().toLowerCase();
            for (String email : emails) {
                assertFalse(text.contains(email.toLowerCase()), () -> "audit entry holds an address: " + entry);
            }
        }
    }
}
