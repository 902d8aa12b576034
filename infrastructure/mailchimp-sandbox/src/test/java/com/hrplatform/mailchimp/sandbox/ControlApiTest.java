package com.hrplatform.mailchimp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The /_sandbox control endpoints: request log, accounts, faults, latency, campaigns, merge fields, members, reset. */
class ControlApiTest {
  static MailchimpSandbox sandbox;
  static SandboxClient c;

  @BeforeAll
  static void start() {
    sandbox = MailchimpSandbox.start(0);
    c = new SandboxClient(sandbox);
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @BeforeEach
  void reset() {
    assertEquals(204, c.control("POST", "/_sandbox/reset", null).status());
  }

  static Map<String, Object> member(String email) {
    return Map.of("email_address", email, "status", "subscribed");
  }

  /** latency: the work is done at once and the answer comes late; hold: the work itself waits (a late arrival). */
  @Test
  void aHeldRequestDoesItsWorkOnlyAfterTheHold() throws Exception {
    String list = c.listId("Employees");
    for (String kind : List.of("latency", "hold")) {
      String email = kind + "-late@example.com";
      assertEquals(201, c.control("POST", "/_sandbox/faults", Map.of("kind", kind, "latencyMs", 3000, "count", 1,
          "method", "POST", "pathPrefix", "/3.0/lists/" + list)).status());
      var batch = java.util.concurrent.CompletableFuture.supplyAsync(() -> c.api("POST", "/3.0/lists/" + list,
          Map.of("members", List.of(member(email)), "update_existing", false)));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (sandbox.inFlight(MailchimpSandbox.DEFAULT_API_KEY) == 0 && !batch.isDone()) {
        assertTrue(System.nanoTime() < deadline, "the request arrives");
        Thread.sleep(10);
      }
      if (kind.equals("latency")) {
        while (memberStatus(list, email) != 200) { // the work is done while the answer waits
          assertTrue(System.nanoTime() < deadline, "latency: the member exists before the answer");
          Thread.sleep(10);
        }
        assertFalse(batch.isDone(), "latency: the answer still waits");
      } else {
        assertEquals(404, memberStatus(list, email), "hold: nothing done while the request waits");
        assertFalse(batch.isDone(), "hold: the request is still held");
      }
      assertEquals(200, batch.get().status());
      assertEquals(200, memberStatus(list, email), kind + ": the member once answered");
    }
  }

  private static int memberStatus(String list, String email) {
    return c.control("GET", "/_sandbox/members?apiKey=" + MailchimpSandbox.DEFAULT_API_KEY + "&listId=" + list
        + "&email=" + email, null).status();
  }

  @Test
  void requestLogRecordsMarketingRequestsWithBatchSizes() {
    String list = c.listId("Employees");
    assertEquals(204, c.control("DELETE", "/_sandbox/requests", null).status());
    c.ok("POST", "/3.0/lists/" + list, Map.of("members", List.of(member("a1@example.com"), member("a2@example.com"),
        member("a3@example.com"))));
    int seg = c.ok("POST", "/3.0/lists/" + list + "/segments", Map.of("name", "T")).path("id").asInt();
    c.ok("POST", "/3.0/lists/" + list + "/segments/" + seg, Map.of("members_to_add", List.of("a1@example.com",
        "a2@example.com"), "members_to_remove", List.of("a3@example.com")));
    c.api("GET", "/3.0/lists/" + list + "/members?count=5&offset=0", null);
    c.call("GET", "/3.0/ping", "wrong-key", null);

    JsonNode log = c.control("GET", "/_sandbox/requests", null).json();
    assertEquals(5, log.size(), log.toString());
    assertEquals("POST", log.get(0).path("method").asText());
    assertEquals("/3.0/lists/" + list, log.get(0).path("path").asText());
    assertEquals(200, log.get(0).path("status").asInt());
    assertEquals(3, log.get(0).path("members").asInt());
    assertEquals(0, log.get(1).path("members").asInt(), "creating a segment is not a batch");
    assertEquals(3, log.get(2).path("members").asInt(), "segment batch: adds + removes");
    assertEquals("/3.0/lists/" + list + "/members", log.get(3).path("path").asText(), "no query string");
    assertEquals(401, log.get(4).path("status").asInt());

    assertEquals(204, c.control("DELETE", "/_sandbox/requests", null).status());
    assertEquals(0, c.control("GET", "/_sandbox/requests", null).json().size(), "control calls are not logged");
  }

  @Test
  void accountsAreSeparateOrganisationsWithTheirOwnKeys() {
    String key = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-us7";
    SandboxClient.Res created = c.control("POST", "/_sandbox/accounts",
        Map.of("apiKey", key, "accountName", "Globex HR", "seed", true));
    assertEquals(201, created.status(), created.body());
    assertEquals("Globex HR", created.json().path("accountName").asText());
    assertEquals(2, created.json().path("lists").size());

    SandboxClient.Res root = c.call("GET", "/3.0/", key, null);
    assertEquals("Globex HR", root.json().path("account_name").asText());
    String globexList = created.json().path("lists").get(0).path("id").asText();
    assertEquals(200, c.call("GET", "/3.0/lists/" + globexList, key, null).status());
    assertEquals(404, c.api("GET", "/3.0/lists/" + globexList, null).status(), "another account's list is not visible");

    c.call("POST", "/3.0/lists/" + globexList, key, Map.of("members", List.of(member("only.globex@example.com"))));
    String defaultList = c.listId("Employees");
    assertEquals(404, c.api("GET", "/3.0/lists/" + defaultList + "/members/only.globex@example.com", null).status());

    String empty = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-us2";
    c.control("POST", "/_sandbox/accounts", Map.of("apiKey", empty, "accountName", "Initech"));
    assertEquals(0, c.call("GET", "/3.0/lists", empty, null).json().path("total_items").asInt());
    assertEquals(0, c.call("GET", "/3.0/campaigns", empty, null).json().path("total_items").asInt());

    // Posting the same key again resets that account.
    c.control("POST", "/_sandbox/accounts", Map.of("apiKey", key, "accountName", "Globex HR", "seed", true));
    assertEquals(404, c.call("GET", "/3.0/lists/" + globexList + "/members/only.globex@example.com", key, null).status());
    assertEquals(400, c.control("POST", "/_sandbox/accounts", Map.of("accountName", "no key")).status());
  }

  @Test
  void statusFaultAppliesToCountMatchingRequestsThenStops() {
    SandboxClient.Res f = c.control("POST", "/_sandbox/faults",
        Map.of("kind", "status", "status", 429, "count", 2, "method", "GET", "pathPrefix", "/3.0/lists"));
    assertEquals(201, f.status(), f.body());
    assertEquals(200, c.api("GET", "/3.0/campaigns", null).status(), "other paths unaffected");
    assertEquals(404, c.api("POST", "/3.0/lists/nosuchlist", "{}").status(), "a POST is not matched by a GET rule");
    SandboxClient.Res first = c.api("GET", "/3.0/lists", null);
    MarketingApiTest.assertProblem(first, 429, "Too Many Requests");
    MarketingApiTest.assertProblem(c.api("GET", "/3.0/lists", null), 429, "Too Many Requests");
    assertEquals(200, c.api("GET", "/3.0/lists", null).status(), "count exhausted");
  }

  @Test
  void faultRuleCanLetTheFirstMatchingRequestsThrough() {
    c.control("POST", "/_sandbox/faults",
        Map.of("kind", "status", "status", 500, "count", 1, "after", 2, "method", "GET", "pathPrefix", "/3.0/lists"));
    assertEquals(200, c.api("GET", "/3.0/lists", null).status(), "first match passes");
    assertEquals(200, c.api("GET", "/3.0/lists", null).status(), "second match passes");
    MarketingApiTest.assertProblem(c.api("GET", "/3.0/lists", null), 500, "Internal Server Error");
    assertEquals(200, c.api("GET", "/3.0/lists", null).status(), "count exhausted");
  }

  @Test
  void faultsCanTargetOneApiKeyAndAreClearedTogether() {
    String key = "cccccccccccccccccccccccccccccccc-us3";
    c.control("POST", "/_sandbox/accounts", Map.of("apiKey", key, "accountName", "Umbrella", "seed", true));
    c.control("POST", "/_sandbox/faults", Map.of("kind", "status", "status", 500, "apiKey", key));
    MarketingApiTest.assertProblem(c.call("GET", "/3.0/", key, null), 500, "Internal Server Error");
    MarketingApiTest.assertProblem(c.call("GET", "/3.0/lists", key, null), 500, "Internal Server Error");
    assertEquals(200, c.api("GET", "/3.0/", null).status(), "the default key is unaffected");
    assertEquals(1, c.control("GET", "/_sandbox/faults", null).json().size());
    assertEquals(204, c.control("DELETE", "/_sandbox/faults", null).status());
    assertEquals(200, c.call("GET", "/3.0/", key, null).status());
  }

  @Test
  void oneAccountsRequestsAndFaultsCanBeReadAndClearedAlone() {
    String key = "dddddddddddddddddddddddddddddddd-us4";
    c.control("POST", "/_sandbox/accounts", Map.of("apiKey", key, "accountName", "Stark", "seed", true));
    assertEquals(204, c.control("DELETE", "/_sandbox/requests", null).status());
    c.call("GET", "/3.0/lists", key, null);
    c.api("GET", "/3.0/campaigns", null);
    c.call("GET", "/3.0/ping", key, null);
    JsonNode mine = c.control("GET", "/_sandbox/requests?apiKey=" + key, null).json();
    assertEquals(2, mine.size(), mine.toString());
    assertEquals("/3.0/lists", mine.get(0).path("path").asText());
    assertEquals("/3.0/ping", mine.get(1).path("path").asText());
    assertFalse(mine.toString().contains(key), "the key is used to select, never shown");
    assertEquals(3, c.control("GET", "/_sandbox/requests", null).json().size());

    c.control("POST", "/_sandbox/faults", Map.of("kind", "status", "status", 500, "apiKey", key));
    c.control("POST", "/_sandbox/faults", Map.of("kind", "status", "status", 503, "method", "DELETE"));
    JsonNode onlyMine = c.control("GET", "/_sandbox/faults?apiKey=" + key, null).json();
    assertEquals(1, onlyMine.size(), onlyMine.toString());
    assertEquals(500, onlyMine.get(0).path("status").asInt());
    assertEquals(2, c.control("GET", "/_sandbox/faults", null).json().size());
    assertEquals(204, c.control("DELETE", "/_sandbox/faults?apiKey=" + key, null).status());
    JsonNode left = c.control("GET", "/_sandbox/faults", null).json();
    assertEquals(1, left.size(), left.toString());
    assertEquals(503, left.get(0).path("status").asInt(), "the other rule stays");
    assertEquals(200, c.call("GET", "/3.0/", key, null).status());
  }

  @Test
  void html503LooksLikeALoadBalancerPage() {
    c.control("POST", "/_sandbox/faults", Map.of("kind", "html503", "count", 1));
    SandboxClient.Res r = c.api("GET", "/3.0/lists", null);
    assertEquals(503, r.status());
    assertTrue(r.contentType().startsWith("text/html"), r.contentType());
    assertTrue(r.body().startsWith("<!DOCTYPE html>"));
    assertEquals(200, c.api("GET", "/3.0/lists", null).status());
    JsonNode log = c.control("GET", "/_sandbox/requests", null).json();
    assertEquals(503, log.get(log.size() - 2).path("status").asInt());
  }

  @Test
  void latencyFaultAndGlobalLatencyDelayResponses() {
    c.control("POST", "/_sandbox/faults", Map.of("kind", "latency", "latencyMs", 300, "count", 1));
    long t0 = System.nanoTime();
    assertEquals(200, c.api("GET", "/3.0/ping", null).status());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() >= 300, "latency fault applied");

    SandboxClient.Res cfg = c.control("POST", "/_sandbox/config", Map.of("latencyMs", 200));
    assertEquals(200, cfg.json().path("latencyMs").asInt());
    t0 = System.nanoTime();
    assertEquals(200, c.api("GET", "/3.0/ping", null).status());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() >= 200, "global latency applied");
    assertEquals(400, c.control("POST", "/_sandbox/config", Map.of("latencyMs", -1)).status());

