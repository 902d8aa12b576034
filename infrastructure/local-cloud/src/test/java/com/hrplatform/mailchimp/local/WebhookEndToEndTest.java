package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.membership.Membership;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, acceptance 3, 4 and 5 (webhook), end to end: the webhook a sync registers in the sandbox,
 * called over real HTTP at the URL Mailchimp was given, as Mailchimp would call it (form-encoded).
 */
class WebhookEndToEndTest {

    @BeforeAll
    static void start() {
        cloud();
    }

    /** The URL of our webhook on the audience, checking the registration's events and sources. */
    static String registeredUrl(Org org, String listId) {
        JsonNode webhooks = marketing(org, "GET", "/lists/" + listId + "/webhooks", null).path("webhooks");
        assertEquals(1, webhooks.size(), () -> "one webhook of ours: " + webhooks);
        JsonNode webhook = webhooks.get(0);
        String url = webhook.path("url").asText();
        assertTrue(url.startsWith(cloud().apiUrl() + "/webhooks/mailchimp/"), () -> "our public URL: " + url);
        for (String event : List.of("subscribe", "unsubscribe", "cleaned", "upemail", "profile")) {
            assertTrue(webhook.path("events").path(event).asBoolean(), () -> event + " in " + webhook);
        }
        assertTrue(webhook.path("sources").path("user").asBoolean());
        assertTrue(webhook.path("sources").path("admin").asBoolean());
        assertFalse(webhook.path("sources").path("api").asBoolean(), "our own API writes must not echo back");
        return url;
    }

