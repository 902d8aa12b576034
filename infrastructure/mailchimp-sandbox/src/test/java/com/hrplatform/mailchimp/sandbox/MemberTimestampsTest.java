package com.hrplatform.mailchimp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * last_changed, timestamp_opt and the list's last sub/unsub dates, on a clock the test moves on: last_changed
 * moves on every change of a member's status, address or merge fields, and not on tags.
 */
class MemberTimestampsTest {
  static final SteppingClock CLOCK = new SteppingClock(Instant.parse("2030-05-06T07:08:09Z"));
  static MailchimpSandbox sandbox;
  static SandboxClient c;
  String list;

  @BeforeAll
  static void start() {
    sandbox = MailchimpSandbox.start(0, CLOCK);
    c = new SandboxClient(sandbox);
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @BeforeEach
  void reset() {
    c.control("POST", "/_sandbox/reset", null);
    list = c.listId("Employees");
  }

  String memberPath(String email) {
    return "/3.0/lists/" + list + "/members/" + SandboxClient.hash(email);
  }

  String lastChanged(String email) {
    return c.ok("GET", memberPath(email), null).path("last_changed").asText();
  }

  String tick() {
    return CLOCK.advance(Duration.ofMinutes(1));
  }

  @Test
  void lastChangedMovesOnStatusAddressAndMergeFieldChanges() {
    String created = CLOCK.nowText();
    c.ok("POST", "/3.0/lists/" + list + "/members", Map.of("email_address", "moving@example.com", "status", "pending",
        "merge_fields", Map.of("FNAME", "Mo")));
    assertEquals(created, lastChanged("moving@example.com"));

    tick();
    c.ok("PATCH", memberPath("moving@example.com"), Map.of("merge_fields", Map.of("FNAME", "Mo"), "status", "pending"));
    assertEquals(created, lastChanged("moving@example.com"), "the same values are no change");

    String renamed = tick();
    c.ok("PATCH", memberPath("moving@example.com"), Map.of("merge_fields", Map.of("FNAME", "Maurice")));
    assertEquals(renamed, lastChanged("moving@example.com"), "merge field (PATCH)");

    String confirmed = tick();
    c.ok("PUT", memberPath("moving@example.com"), Map.of("email_address", "moving@example.com",
        "status_if_new", "subscribed", "status", "subscribed"));
    JsonNode subscribed = c.ok("GET", memberPath("moving@example.com"), null);
    assertEquals(confirmed, subscribed.path("last_changed").asText(), "status (PUT)");
    assertEquals(confirmed, subscribed.path("timestamp_opt").asText(), "becoming subscribed is the opt-in");
    assertEquals(created, subscribed.path("timestamp_signup").asText());

    String moved = tick();
    c.ok("PATCH", memberPath("moving@example.com"), Map.of("email_address", "moved@example.com"));
    assertEquals(moved, lastChanged("moved@example.com"), "address (PATCH)");

    String batched = tick();
    c.ok("POST", "/3.0/lists/" + list, Map.of("update_existing", true, "members",
        List.of(Map.of("email_address", "moved@example.com", "merge_fields", Map.of("LNAME", "Moved")))));
    assertEquals(batched, lastChanged("moved@example.com"), "merge field (batch)");

    String unsubscribed = tick();
    c.ok("POST", "/3.0/lists/" + list, Map.of("update_existing", true, "members",
        List.of(Map.of("email_address", "moved@example.com", "status", "unsubscribed"))));
    assertEquals(unsubscribed, lastChanged("moved@example.com"), "status (batch)");

    String archived = tick();
    assertEquals(204, c.api("DELETE", memberPath("moved@example.com"), null).status());
    assertEquals(archived, lastChanged("moved@example.com"), "status (DELETE archives)");

    String controlled = tick();
    c.control("POST", "/_sandbox/members", Map.of("listId", list, "email", "moved@example.com", "status", "subscribed"));
    assertEquals(controlled, lastChanged("moved@example.com"), "status (control endpoint)");
  }

  @Test
  void lastChangedDoesNotMoveOnTagChanges() {
    String ava = "ava.johnson@example.com";
    String before = lastChanged(ava);
    tick();
    int seg = c.ok("POST", "/3.0/lists/" + list + "/segments", Map.of("name", "Static", "static_segment", List.of(ava)))
        .path("id").asInt();
    c.ok("POST", "/3.0/lists/" + list + "/segments/" + seg, Map.of("members_to_remove", List.of(ava)));
    c.ok("POST", "/3.0/lists/" + list + "/segments/" + seg, Map.of("members_to_add", List.of(ava)));
    assertEquals(204, c.api("POST", memberPath(ava) + "/tags", Map.of("tags", List.of(
        Map.of("name", "Remote", "status", "active"), Map.of("name", "Static", "status", "inactive")))).status());
    c.ok("POST", "/3.0/lists/" + list, Map.of("update_existing", true, "members",
        List.of(Map.of("email_address", ava, "tags", List.of("Ignored")))));
    JsonNode m = c.ok("GET", memberPath(ava), null);
    assertEquals(1, m.path("tags_count").asInt(), m.toString());
    assertEquals(before, m.path("last_changed").asText());
  }

  @Test
  void theControlEndpointOptsInUnsubscribesAndKeepsTheListStatsAsTheApiWould() {
    String dan = "dan.optout@example.com";
    String resubscribed = tick();
    JsonNode m = c.control("POST", "/_sandbox/members", Map.of("listId", list, "email", dan, "status", "subscribed"))
        .json();
    assertEquals(resubscribed, m.path("last_changed").asText());
    assertEquals(resubscribed, m.path("timestamp_opt").asText(), "re-subscribing on a form is a new opt-in");
    JsonNode stats = c.ok("GET", "/3.0/lists/" + list, null).path("stats");
    assertEquals(resubscribed, stats.path("last_sub_date").asText());
    assertEquals(4, stats.path("member_count").asInt());

    String left = tick();
    JsonNode unsubscribed = c.control("POST", "/_sandbox/members",
        Map.of("listId", list, "email", "chloe.martin@example.com", "status", "unsubscribed")).json();
    assertEquals("N/A (Unsubscribed by the contact)", unsubscribed.path("unsubscribe_reason").asText());
    assertEquals(left, unsubscribed.path("last_changed").asText());
    assertEquals(left, c.ok("GET", "/3.0/lists/" + list, null).path("stats").path("last_unsub_date").asText());
    assertEquals("N/A (Unsubscribed by an admin)", c.ok("PATCH", memberPath("ava.johnson@example.com"),
        Map.of("status", "unsubscribed")).path("unsubscribe_reason").asText(), "the API's own unsubscribe");

    tick();
    c.control("POST", "/_sandbox/members", Map.of("listId", list, "email", "chloe.martin@example.com",
        "status", "unsubscribed"));
    assertEquals(left, lastChanged("chloe.martin@example.com"), "the same status again changes nothing");

    String joined = tick();
    JsonNode fresh = c.control("POST", "/_sandbox/members",
        Map.of("listId", list, "email", "new.face@example.com", "status", "subscribed")).json();
    assertEquals(joined, fresh.path("timestamp_signup").asText());
    assertEquals(joined, fresh.path("timestamp_opt").asText());

    String signedUp = tick();
    c.ok("POST", "/3.0/lists/" + list + "/members", Map.of("email_address", "double.optin@example.com",
        "status", "pending"));
    String confirmed = tick();
    JsonNode optedIn = c.control("POST", "/_sandbox/members",
        Map.of("listId", list, "email", "double.optin@example.com", "status", "subscribed")).json();
    assertEquals(signedUp, optedIn.path("timestamp_signup").asText());
    assertEquals(confirmed, optedIn.path("timestamp_opt").asText(), "confirming a double opt-in");
  }

  @Test
  void aPermanentlyDeletedAddressComesBackOnlyByThePersonSubscribingAgain() {
    String ben = "ben.okafor@example.com";
    assertEquals(204, c.api("POST", memberPath(ben) + "/actions/delete-permanent", null).status());
    MarketingApiTest.assertProblem(c.api("POST", "/3.0/lists/" + list + "/members",
        Map.of("email_address", ben, "status", "subscribed")), 400, "Forgotten Email Not Subscribed");
    String back = tick();
    JsonNode m = c.control("POST", "/_sandbox/members", Map.of("listId", list, "email", ben, "status", "subscribed"))
        .json();
    assertEquals("subscribed", m.path("status").asText());
    assertEquals(back, m.path("timestamp_signup").asText());
    assertEquals("", m.path("merge_fields").path("FNAME").asText(""), "a new record: the old one was deleted");
  }
}