    // A latency fault adds to the global latency; the log shows when each request came and how long it took.
    c.control("POST", "/_sandbox/faults", Map.of("kind", "latency", "latencyMs", 150, "count", 1));
    assertEquals(200, c.api("GET", "/3.0/ping", null).status());
    JsonNode log = c.control("GET", "/_sandbox/requests", null).json();
    JsonNode slowed = log.get(log.size() - 1);
    JsonNode plain = log.get(log.size() - 2);
    assertTrue(slowed.path("durationMs").asLong() >= 350, "global 200 + fault 150: " + slowed);
    assertTrue(plain.path("durationMs").asLong() >= 200, "global latency is the least a request takes: " + plain);
    assertTrue(slowed.path("receivedAt").asLong() >= plain.path("receivedAt").asLong() + plain.path("durationMs").asLong(),
        "receivedAt is the arrival time in epoch ms: " + log);
  }

  @Test
  void timeoutFaultHoldsTheRequestThenDropsTheConnection() {
    // No count: java.net.http retries an idempotent request once when the connection drops.
    c.control("POST", "/_sandbox/faults", Map.of("kind", "timeout", "latencyMs", 250, "pathPrefix", "/3.0/ping"));
    long t0 = System.nanoTime();
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> c.send(c.request("GET", "/3.0/ping", MailchimpSandbox.DEFAULT_API_KEY, null, Duration.ofSeconds(10))));
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() >= 250, "held before closing: " + e);
    JsonNode log = c.control("GET", "/_sandbox/requests", null).json();
    assertEquals(0, log.get(log.size() - 1).path("status").asInt(), "no answer is logged as status 0");
    assertEquals(204, c.control("DELETE", "/_sandbox/faults", null).status());
    assertEquals(200, c.api("GET", "/3.0/ping", null).status());
  }

  @Test
  void timeoutFaultWithoutLatencyHoldsLongerThanAClientTimeout() {
    c.control("POST", "/_sandbox/faults", Map.of("kind", "timeout", "count", 1));
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> c.send(c.request("GET", "/3.0/ping", MailchimpSandbox.DEFAULT_API_KEY, null, Duration.ofMillis(400))));
    assertTrue(e.getCause() instanceof java.net.http.HttpTimeoutException, e.toString());
  }

  @Test
  void lostAnswerFaultDoesTheWorkThenDropsTheAnswer() {
    String listId = c.api("GET", "/3.0/lists", null).json().path("lists").get(0).path("id").asText();
    String batch = "/3.0/lists/" + listId;
    // Only the batch endpoint itself, not its sub-paths; once.
    c.control("POST", "/_sandbox/faults", Map.of("kind", "lostAnswer", "method", "POST", "path", batch, "count", 1));
    assertEquals(200, c.api("GET", batch + "/members?count=1", null).status(), "a sub-path is not matched");
    Map<String, Object> body = Map.of("members", java.util.List.of(Map.of("email_address", "lost.answer@example.com",
        "status", "subscribed")), "update_existing", false);
    assertThrows(UncheckedIOException.class, () -> c.send(c.request("POST", batch, MailchimpSandbox.DEFAULT_API_KEY,
        body, Duration.ofSeconds(5))));
    assertEquals("subscribed", c.api("GET", batch + "/members/lost.answer@example.com", null).json().path("status").asText(),
        "the work was done although the answer was lost");
    JsonNode log = c.control("GET", "/_sandbox/requests", null).json();
    assertEquals(0, log.get(log.size() - 2).path("status").asInt(), "the lost answer is logged as status 0");
    JsonNode again = c.api("POST", batch, body).json();
    assertEquals("ERROR_CONTACT_EXISTS", again.path("errors").get(0).path("error_code").asText(), "the rule was used up");
  }

  @Test
  void badFaultRulesAreRejected() {
    assertEquals(400, c.control("POST", "/_sandbox/faults", Map.of("kind", "explode")).status());
    assertEquals(400, c.control("POST", "/_sandbox/faults", Map.of("kind", "status")).status());
    assertEquals(400, c.control("POST", "/_sandbox/faults", Map.of("kind", "latency")).status());
    assertEquals(400, c.control("POST", "/_sandbox/faults", Map.of("kind", "status", "status", 500, "count", 0)).status());
    assertEquals(0, c.control("GET", "/_sandbox/faults", null).json().size());
  }

  @Test
  void campaignsCanBeCreatedAndTheirStatsChanged() {
    String list = c.listId("Employees");
    SandboxClient.Res created = c.control("POST", "/_sandbox/campaigns", Map.of(
        "apiKey", MailchimpSandbox.DEFAULT_API_KEY, "status", "sending", "listId", list,
        "title", "Pulse survey", "subjectLine", "Two minutes, please", "emailsSent", 120,
        "report", Map.of("uniqueOpens", 30, "openRate", 0.25, "uniqueClicks", 6, "clickRate", 0.05)));
    assertEquals(201, created.status(), created.body());
    String id = created.json().path("id").asText();
    assertEquals("sending", c.ok("GET", "/3.0/campaigns/" + id, null).path("status").asText());
    JsonNode report = c.ok("GET", "/3.0/reports/" + id, null);
    assertEquals(30, report.path("opens").path("unique_opens").asInt());
    assertEquals(0.25, report.path("opens").path("open_rate").asDouble());

    SandboxClient.Res patched = c.control("PATCH", "/_sandbox/campaigns/" + id, Map.of("status", "sent",
        "report", Map.of("uniqueOpens", 45, "openRate", 0.375, "uniqueClicks", 9, "clickRate", 0.075)));
    assertEquals(200, patched.status(), patched.body());
    report = c.ok("GET", "/3.0/reports/" + id, null);
    assertEquals(45, report.path("opens").path("unique_opens").asInt());
    assertEquals(0.375, report.path("opens").path("open_rate").asDouble());
    assertEquals(9, report.path("clicks").path("unique_clicks").asInt());
    assertEquals(0.075, report.path("clicks").path("click_rate").asDouble());
    assertEquals("sent", c.ok("GET", "/3.0/campaigns/" + id, null).path("status").asText());
    assertEquals(5, c.ok("GET", "/3.0/campaigns", null).path("total_items").asInt());

    String draft = c.control("POST", "/_sandbox/campaigns", Map.of("status", "save", "listId", list, "title", "D",
        "subjectLine", "S")).json().path("id").asText();
    assertEquals(404, c.api("GET", "/3.0/reports/" + draft, null).status());
    c.control("PATCH", "/_sandbox/campaigns/" + draft, Map.of("status", "schedule", "sendTime", "2031-01-02T03:04:05Z"));
    assertEquals("2031-01-02T03:04:05+00:00", c.ok("GET", "/3.0/campaigns/" + draft, null).path("send_time").asText());

    assertEquals(400, c.control("POST", "/_sandbox/campaigns", Map.of("status", "draft", "listId", list)).status());
    assertEquals(400, c.control("POST", "/_sandbox/campaigns", Map.of("status", "sent", "listId", "nope")).status());
    assertEquals(404, c.control("PATCH", "/_sandbox/campaigns/nope", Map.of("status", "sent")).status());
    assertEquals(400, c.control("PATCH", "/_sandbox/campaigns/" + id, Map.of("report", Map.of("openRate", 3))).status());
  }

  @Test
  void mergeFieldsCanBeCreatedAndMadeRequired() {
    String list = c.listId("Employees");
    String path = "/_sandbox/lists/" + list + "/merge-fields";
    SandboxClient.Res lname = c.control("POST", path, Map.of("apiKey", MailchimpSandbox.DEFAULT_API_KEY,
        "tag", "lname", "required", true));
    assertEquals(200, lname.status(), lname.body());
    assertEquals("LNAME", lname.json().path("tag").asText());
    assertEquals(2, lname.json().path("merge_id").asInt(), "the existing field, not a new one");
    assertTrue(lname.json().path("required").asBoolean());
    JsonNode phone = c.control("POST", path, Map.of("tag", "PHONE")).json();
    assertEquals(3, phone.path("merge_id").asInt());
    assertEquals("text", phone.path("type").asText());
    assertFalse(phone.path("required").asBoolean(), "required defaults to false");
    assertEquals(List.of("FNAME", "LNAME", "PHONE"), tags(c.ok("GET", "/3.0/lists/" + list + "/merge-fields", null)));
    assertFalse(c.control("POST", path, Map.of("tag", "LNAME", "required", false)).json().path("required").asBoolean());

    MarketingApiTest.assertProblem(c.control("POST", path, Map.of("required", true)), 400, "Bad Request");
    MarketingApiTest.assertProblem(c.control("POST", path, Map.of("tag", "TWO WORDS")), 400, "Bad Request");
    SandboxClient.Res notBoolean = c.control("POST", path, Map.of("tag", "LNAME", "required", "yes"));
    MarketingApiTest.assertProblem(notBoolean, 400, "Bad Request");
    assertTrue(notBoolean.json().path("detail").asText().contains("required"), notBoolean.body());
    MarketingApiTest.assertProblem(c.control("POST", "/_sandbox/lists/nope/merge-fields", Map.of("tag", "X")), 404,
        "Resource Not Found");
    MarketingApiTest.assertProblem(c.control("POST", path, Map.of("apiKey", "unknown-us1", "tag", "X")), 400,
        "Bad Request");
    MarketingApiTest.assertProblem(c.control("GET", path, null), 405, "Method Not Allowed");

    String key = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-us5";
    String other = c.control("POST", "/_sandbox/accounts", Map.of("apiKey", key, "accountName", "Hooli", "seed", true))
        .json().path("lists").get(0).path("id").asText();
    MarketingApiTest.assertProblem(c.control("POST", "/_sandbox/lists/" + other + "/merge-fields", Map.of("tag", "X")),
        404, "Resource Not Found");
    assertEquals(200, c.control("POST", "/_sandbox/lists/" + other + "/merge-fields",
        Map.of("apiKey", key, "tag", "X", "required", true)).status());

    assertEquals(204, c.control("POST", "/_sandbox/reset", null).status());
    assertEquals(List.of("FNAME", "LNAME"), tags(c.ok("GET", "/3.0/lists/" + list + "/merge-fields", null)));
  }

  private static List<String> tags(JsonNode mergeFields) {
    List<String> out = new ArrayList<>();
    mergeFields.path("merge_fields").forEach(f -> out.add(f.path("tag").asText()));
    return out;
  }

  @Test
  void memberStatusCanBeSetAsAPersonOrTheUiWouldWithoutTheComplianceRules() {
    String list = c.listId("Employees");
    String dan = "/3.0/lists/" + list + "/members/" + SandboxClient.hash("dan.optout@example.com");
    MarketingApiTest.assertProblem(c.api("PATCH", dan, Map.of("status", "subscribed")), 400, "Member In Compliance State");
    SandboxClient.Res resubscribed = c.control("POST", "/_sandbox/members",
        Map.of("listId", list, "email", "dan.optout@example.com", "status", "subscribed"));
    assertEquals(200, resubscribed.status(), resubscribed.body());
    JsonNode m = resubscribed.json();
    assertEquals("subscribed", m.path("status").asText());
    assertEquals(SandboxClient.hash("dan.optout@example.com"), m.path("id").asText(), "the Marketing API's member shape");
    assertEquals(list, m.path("list_id").asText());
    assertFalse(m.has("unsubscribe_reason"));
    assertEquals(m, c.ok("GET", dan, null));
    // A test reads the same member past faults and the request log.
    c.control("POST", "/_sandbox/faults", Map.of("kind", "status", "status", 500));
    int logged = c.control("GET", "/_sandbox/requests", null).json().size();
    SandboxClient.Res read = c.control("GET", "/_sandbox/members?listId=" + list + "&email=Dan.Optout%40example.com", null);
    assertEquals(200, read.status(), read.body());
    // The control read is the Marketing API's member plus when it last changed, to the millisecond (a benchmark's clock).
    com.fasterxml.jackson.databind.node.ObjectNode controlRead = (com.fasterxml.jackson.databind.node.ObjectNode) read.json();
    assertTrue(controlRead.path("lastChangedMs").isNumber(), controlRead::toString);
    controlRead.remove("lastChangedMs");
    assertEquals(m, controlRead);
    assertEquals(logged, c.control("GET", "/_sandbox/requests", null).json().size(), "not a Marketing API request");
    assertEquals(404, c.control("GET", "/_sandbox/members?listId=" + list + "&email=nobody%40example.com", null).status());
    assertEquals(400, c.control("GET", "/_sandbox/members?listId=" + list, null).status());
    c.control("DELETE", "/_sandbox/faults", null);

    JsonNode cleaned = c.control("POST", "/_sandbox/members",
        Map.of("apiKey", MailchimpSandbox.DEFAULT_API_KEY, "listId", list, "email", "Ava.Johnson@example.com",
            "status", "cleaned")).json();
    assertEquals("cleaned", cleaned.path("status").asText());
    String ava = "/3.0/lists/" + list + "/members/" + SandboxClient.hash("ava.johnson@example.com");
    MarketingApiTest.assertProblem(c.api("PATCH", ava, Map.of("status", "pending")), 400, "Member In Compliance State");

    JsonNode archived = c.control("POST", "/_sandbox/members",
        Map.of("listId", list, "email", "ben.okafor@example.com", "status", "archived")).json();
    assertEquals("archived", archived.path("status").asText());
    JsonNode stats = c.ok("GET", "/3.0/lists/" + list, null).path("stats");
    assertEquals(2, stats.path("member_count").asInt(), "chloe and dan are subscribed");
    assertEquals(0, stats.path("unsubscribe_count").asInt());
    assertEquals(2, stats.path("cleaned_count").asInt());
    assertEquals(4, stats.path("total_contacts").asInt(), "an archived member is not a contact");

    JsonNode fresh = c.control("POST", "/_sandbox/members",
        Map.of("listId", list, "email", "walk.in@example.com", "status", "pending")).json();
    assertEquals("pending", fresh.path("status").asText());
    assertEquals("pending", c.ok("GET", "/3.0/lists/" + list + "/members/walk.in@example.com", null)
        .path("status").asText(), "created when absent");
    for (String status : List.of("subscribed", "transactional", "unsubscribed")) {
      assertEquals(status, c.control("POST", "/_sandbox/members",
          Map.of("listId", list, "email", "walk.in@example.com", "status", status)).json().path("status").asText());
    }
    assertEquals("N/A (Unsubscribed by the contact)", c.ok("GET", "/3.0/lists/" + list + "/members/walk.in@example.com",
        null).path("unsubscribe_reason").asText());
    JsonNode byAdmin = c.control("POST", "/_sandbox/members", Map.of("listId", list, "email", "chloe.martin@example.com",
        "status", "unsubscribed", "unsubscribeReason", "N/A (Unsubscribed by an admin)")).json();
    assertEquals("N/A (Unsubscribed by an admin)", byAdmin.path("unsubscribe_reason").asText(), "an admin in the UI");
  }

  @Test
  void memberStatusControlRefusesWhatItCannotDo() {
    String list = c.listId("Employees");
    MarketingApiTest.assertProblem(c.control("POST", "/_sandbox/members",
        Map.of("listId", list, "email", "nobody@example.com", "status", "archived")), 404, "Resource Not Found");
    MarketingApiTest.assertProblem(c.control("POST", "/_sandbox/members",
        Map.of("listId", "nope", "email", "ava.johnson@example.com", "status", "subscribed")), 404, "Resource Not Found");
    SandboxClient.Res status = c.control("POST", "/_sandbox/members",
        Map.of("listId", list, "email", "ava.johnson@example.com", "status", "active"));
    MarketingApiTest.assertProblem(status, 400, "Bad Request");
    assertTrue(status.json().path("detail").asText().startsWith("status "), status.body());
    SandboxClient.Res email = c.control("POST", "/_sandbox/members",
        Map.of("listId", list, "email", "not an address", "status", "subscribed"));
    MarketingApiTest.assertProblem(email, 400, "Bad Request");
    assertTrue(email.json().path("detail").asText().startsWith("email "), email.body());
    MarketingApiTest.assertProblem(c.control("POST", "/_sandbox/members",
        Map.of("email", "ava.johnson@example.com", "status", "subscribed")), 400, "Bad Request");
    MarketingApiTest.assertProblem(c.control("POST", "/_sandbox/members", Map.of("apiKey", "unknown-us1",
        "listId", list, "email", "ava.johnson@example.com", "status", "subscribed")), 400, "Bad Request");
    MarketingApiTest.assertProblem(c.control("DELETE", "/_sandbox/members", null), 405, "Method Not Allowed");
    assertEquals("subscribed", c.ok("GET", "/3.0/lists/" + list + "/members/ava.johnson@example.com", null)
        .path("status").asText(), "nothing changed");
  }

  @Test
  void resetReturnsToTheSeededState() {
    String list = c.listId("Employees");
    c.ok("POST", "/3.0/lists/" + list, Map.of("members", List.of(member("temp@example.com"))));
    c.control("POST", "/_sandbox/accounts", Map.of("apiKey", "dddddddddddddddddddddddddddddddd-us4", "accountName", "X"));
    c.control("POST", "/_sandbox/faults", Map.of("kind", "status", "status", 500, "pathPrefix", "/3.0/campaigns"));
    c.control("POST", "/_sandbox/config", Map.of("latencyMs", 5));

    assertEquals(204, c.control("POST", "/_sandbox/reset", null).status());
    assertEquals(0, c.control("GET", "/_sandbox/requests", null).json().size(), "request log cleared");
    assertEquals(0, c.control("GET", "/_sandbox/faults", null).json().size(), "faults cleared");
    assertEquals(0, c.control("GET", "/_sandbox/config", null).json().path("latencyMs").asInt());
    assertEquals(5, c.ok("GET", "/3.0/lists/" + list + "/members", null).path("total_items").asInt());
    assertEquals(list, c.listId("Employees"), "seeded ids are stable");
    assertEquals(401, c.call("GET", "/3.0/", "dddddddddddddddddddddddddddddddd-us4", null).status());
    assertEquals(200, c.api("GET", "/3.0/campaigns", null).status());
  }

  @Test
  void unknownControlPathIs404Problem() {
    MarketingApiTest.assertProblem(c.control("GET", "/_sandbox/nothing", null), 404, "Resource Not Found");
    MarketingApiTest.assertProblem(c.control("PUT", "/_sandbox/requests", null), 405, "Method Not Allowed");
  }
}