    @Test
    @DisplayName("3. a webhook unsubscribe records an opt-out (mailchimp:unsubscribe) and the next sync does not resubscribe")
    void unsubscribeWebhook() {
        Org org = connectedOrg("hook");
        String gus = unique("gus") + "@example.com";
        String hal = unique("hal") + "@example.com";
        String ivy = unique("ivy") + "@example.com";
        String ivyNew = unique("ivy-new") + "@example.com";
        importContacts(org, List.of(employee("emp-gus", gus), employee("emp-hal", hal), employee("emp-ivy", ivy)));
        String inEmployees = segment(org, "Engineering A", org.employeesList());
        String inVendors = segment(org, "Engineering B", org.vendorsList());
        sync(org, inEmployees);
        sync(org, inVendors);
        String url = registeredUrl(org, org.employeesList());
        registeredUrl(org, org.vendorsList());
        sync(org, inEmployees);
        assertEquals(1, marketing(org, "GET", "/lists/" + org.employeesList() + "/webhooks", null)
                .path("webhooks").size(), "a second run registers nothing again");

        assertEquals(200, webhook(url, null).statusCode(), "Mailchimp's URL check");

        // Gus unsubscribes in Mailchimp (from the employees audience); Mailchimp calls us.
        marketing(org, "PATCH", "/lists/" + org.employeesList() + "/members/" + subscriberHash(gus),
                Map.of("status", "unsubscribed"));
        long t0 = System.nanoTime();
        HttpResponse<String> answer = webhook(url, form("type", "unsubscribe", "fired_at", "2026-01-01 10:00:00",
                "data[action]", "unsub", "data[reason]", "manual", "data[id]", "8a25ff1d98",
                "data[list_id]", org.employeesList(), "data[email]", gus, "data[email_type]", "html"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, answer.statusCode(), answer::body);
        assertTrue(ms < 1000, () -> "answered within a second: " + ms + " ms");

        JsonNode preference = query(org.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-gus", "entityType", "employee")).data();
        assertEquals("opted_out", preference.path("status").asText());
        assertEquals("mailchimp:unsubscribe", preference.path("consentSource").asText());
        assertEquals("mailchimp:unsubscribe", preference.path("history").get(0).path("source").asText());
        assertTrue(preference.path("consentWithdrawnAt").isTextual());
        // The other audience follows through the consent queue.
        await(Duration.ofSeconds(20), () -> "unsubscribed".equals(member(org, org.vendorsList(), gus).body()
                .path("status").asText()), () -> "gus not unsubscribed in the vendors audience");

        // A repeated delivery changes nothing.
        assertEquals(200, webhook(url, form("type", "unsubscribe", "data[list_id]", org.employeesList(),
                "data[email]", gus)).statusCode());
        assertEquals(1, query(org.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-gus", "entityType", "employee")).data().path("history").size());

        int mark = requestMark();
        for (String segment : List.of(inEmployees, inVendors)) {
            JsonNode run = sync(org, segment).path("lastRun");
            assertEquals(0, run.path("failed").asInt(), () -> "no refused resubscribe: " + run);
        }
        for (String list : List.of(org.employeesList(), org.vendorsList())) {
            assertEquals("unsubscribed", member(org, list, gus).body().path("status").asText());
        }
        String gusHash = subscriberHash(gus);
        assertFalse(requests(org, mark).stream().anyMatch(r -> !r.path("method").asText().equals("GET")
                        && r.path("path").asText().contains(gusHash)),
                () -> "the next syncs wrote nothing for gus: " + requests(org, mark));

        // cleaned: an opt-out with source mailchimp:cleaned
        assertEquals(200, webhook(url, form("type", "cleaned", "fired_at", "2026-01-01 10:05:00",
                "data[list_id]", org.employeesList(), "data[campaign_id]", "4fjk2ma9xd", "data[reason]", "hard",
                "data[email]", hal)).statusCode());
        assertEquals("mailchimp:cleaned", query(org.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-hal", "entityType", "employee")).data().path("consentSource").asText());

        // upemail: the membership moves to the new address
        assertEquals(200, webhook(url, form("type", "upemail", "fired_at", "2026-01-01 10:10:00",
                "data[list_id]", org.employeesList(), "data[new_id]", "51aa6f2e6c", "data[new_email]", ivyNew,
                "data[old_email]", ivy)).statusCode());
        Membership moved = membership(org, org.employeesList(), subscriberHash(ivyNew));
        assertEquals("employee#emp-ivy", moved.entityKey());
        assertEquals(ivyNew, moved.email());
        assertTrue(membership(org, org.employeesList(), subscriberHash(ivy)) == null, "old address gone");

        // profile: acknowledged
        assertEquals(200, webhook(url, form("type", "profile", "data[list_id]", org.employeesList(),
                "data[email]", hal)).statusCode());

        // Invalid payloads: 400, nothing changed
        assertEquals(400, webhook(url, form("type", "unsubscribe", "data[list_id]", org.employeesList())).statusCode());
        assertEquals(400, webhook(url, form("type", "upemail", "data[list_id]", org.employeesList(),
                "data[new_email]", "not-an-address", "data[old_email]", ivyNew)).statusCode());
        assertEquals(400, webhook(url, form("type", "explode", "data[email]", ivyNew)).statusCode());
        assertEquals(400, webhook(url, form("data[email]", ivyNew)).statusCode());
        assertTrue(query(org.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-ivy", "entityType", "employee")).data().isNull());
        assertNotNull(membership(org, org.employeesList(), subscriberHash(ivyNew)), "still moved, not undone");

        // 4. audit: webhook changes carry the actor mailchimp:webhook and ids only
        List<JsonNode> audit = PreferencesEndToEndTest.auditEntries(org);
        assertEquals("mailchimp:webhook", PreferencesEndToEndTest.find(audit, "preference.opted_out", "emp-gus")
                .path("actor").asText());
        assertEquals("mailchimp:unsubscribe", PreferencesEndToEndTest.find(audit, "preference.opted_out", "emp-gus")
                .path("details").path("source").asText());
        assertEquals("mailchimp:webhook", PreferencesEndToEndTest.find(audit, "membership.email_changed", "emp-ivy")
                .path("actor").asText());
        PreferencesEndToEndTest.assertNoAddress(audit, gus, hal, ivy, ivyNew);
    }

    @Test
    @DisplayName("issue 11, point 4: a subscribe is learned as the person's opt-in; an admin's delete is not their no")
    void subscribeAndAdminDeleteWebhooks() {
        Org org = connectedOrg("hook-sub");
        String kim = unique("kim") + "@example.com";
        String lou = unique("lou") + "@example.com";
        importContacts(org, List.of(employee("emp-kim", kim), employee("emp-lou", lou)));
        String inEmployees = segment(org, "Engineering S", org.employeesList());
        sync(org, inEmployees);
        String url = registeredUrl(org, org.employeesList());
        // Kim said no on the platform, then subscribed again on a Mailchimp form.
        mutation(org.admin(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", "emp-kim", "entityType", "employee",
                "optedIn", false, "source", "hr-portal"));
        assertEquals(200, webhook(url, form("type", "subscribe", "fired_at", "2026-01-02 10:00:00",
                "data[list_id]", org.employeesList(), "data[email]", kim)).statusCode());
        JsonNode kimPreference = query(org.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-kim", "entityType", "employee")).data();
        assertEquals("opted_in", kimPreference.path("status").asText());
        assertEquals("mailchimp:subscribe", kimPreference.path("consentSource").asText());

        // An admin deleted Lou in Mailchimp's UI: Mailchimp says unsubscribe with action=delete. Not Lou's own no.
        assertEquals(200, webhook(url, form("type", "unsubscribe", "fired_at", "2026-01-02 10:05:00",
                "data[list_id]", org.employeesList(), "data[email]", lou, "data[action]", "delete",
                "data[reason]", "manual")).statusCode());
        assertTrue(query(org.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-lou", "entityType", "employee")).data().isNull(), "no opt-out recorded for Lou");
    }

    @Test
    @DisplayName("issue 13: the platform hears of unsubscribes, cleaned addresses and resubscribes: ids, never an address")
    void thePlatformHearsWhatMailchimpSays() {
        Org org = connectedOrg("hook-events");
        String ann = unique("ann") + "@example.com";
        String bo = unique("bo") + "@example.com";
        String stranger = unique("stranger") + "@example.com";
        importContacts(org, List.of(employee("emp-ann", ann), employee("emp-bo", bo)));
        sync(org, segment(org, "Engineering E", org.employeesList()));
        String url = registeredUrl(org, org.employeesList());
        assertEquals(List.of(), memberEvents(org), "a sync of consenting people tells of no member");

        Map<String, String> annSaysNo = form("type", "unsubscribe", "fired_at", "2026-01-03 09:00:00",
                "data[list_id]", org.employeesList(), "data[email]", ann, "data[action]", "unsub");
        assertEquals(200, webhook(url, annSaysNo).statusCode());
        assertEquals(200, webhook(url, annSaysNo).statusCode(), "Mailchimp delivers the same event again");
        assertEquals(200, webhook(url, form("type", "cleaned", "fired_at", "2026-01-03 09:05:00",
                "data[list_id]", org.employeesList(), "data[email]", bo, "data[reason]", "hard")).statusCode());
        assertEquals(200, webhook(url, form("type", "subscribe", "fired_at", "2026-01-03 09:10:00",
                "data[list_id]", org.employeesList(), "data[email]", ann)).statusCode());
        assertEquals(200, webhook(url, form("type", "unsubscribe", "fired_at", "2026-01-03 09:15:00",
                "data[list_id]", org.employeesList(), "data[email]", stranger)).statusCode());

        List<JsonNode> events = memberEvents(org);
        List<String> types = events.stream().map(e -> e.path("detail-type").asText()).toList();
        assertEquals(List.of("Member Unsubscribed", "Member Unsubscribed", "Member Cleaned", "Member Resubscribed"), types,
                () -> "one per delivery about a person of the directory, none for an unknown address: " + events);
        assertEquals(events.get(0).path("detail").path("eventId"), events.get(1).path("detail").path("eventId"),
                "a repeated delivery carries the same eventId");
        assertNotEquals(events.get(0).path("detail").path("eventId"), events.get(3).path("detail").path("eventId"));
        for (JsonNode event : events) {
            JsonNode detail = event.path("detail");
            assertEquals("default", event.path("eventBusName").asText(), "the bus of PLATFORM_EVENT_BUS");
            assertEquals(Set.of("eventId", "orgId", "listId", "entities", "occurredAt"), fieldNames(detail), detail::toString);
            assertEquals(org.employeesList(), detail.path("listId").asText());
            assertFalse(event.toString().contains("@"), () -> "no address in " + event);
            assertFalse(event.toString().contains(subscriberHash(ann)) || event.toString().contains(subscriberHash(bo)),
                    () -> "no subscriber hash in " + event);
        }
        assertEquals("{\"entityType\":\"employee\",\"entityId\":\"emp-ann\"}",
                events.get(0).path("detail").path("entities").get(0).toString());
        assertEquals("2026-01-03T09:00:00.000Z", events.get(0).path("detail").path("occurredAt").asText());
        assertEquals("emp-bo", events.get(2).path("detail").path("entities").get(0).path("entityId").asText());
        assertEquals("emp-ann", events.get(3).path("detail").path("entities").get(0).path("entityId").asText());
    }

    /** What the platform heard about members (a sync run's end is told too: PlatformEventsEndToEndTest). */
    private static List<JsonNode> memberEvents(Org org) {
        return platformEvents(org).stream().filter(e -> e.path("detail-type").asText().startsWith("Member ")).toList();
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    @DisplayName("issue 11, point 3: an address change moves the member, from the directory or from Mailchimp; once in the audience")
    void addressChangesMoveTheMember() {
        Org org = connectedOrg("hook-move");
        String patOld = unique("pat-old") + "@example.com";
        String patNew = unique("pat-new") + "@example.com";
        String patMailchimp = unique("pat-mc") + "@example.com";
        importContacts(org, List.of(employee("emp-pat", patOld)));
        String inEmployees = segment(org, "Engineering M", org.employeesList());
        sync(org, inEmployees);
        String url = registeredUrl(org, org.employeesList());
        long webId = member(org, org.employeesList(), patOld).body().path("web_id").asLong();

        // The directory changes Pat's address: the member moves, it is not added anew and the old one archived.
        importContacts(org, List.of(employee("emp-pat", patNew)));
        int mark = requestMark();
        JsonNode run = sync(org, inEmployees).path("lastRun");
        assertEquals(404, member(org, org.employeesList(), patOld).status(), "no second member under the old address");
        JsonNode moved = member(org, org.employeesList(), patNew).body();
        assertEquals("subscribed", moved.path("status").asText());
        assertEquals(webId, moved.path("web_id").asLong(), "the same member, with its history");
        assertEquals(0, run.path("archived").asInt(), () -> "nobody archived: " + run);
        List<JsonNode> log = requests(org, mark);
        assertTrue(log.stream().anyMatch(r -> r.path("method").asText().equals("PATCH")
                && r.path("path").asText().endsWith("/members/" + subscriberHash(patOld))), () -> "moved by PATCH: " + log);
        assertFalse(log.stream().anyMatch(r -> r.path("method").asText().equals("DELETE")), () -> "no archive: " + log);

        // Pat changes the address in Mailchimp (upemail): the directory holds the address, so the member moves back.
        marketing(org, "PATCH", "/lists/" + org.employeesList() + "/members/" + subscriberHash(patNew),
                Map.of("email_address", patMailchimp));
        assertEquals(200, webhook(url, form("type", "upemail", "fired_at", "2026-01-03 10:00:00",
                "data[list_id]", org.employeesList(), "data[new_email]", patMailchimp, "data[old_email]", patNew))
                .statusCode());
        JsonNode again = sync(org, inEmployees).path("lastRun");
        assertEquals(404, member(org, org.employeesList(), patMailchimp).status(), "moved back, not kept twice");
        JsonNode back = member(org, org.employeesList(), patNew).body();
        assertEquals("subscribed", back.path("status").asText());
        assertEquals(webId, back.path("web_id").asLong(), "still the same member");
        assertEquals(0, again.path("archived").asInt(), () -> "nobody archived: " + again);
        List<String> pats = new java.util.ArrayList<>();
        marketing(org, "GET", "/lists/" + org.employeesList() + "/members?count=1000", null).path("members")
                .forEach(member -> {
                    String address = member.path("email_address").asText();
                    if (List.of(patOld, patNew, patMailchimp).contains(address) && !"archived".equals(member.path("status").asText())) {
                        pats.add(address);
                    }
                });
        assertEquals(List.of(patNew), pats, "Pat is in the audience once");
    }

    @Test
    @DisplayName("5. unknown tokens get 404; another connection's token cannot touch this org")
    void tokensAreScopedToTheirOrg() {
        Org mine = connectedOrg("hook-mine");
        Org other = connectedOrg("hook-other");
        String jo = unique("jo") + "@example.com";
        importContacts(mine, List.of(employee("emp-jo", jo)));
        importContacts(other, List.of(employee("emp-zed", unique("zed") + "@example.com")));
        sync(mine, segment(mine, "Engineering", mine.employeesList()));
        sync(other, segment(other, "Engineering", other.employeesList()));
        String mineUrl = registeredUrl(mine, mine.employeesList());
        String otherUrl = registeredUrl(other, other.employeesList());
        assertFalse(mineUrl.equals(otherUrl), "a token per connection");

        // The other org's token, naming this org's audience and person: nothing of this org changes.
        assertEquals(200, webhook(otherUrl, form("type", "unsubscribe", "data[list_id]", mine.employeesList(),
                "data[email]", jo)).statusCode());
        assertTrue(query(mine.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-jo", "entityType", "employee")).data().isNull());
        assertEquals("subscribed", membership(mine, mine.employeesList(), subscriberHash(jo)).status());

        String token = mineUrl.substring(mineUrl.lastIndexOf('/') + 1);
        String tokenId = token.substring(0, token.indexOf('.'));
        String base = cloud().apiUrl() + "/webhooks/mailchimp/";
        List<String> wrong = new ArrayList<>(List.of(base + "nope", base + tokenId + "." + "A".repeat(43),
                base + tokenId, otherUrl.substring(0, otherUrl.length() - 1) + (otherUrl.endsWith("A") ? "B" : "A")));
        for (String url : wrong) {
            assertEquals(404, webhook(url, form("type", "unsubscribe", "data[list_id]", mine.employeesList(),
                    "data[email]", jo)).statusCode(), url);
            assertEquals(404, webhook(url, null).statusCode(), url);
        }
        assertEquals("subscribed", membership(mine, mine.employeesList(), subscriberHash(jo)).status());
        assertTrue(query(mine.member(), "mailchimp.preferences.getForEntity",
                Map.of("entityId", "emp-jo", "entityType", "employee")).data().isNull());
    }
}
