package com.hrplatform.mailchimp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MarketingApiTest {
  static MailchimpSandbox sandbox;
  static SandboxClient c;
  String employees;

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
    employees = c.listId("Employees");
  }

  static void assertProblem(SandboxClient.Res r, int status, String title) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
    JsonNode j = r.json();
    assertEquals(title, j.path("title").asText(), r.body());
    assertEquals(status, j.path("status").asInt());
    for (String f : List.of("type", "title", "detail", "instance")) {
      assertTrue(j.path(f).isTextual(), f + " missing in " + r.body());
    }
    assertFalse(r.body().contains("at com."), "no stack trace: " + r.body());
  }

  static Map<String, Object> member(String email, String status) {
    return Map.of("email_address", email, "status", status, "merge_fields", Map.of("FNAME", "Test"));
  }

  // ------------------------------------------------------------------ account, auth, routing

  @Test
  void baseUrlAndRootDescribeTheSeededAccount() {
    assertEquals("http://127.0.0.1:" + sandbox.port() + "/3.0", sandbox.baseUrl());
    JsonNode root = c.ok("GET", "/3.0/", null);
    assertEquals("Acme People Ops (sandbox)", root.path("account_name").asText());
    assertTrue(root.path("account_id").asText().length() > 5);
    assertTrue(root.path("email").asText().contains("@"));
    assertEquals(4, root.path("total_subscribers").asInt(), "3 employees + 1 vendor subscribed");
    assertEquals("Everything's Chimpy!", c.ok("GET", "/3.0/ping", null).path("health_status").asText());
  }

  @Test
  void missingOrUnknownKeyIs401ApiKeyInvalid() {
    assertProblem(c.call("GET", "/3.0/", null, null), 401, "API Key Invalid");
    assertProblem(c.call("GET", "/3.0/lists", "ffffffffffffffffffffffffffffffff-us1", null), 401, "API Key Invalid");
    SandboxClient.Res bearer = c.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(c.root + "/3.0/ping"))
        .header("Authorization", "Bearer " + MailchimpSandbox.DEFAULT_API_KEY).build());
    assertEquals(200, bearer.status(), "an OAuth-style bearer token is accepted too");
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405() {
    assertProblem(c.api("GET", "/3.0/nothing/here", null), 404, "Resource Not Found");
    assertProblem(c.api("GET", "/elsewhere", null), 404, "Resource Not Found");
    assertProblem(c.api("GET", "/3.0/lists/doesnotexist", null), 404, "Resource Not Found");
    assertProblem(c.api("DELETE", "/3.0/lists", null), 405, "Method Not Allowed");
  }

  @Test
  void malformedJsonIs400Problem() {
    assertProblem(c.api("POST", "/3.0/lists/" + employees, "{not json"), 400, "Bad Request");
  }

  // ------------------------------------------------------------------ lists

  @Test
  void listsPaginateWithTotalItemsAndMemberCounts() {
    JsonNode all = c.ok("GET", "/3.0/lists", null);
    assertEquals(2, all.path("total_items").asInt());
    assertEquals(2, all.path("lists").size());
    JsonNode second = c.ok("GET", "/3.0/lists?count=1&offset=1", null);
    assertEquals(1, second.path("lists").size());
    assertEquals(2, second.path("total_items").asInt());
    assertEquals("Vendors & Contractors", second.path("lists").get(0).path("name").asText());
    JsonNode one = c.ok("GET", "/3.0/lists/" + employees, null);
    assertEquals(3, one.path("stats").path("member_count").asInt(), "subscribed only");
    assertEquals(1, one.path("stats").path("unsubscribe_count").asInt());
    assertEquals(1, one.path("stats").path("cleaned_count").asInt());
    assertProblem(c.api("GET", "/3.0/lists?count=abc", null), 400, "Bad Request");
  }

  // ------------------------------------------------------------------ members

  @Test
  void membersPaginateAndFilterByStatus() {
    JsonNode page = c.ok("GET", "/3.0/lists/" + employees + "/members?count=2&offset=0", null);
    assertEquals(5, page.path("total_items").asInt());
    assertEquals(2, page.path("members").size());
    JsonNode rest = c.ok("GET", "/3.0/lists/" + employees + "/members?count=10&offset=2", null);
    assertEquals(3, rest.path("members").size());
    Set<String> seen = new HashSet<>();
    page.path("members").forEach(m -> seen.add(m.path("id").asText()));
    rest.path("members").forEach(m -> seen.add(m.path("id").asText()));
    assertEquals(5, seen.size(), "pages do not overlap");
    JsonNode unsub = c.ok("GET", "/3.0/lists/" + employees + "/members?status=unsubscribed", null);
    assertEquals(1, unsub.path("total_items").asInt());
    assertEquals("dan.optout@example.com", unsub.path("members").get(0).path("email_address").asText());
    assertEquals(1, c.ok("GET", "/3.0/lists/" + employees + "/members?status=cleaned", null).path("total_items").asInt());
  }

  @Test
  void fieldsKeepsOnlyTheNamedDottedPathsAndExcludeFieldsDropsThem() {
    JsonNode page = c.ok("GET", "/3.0/lists/" + employees
        + "/members?status=unsubscribed&fields=members.id,members.status,total_items", null);
    assertEquals(Set.of("members", "total_items"), names(page), "no _links, list_id or anything else");
    assertEquals(1, page.path("total_items").asInt());
    assertEquals(Set.of("id", "status"), names(page.path("members").get(0)));
    assertEquals("unsubscribed", page.path("members").get(0).path("status").asText());

    JsonNode whole = c.ok("GET", "/3.0/lists/" + employees + "/members?status=unsubscribed&fields=members", null);
    assertTrue(whole.path("members").get(0).has("merge_fields"), "a path that ends keeps the whole value");

    JsonNode without = c.ok("GET", "/3.0/lists/" + employees
        + "/members?status=unsubscribed&exclude_fields=_links,members._links,members.merge_fields", null);
    assertFalse(without.has("_links"));
    JsonNode member = without.path("members").get(0);
    assertFalse(member.has("_links") || member.has("merge_fields"), member::toString);
    assertEquals("dan.optout@example.com", member.path("email_address").asText());
    assertTrue(without.has("total_items"));

    String id = member.path("id").asText();
    JsonNode one = c.ok("GET", "/3.0/lists/" + employees + "/members/" + id + "?fields=status,merge_fields.FNAME", null);
    assertEquals(Set.of("status", "merge_fields"), names(one));
    assertEquals(Set.of("FNAME"), names(one.path("merge_fields")));
  }

  private static Set<String> names(JsonNode object) {
    Set<String> names = new HashSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void memberIdIsLowercaseMd5OfTrimmedLowercasedEmail() {
    JsonNode m = c.ok("PUT", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("new.hire@example.com"),
        Map.of("email_address", "  New.Hire@Example.com ", "status_if_new", "subscribed"));
    assertTrue(m.path("id").asText().matches("[0-9a-f]{32}"), m.path("id").asText());
    assertEquals(Json.md5("new.hire@example.com"), m.path("id").asText());
    assertEquals("subscribed", m.path("status").asText());
    JsonNode byEmail = c.ok("GET", "/3.0/lists/" + employees + "/members/new.hire@example.com", null);
    assertEquals(m.path("id").asText(), byEmail.path("id").asText());
  }

  @Test
  void putAddsWithStatusIfNewAndUpdatesWithoutTouchingStatus() {
    String hash = SandboxClient.hash("putter@example.com");
    String path = "/3.0/lists/" + employees + "/members/" + hash;
    JsonNode created = c.ok("PUT", path, Map.of("email_address", "putter@example.com", "status_if_new", "pending",
        "merge_fields", Map.of("FNAME", "Pat")));
    assertEquals("pending", created.path("status").asText());
    JsonNode updated = c.ok("PUT", path, Map.of("email_address", "putter@example.com", "status_if_new", "subscribed",
        "merge_fields", Map.of("LNAME", "Putter")));
    assertEquals("pending", updated.path("status").asText(), "status_if_new ignored for an existing member");
    assertEquals("Pat", updated.path("merge_fields").path("FNAME").asText());
    assertEquals("Putter", updated.path("merge_fields").path("LNAME").asText());
    assertProblem(c.api("PUT", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("x@example.com"),
        Map.of("email_address", "x@example.com")), 400, "Invalid Resource");
  }

  @Test
  void patchUpdatesStatusAndFields() {
    String path = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("ava.johnson@example.com");
    JsonNode m = c.ok("PATCH", path, Map.of("status", "unsubscribed", "merge_fields", Map.of("FNAME", "Ava-Marie")));
    assertEquals("unsubscribed", m.path("status").asText());
    assertEquals("Ava-Marie", m.path("merge_fields").path("FNAME").asText());
    assertProblem(c.api("PATCH", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("nobody@example.com"),
        Map.of("status", "subscribed")), 404, "Resource Not Found");
  }

  @Test
  void unsubscribedOrCleanedMembersCannotBeResubscribedByPutOrPatch() {
    for (String email : List.of("dan.optout@example.com", "erin.bounce@example.com")) {
      String path = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash(email);
      SandboxClient.Res put = c.api("PUT", path, Map.of("email_address", email, "status", "subscribed"));
      assertProblem(put, 400, "Member In Compliance State");
      assertTrue(put.json().path("detail").asText().contains("compliance state"), put.body());
      assertProblem(c.api("PATCH", path, Map.of("status", "subscribed")), 400, "Member In Compliance State");
      String before = email.startsWith("dan") ? "unsubscribed" : "cleaned";
      assertEquals(before, c.ok("GET", path, null).path("status").asText(), "status unchanged");
    }
    String cleaned = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("erin.bounce@example.com");
    assertProblem(c.api("PATCH", cleaned, Map.of("status", "pending")), 400, "Member In Compliance State");
    // Non-status updates of such a member are still allowed.
    JsonNode m = c.ok("PATCH", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("dan.optout@example.com"),
        Map.of("merge_fields", Map.of("LNAME", "Changed")));
    assertEquals("unsubscribed", m.path("status").asText());
  }

  @Test
  void deleteArchivesAndArchivingDoesNotLaunderAnOptOut() {
    String ava = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("ava.johnson@example.com");
    assertEquals(204, c.api("DELETE", ava, null).status());
    assertEquals("archived", c.ok("GET", ava, null).path("status").asText());
    assertEquals(1, c.ok("GET", "/3.0/lists/" + employees + "/members?status=archived", null).path("total_items").asInt());
    assertEquals("subscribed", c.ok("PUT", ava, Map.of("email_address", "ava.johnson@example.com",
        "status_if_new", "subscribed", "status", "subscribed")).path("status").asText(), "an archived subscriber can return");

    String dan = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("dan.optout@example.com");
    assertEquals(204, c.api("DELETE", dan, null).status());
    assertProblem(c.api("PUT", dan, Map.of("email_address", "dan.optout@example.com", "status", "subscribed")), 400,
        "Member In Compliance State");
  }

  @Test
  void deletePermanentForgetsTheAddressForGood() {
    String email = "ben.okafor@example.com";
    String path = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash(email);
    assertEquals(204, c.api("POST", path + "/actions/delete-permanent", null).status());
    assertProblem(c.api("GET", path, null), 404, "Resource Not Found");
    SandboxClient.Res put = c.api("PUT", path, Map.of("email_address", email, "status_if_new", "subscribed"));
    assertProblem(put, 400, "Forgotten Email Not Subscribed");
    assertTrue(put.json().path("detail").asText().contains("permanently deleted"));
    assertProblem(c.api("POST", "/3.0/lists/" + employees + "/members", member(email, "pending")), 400,
        "Forgotten Email Not Subscribed");
    JsonNode batch = c.ok("POST", "/3.0/lists/" + employees,
        Map.of("members", List.of(member(email, "subscribed")), "update_existing", true));
    assertEquals(0, batch.path("total_created").asInt());
    assertEquals(1, batch.path("error_count").asInt());
    assertTrue(batch.path("errors").get(0).path("error").asText().contains("permanently deleted"));
    assertProblem(c.api("POST", path + "/actions/delete-permanent", null), 404, "Resource Not Found");
  }

  @Test
  void invalidEmailIsInvalidResource() {
    SandboxClient.Res r = c.api("POST", "/3.0/lists/" + employees + "/members", member("not-an-email", "subscribed"));
    assertProblem(r, 400, "Invalid Resource");
    assertTrue(r.json().path("detail").asText().contains("looks fake or invalid"));
    assertProblem(c.api("POST", "/3.0/lists/" + employees + "/members", member("ava.johnson@example.com", "subscribed")),
        400, "Member Exists");
    assertProblem(c.api("POST", "/3.0/lists/" + employees + "/members", member("ok@example.com", "bogus")), 400,
        "Invalid Resource");
  }

  // ------------------------------------------------------------------ batch subscribe

  @Test
  void batchCreatesUpdatesAndReportsPerMemberErrors() {
    List<Object> members = List.of(
        member("fresh.one@example.com", "subscribed"),
        member("ava.johnson@example.com", "subscribed"),
        member("dan.optout@example.com", "subscribed"),
        member("erin.bounce@example.com", "subscribed"),
        member("bad address", "subscribed"));
    JsonNode r = c.ok("POST", "/3.0/lists/" + employees, Map.of("members", members, "update_existing", true));
    assertEquals(1, r.path("total_created").asInt());
    assertEquals(1, r.path("total_updated").asInt());
    assertEquals(3, r.path("error_count").asInt());
    assertEquals("fresh.one@example.com", r.path("new_members").get(0).path("email_address").asText());
    assertEquals("ava.johnson@example.com", r.path("updated_members").get(0).path("email_address").asText());
    Map<String, JsonNode> errors = new java.util.HashMap<>();
    r.path("errors").forEach(e -> errors.put(e.path("email_address").asText(), e));
    assertTrue(errors.get("dan.optout@example.com").path("error").asText().contains("compliance state"));
    assertTrue(errors.get("erin.bounce@example.com").path("error").asText().contains("compliance state"));
    assertEquals("ERROR_GENERIC", errors.get("dan.optout@example.com").path("error_code").asText());
    assertEquals("email_address", errors.get("bad address").path("field").asText());
    for (JsonNode e : r.path("errors")) {
      for (String f : List.of("email_address", "error", "error_code", "field", "field_message")) {
        assertTrue(e.has(f), f + " in " + e);
      }
    }
    assertEquals("unsubscribed", c.ok("GET", "/3.0/lists/" + employees + "/members/"
        + SandboxClient.hash("dan.optout@example.com"), null).path("status").asText());
  }

  @Test
  void batchWithoutUpdateExistingReportsContactExists() {
    JsonNode r = c.ok("POST", "/3.0/lists/" + employees,
        Map.of("members", List.of(member("ava.johnson@example.com", "unsubscribed"))));
    assertEquals(0, r.path("total_updated").asInt());
    assertEquals("ERROR_CONTACT_EXISTS", r.path("errors").get(0).path("error_code").asText());
    assertEquals("subscribed", c.ok("GET", "/3.0/lists/" + employees + "/members/"
        + SandboxClient.hash("ava.johnson@example.com"), null).path("status").asText());
  }

  @Test
  void batchStatusOverwritesBecauseThereIsNoStatusIfNew() {
    // A subscriber sent as "pending" with update_existing is moved to pending: the batch has no status_if_new.
    JsonNode r = c.ok("POST", "/3.0/lists/" + employees, Map.of("update_existing", true, "members",
        List.of(Map.of("email_address", "ben.okafor@example.com", "status", "pending", "status_if_new", "subscribed"))));
    assertEquals(1, r.path("total_updated").asInt());
    assertEquals("pending", r.path("updated_members").get(0).path("status").asText());
    // Without a status the member's status stays as it is.
    JsonNode keep = c.ok("POST", "/3.0/lists/" + employees, Map.of("update_existing", true, "members",
        List.of(Map.of("email_address", "chloe.martin@example.com", "merge_fields", Map.of("FNAME", "Clo")))));
    assertEquals("subscribed", keep.path("updated_members").get(0).path("status").asText());
    assertEquals("Clo", keep.path("updated_members").get(0).path("merge_fields").path("FNAME").asText());
  }

  @Test
  void batchOfMoreThan500MembersIsRejected() {
    List<Object> members = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      members.add(member("bulk" + i + "@example.com", "subscribed"));
    }
    assertProblem(c.api("POST", "/3.0/lists/" + employees, Map.of("members", members)), 400, "Invalid Resource");
    JsonNode ok = c.ok("POST", "/3.0/lists/" + employees, Map.of("members", members.subList(0, 500)));
    assertEquals(500, ok.path("total_created").asInt());
    assertEquals(505, c.ok("GET", "/3.0/lists/" + employees + "/members?count=1", null).path("total_items").asInt());
  }

  // ------------------------------------------------------------------ members by status

  @Test
  void membersFilterByEveryStatusOfTheSpecAndPaginateWithinIt() {
    String members = "/3.0/lists/" + employees + "/members";
    c.ok("POST", members, member("pat.pending@example.com", "pending"));
    c.ok("POST", members, member("tom.transactional@example.com", "transactional"));
    assertEquals(204, c.api("DELETE", members + "/" + SandboxClient.hash("ben.okafor@example.com"), null).status());
    Map<String, Integer> expected = Map.of("subscribed", 2, "unsubscribed", 1, "cleaned", 1, "pending", 1,
        "transactional", 1, "archived", 1);
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      JsonNode page = c.ok("GET", members + "?count=1000&status=" + e.getKey(), null);
      assertEquals(e.getValue().intValue(), page.path("total_items").asInt(), e.getKey());
      assertEquals(e.getValue().intValue(), page.path("members").size(), e.getKey());
      page.path("members").forEach(m -> assertEquals(e.getKey(), m.path("status").asText()));
    }
    assertEquals(7, c.ok("GET", members, null).path("total_items").asInt(), "no filter: every status, archived too");

    JsonNode second = c.ok("GET", members + "?status=subscribed&count=1&offset=1", null);
    assertEquals(2, second.path("total_items").asInt(), "total_items ignores pagination");
    assertEquals(1, second.path("members").size());
    assertEquals("chloe.martin@example.com", second.path("members").get(0).path("email_address").asText());
    JsonNode beyond = c.ok("GET", members + "?status=subscribed&count=10&offset=5", null);
    assertEquals(0, beyond.path("members").size());
    assertEquals(2, beyond.path("total_items").asInt());
    JsonNode firstThree = c.ok("GET", members + "?count=3", null);
    assertEquals(3, firstThree.path("members").size());
    assertEquals(7, firstThree.path("total_items").asInt());

    assertProblem(c.api("GET", members + "?status=active", null), 400, "Bad Request");
    assertProblem(c.api("GET", members + "?count=1001", null), 400, "Bad Request");
    assertProblem(c.api("GET", members + "?offset=-1", null), 400, "Bad Request");
  }

  // ------------------------------------------------------------------ tags on member writes

  @Test
  void batchIgnoresTagsWhichTheSegmentAndMemberTagEndpointsApply() {
    JsonNode r = c.ok("POST", "/3.0/lists/" + employees, Map.of("update_existing", true, "sync_tags", true,
        "members", List.of(
            Map.of("email_address", "tagged.new@example.com", "status", "subscribed", "tags", List.of("Batch")),
            Map.of("email_address", "ava.johnson@example.com", "tags", List.of(Map.of("name", "Batch2"))))));
    assertEquals(1, r.path("total_created").asInt(), r.toString());
    assertEquals(1, r.path("total_updated").asInt(), r.toString());
    assertEquals(0, r.path("new_members").get(0).path("tags").size(), "AddListMembers has no tags");
    assertEquals(0, r.path("updated_members").get(0).path("tags_count").asInt());
    assertEquals(0, c.ok("GET", "/3.0/lists/" + employees + "/segments", null).path("total_items").asInt(),
        "no tag was created");

    int seg = c.ok("POST", "/3.0/lists/" + employees + "/segments", Map.of("name", "Batch")).path("id").asInt();
    c.ok("POST", "/3.0/lists/" + employees + "/segments/" + seg,
        Map.of("members_to_add", List.of("tagged.new@example.com", "ava.johnson@example.com")));
    String tags = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("tagged.new@example.com") + "/tags";
    assertEquals(204, c.api("POST", tags, Map.of("tags", List.of(Map.of("name", "Remote", "status", "active"))))
        .status());
    JsonNode m = c.ok("GET", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("tagged.new@example.com"), null);
    assertEquals(2, m.path("tags_count").asInt(), m.toString());
    c.ok("POST", "/3.0/lists/" + employees + "/segments/" + seg,
        Map.of("members_to_remove", List.of("ava.johnson@example.com")));
    assertEquals(0, c.ok("GET", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("ava.johnson@example.com"),
        null).path("tags_count").asInt());
  }

  @Test
  void singleMemberPostAppliesTagsButPutAndPatchIgnoreThem() {
    JsonNode posted = c.ok("POST", "/3.0/lists/" + employees + "/members", Map.of("email_address",
        "single.tag@example.com", "status", "subscribed", "tags", List.of("Onboarding")));
    assertEquals("Onboarding", posted.path("tags").get(0).path("name").asText(), "AddListMembers1 has tags");
    String path = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("single.tag@example.com");
    assertEquals(1, c.ok("PUT", path, Map.of("email_address", "single.tag@example.com", "status_if_new", "subscribed",
        "tags", List.of("FromPut"))).path("tags_count").asInt(), "AddListMembers2 has no tags");
    assertEquals(1, c.ok("PATCH", path, Map.of("tags", List.of("FromPatch"))).path("tags_count").asInt(),
        "AddListMembers3 has no tags");
    assertEquals(1, c.ok("GET", "/3.0/lists/" + employees + "/segments", null).path("total_items").asInt());
  }

  // ------------------------------------------------------------------ client timestamps

  @Test
  void givenTimestampsAreStoredAndRenderedAsMailchimpFormatsThem() {
    JsonNode batch = c.ok("POST", "/3.0/lists/" + employees, Map.of("update_existing", true, "members", List.of(
        Map.of("email_address", "stamped@example.com", "status", "subscribed",
            "timestamp_signup", "2021-03-04T05:06:07.891+02:00", "timestamp_opt", "2021-03-05T00:00:00Z"),
        Map.of("email_address", "ben.okafor@example.com", "timestamp_signup", "2019-12-31T23:59:59"))));
    JsonNode created = batch.path("new_members").get(0);
    assertEquals("2021-03-04T03:06:07+00:00", created.path("timestamp_signup").asText());
    assertEquals("2021-03-05T00:00:00+00:00", created.path("timestamp_opt").asText());
    assertEquals("2019-12-31T23:59:59+00:00", batch.path("updated_members").get(0).path("timestamp_signup").asText(),
        "no offset: UTC");
    JsonNode stored = c.ok("GET", "/3.0/lists/" + employees + "/members/stamped@example.com", null);
    assertEquals("2021-03-04T03:06:07+00:00", stored.path("timestamp_signup").asText());

    JsonNode posted = c.ok("POST", "/3.0/lists/" + employees + "/members", Map.of("email_address", "posted@example.com",
        "status", "pending", "timestamp_signup", "2022-01-02T03:04:05+00:00"));
    assertEquals("2022-01-02T03:04:05+00:00", posted.path("timestamp_signup").asText());
    assertEquals("", posted.path("timestamp_opt").asText(), "pending: no opt-in yet");
    String path = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("posted@example.com");
    JsonNode confirmed = c.ok("PATCH", path, Map.of("status", "subscribed", "timestamp_opt", "2022-01-03T10:00:00-05:00"));
    assertEquals("2022-01-03T15:00:00+00:00", confirmed.path("timestamp_opt").asText(), "the given time wins");
    JsonNode put = c.ok("PUT", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("put.stamp@example.com"),
        Map.of("email_address", "put.stamp@example.com", "status_if_new", "subscribed",
            "timestamp_signup", "2020-06-01T12:00:00Z", "timestamp_opt", "2020-06-02T12:00:00Z"));
    assertEquals("2020-06-01T12:00:00+00:00", put.path("timestamp_signup").asText());
    assertEquals("2020-06-02T12:00:00+00:00", put.path("timestamp_opt").asText());

    JsonNode clock = c.ok("POST", "/3.0/lists/" + employees + "/members", member("unstamped@example.com", "subscribed"));
    assertTrue(clock.path("timestamp_signup").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00"),
        "none given: the sandbox's clock, " + clock);
    assertEquals(clock.path("timestamp_signup").asText(), clock.path("timestamp_opt").asText());
  }

  @Test
  void aBadTimestampIsRefusedNamingTheField() {
    JsonNode batch = c.ok("POST", "/3.0/lists/" + employees, Map.of("update_existing", true, "members", List.of(
        Map.of("email_address", "bad.signup@example.com", "status", "subscribed", "timestamp_signup", "yesterday"),
        Map.of("email_address", "ava.johnson@example.com", "timestamp_opt", 1700000000),
        Map.of("email_address", "good@example.com", "status", "subscribed", "timestamp_opt", ""))));
    assertEquals(1, batch.path("total_created").asInt(), "a blank timestamp counts as none: " + batch);
    assertEquals(0, batch.path("total_updated").asInt());
    assertEquals(2, batch.path("error_count").asInt());
    JsonNode first = batch.path("errors").get(0);
    assertEquals("bad.signup@example.com", first.path("email_address").asText());
    assertEquals("timestamp_signup", first.path("field").asText());
    assertEquals("ERROR_GENERIC", first.path("error_code").asText());
    assertFalse(first.path("field_message").asText().isEmpty());
    assertEquals("timestamp_opt", batch.path("errors").get(1).path("field").asText());
    assertProblem(c.api("GET", "/3.0/lists/" + employees + "/members/bad.signup@example.com", null), 404,
        "Resource Not Found");

    SandboxClient.Res post = c.api("POST", "/3.0/lists/" + employees + "/members", Map.of("email_address",
        "bad.opt@example.com", "status", "subscribed", "timestamp_opt", "2021-13-01T00:00:00Z"));
    assertProblem(post, 400, "Invalid Resource");
    assertEquals("timestamp_opt", post.json().path("errors").get(0).path("field").asText(), post.body());
    assertProblem(c.api("GET", "/3.0/lists/" + employees + "/members/bad.opt@example.com", null), 404,
        "Resource Not Found");
    String ava = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("ava.johnson@example.com");
    String before = c.ok("GET", ava, null).path("timestamp_signup").asText();
    SandboxClient.Res patch = c.api("PATCH", ava, Map.of("timestamp_signup", "01/02/2020", "merge_fields",
        Map.of("FNAME", "Changed")));
    assertProblem(patch, 400, "Invalid Resource");
    assertEquals("timestamp_signup", patch.json().path("errors").get(0).path("field").asText());
    JsonNode after = c.ok("GET", ava, null);
    assertEquals(before, after.path("timestamp_signup").asText());
    assertEquals("Ava", after.path("merge_fields").path("FNAME").asText(), "a refused PATCH changes nothing");
    SandboxClient.Res put = c.api("PUT", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("bad.put@example.com"),
        Map.of("email_address", "bad.put@example.com", "status_if_new", "subscribed", "timestamp_signup", "soon"));
    assertProblem(put, 400, "Invalid Resource");
    assertEquals("timestamp_signup", put.json().path("errors").get(0).path("field").asText());
  }

  @Test
  void aRefusedWriteChangesNothing() {
    assertProblem(c.api("POST", "/3.0/lists/" + employees, Map.of("members", List.of(
        member("first.fine@example.com", "subscribed"),
        Map.of("email_address", "second.broken@example.com", "status", "subscribed", "merge_fields", "Ann")))), 400,
        "Invalid Resource");
    assertProblem(c.api("GET", "/3.0/lists/" + employees + "/members/first.fine@example.com", null), 404,
        "Resource Not Found");
    assertProblem(c.api("POST", "/3.0/lists/" + employees + "/members", Map.of("email_address", "typed@example.com",
        "status", "subscribed", "interests", List.of("x"))), 400, "Invalid Resource");
    assertProblem(c.api("GET", "/3.0/lists/" + employees + "/members/typed@example.com", null), 404,
        "Resource Not Found");
    String ava = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("ava.johnson@example.com");
    assertProblem(c.api("PATCH", ava, Map.of("email_address", "ava.new@example.com", "timestamp_opt", "later")), 400,
        "Invalid Resource");
    assertEquals("ava.johnson@example.com", c.ok("GET", ava, null).path("email_address").asText());
    assertProblem(c.api("GET", "/3.0/lists/" + employees + "/members/ava.new@example.com", null), 404,
        "Resource Not Found");
  }

  // ------------------------------------------------------------------ creating merge fields, their types

  @Test
  void aMergeFieldIsCreatedWithItsTypeAndListed() {
    String fields = "/3.0/lists/" + employees + "/merge-fields";
    JsonNode dept = c.ok("POST", fields, Map.of("tag", "dept", "name", "Department", "type", "text"));
    assertEquals("DEPT", dept.path("tag").asText(), "Mailchimp takes merge tags in capitals");
    assertEquals("text", dept.path("type").asText());
    JsonNode start = c.ok("POST", fields, Map.of("tag", "START", "name", "Start Date", "type", "date",
        "required", false, "public", false));
    assertEquals("date", start.path("type").asText());
    assertEquals("MM/DD/YYYY", start.path("options").path("date_format").asText());
    assertFalse(start.path("public").asBoolean());
    JsonNode listed = c.ok("GET", fields + "?fields=merge_fields.tag,merge_fields.type,total_items", null);
    assertEquals(4, listed.path("total_items").asInt());
    assertEquals("START", listed.path("merge_fields").get(3).path("tag").asText());
    assertEquals("date", listed.path("merge_fields").get(3).path("type").asText());
    assertEquals(Set.of("tag", "type"), names(listed.path("merge_fields").get(3)));
    assertEquals("MMERGE5", c.ok("POST", fields, Map.of("name", "No tag given", "type", "text")).path("tag").asText());
  }

  @Test
  void aMergeFieldRequestMailchimpWouldRefuseIsRefused() {
    String fields = "/3.0/lists/" + employees + "/merge-fields";
    SandboxClient.Res tooLong = c.api("POST", fields, Map.of("tag", "DEPARTMENT1", "name", "D", "type", "text"));
    assertProblem(tooLong, 400, "Invalid Resource");
    assertEquals("tag", tooLong.json().path("errors").get(0).path("field").asText());
    assertTrue(tooLong.json().path("errors").get(0).path("message").asText().contains("10 characters"));
    assertEquals(200, c.api("POST", fields, Map.of("tag", "DEPARTMENT", "name", "D", "type", "text")).status(),
        "10 characters is the limit, and allowed");
    SandboxClient.Res taken = c.api("POST", fields, Map.of("tag", "FNAME", "name", "Again", "type", "text"));
    assertProblem(taken, 400, "Invalid Resource");
    assertTrue(taken.json().path("detail").asText().contains("\"FNAME\" already exists"), taken.body());
    assertProblem(c.api("POST", fields, Map.of("tag", "D-1", "name", "D", "type", "text")), 400, "Invalid Resource");
    assertProblem(c.api("POST", fields, Map.of("tag", "NONAME", "type", "text")), 400, "Invalid Resource");
    assertProblem(c.api("POST", fields, Map.of("tag", "NUM", "name", "N", "type", "number")), 400, "Invalid Resource");
    assertEquals(3, c.ok("GET", fields, null).path("total_items").asInt(), "nothing refused was created");
  }

  @Test
  void aDateMergeFieldTakesIsoOrItsOwnFormatHoldsIsoAndRefusesAnythingElse() {
    c.ok("POST", "/3.0/lists/" + employees + "/merge-fields", Map.of("tag", "START", "name", "Start", "type", "date"));
    String members = "/3.0/lists/" + employees + "/members";
    JsonNode iso = c.ok("POST", members, Map.of("email_address", "iso.date@example.com", "status", "subscribed",
        "merge_fields", Map.of("START", "2024-03-01")));
    assertEquals("2024-03-01", iso.path("merge_fields").path("START").asText());
    JsonNode us = c.ok("POST", members, Map.of("email_address", "us.date@example.com", "status", "subscribed",
        "merge_fields", Map.of("START", "03/01/2024")));
    assertEquals("2024-03-01", us.path("merge_fields").path("START").asText(), "MM/DD/YYYY, held as YYYY-MM-DD");

    SandboxClient.Res bad = c.api("POST", members, Map.of("email_address", "bad.date@example.com",
        "status", "subscribed", "merge_fields", Map.of("START", "first of March")));
    assertProblem(bad, 400, "Invalid Resource");
    assertEquals("Your merge fields were invalid.", bad.json().path("detail").asText());
    assertEquals(Json.MAPPER.valueToTree(List.of(Map.of("field", "START", "message", "Please enter a date"))),
        bad.json().path("errors"));
    assertProblem(c.api("PATCH", members + "/" + SandboxClient.hash("iso.date@example.com"),
        Map.of("merge_fields", Map.of("START", "2023-02-29"))), 400, "Invalid Resource");
    assertEquals("2024-03-01", c.ok("GET", members + "/" + SandboxClient.hash("iso.date@example.com"), null)
        .path("merge_fields").path("START").asText(), "a refused write changes nothing");

    JsonNode batch = c.ok("POST", "/3.0/lists/" + employees + "?skip_merge_validation=true", Map.of("members", List.of(
        Map.of("email_address", "batch.bad@example.com", "status", "subscribed", "merge_fields", Map.of("START", "soon")),
        Map.of("email_address", "batch.none@example.com", "status", "subscribed", "merge_fields", Map.of("START", "")))));
    assertEquals(1, batch.path("total_created").asInt(), "an empty date is no date, and allowed");
    assertEquals("START", batch.path("errors").get(0).path("field").asText(),
        "skip_merge_validation skips required fields, not a value's format");
    assertEquals("Please enter a date", batch.path("errors").get(0).path("field_message").asText());
  }

  // ------------------------------------------------------------------ required merge fields

  static void requireMergeField(String listId, String tag, boolean required) {
    SandboxClient.Res r = c.control("POST", "/_sandbox/lists/" + listId + "/merge-fields",
        Map.of("tag", tag, "required", required));
    assertEquals(200, r.status(), r.body());
  }

  @Test
  void aRequiredMergeFieldRefusesNewBatchMembersWithoutAValue() {
    requireMergeField(employees, "LNAME", true);
    JsonNode r = c.ok("POST", "/3.0/lists/" + employees, Map.of("update_existing", true, "members", List.of(
        Map.of("email_address", "no.last@example.com", "status", "subscribed", "merge_fields", Map.of("FNAME", "No")),
        Map.of("email_address", "blank.last@example.com", "status", "subscribed",
            "merge_fields", Map.of("LNAME", "  ")),
        Map.of("email_address", "with.last@example.com", "status", "subscribed", "merge_fields", Map.of("LNAME", "Has")),
        Map.of("email_address", "ava.johnson@example.com", "merge_fields", Map.of("FNAME", "Ava-Marie")),
        Map.of("email_address", "ben.okafor@example.com", "merge_fields", Map.of("FNAME", "Benjamin", "LNAME", "")))));
    assertEquals(1, r.path("total_created").asInt(), r.toString());
    assertEquals(1, r.path("total_updated").asInt(), "an existing member keeps its value when none is sent");
    assertEquals(3, r.path("error_count").asInt());
    assertEquals(Json.MAPPER.valueToTree(Map.of("email_address", "no.last@example.com",
        "error", "Your merge fields were invalid.", "error_code", "ERROR_GENERIC", "field", "LNAME",
        "field_message", "Please enter a value")), r.path("errors").get(0));
    assertEquals("blank.last@example.com", r.path("errors").get(1).path("email_address").asText());
    assertEquals("ben.okafor@example.com", r.path("errors").get(2).path("email_address").asText(),
        "an existing member is refused when the request blanks the field");
    assertEquals("LNAME", r.path("errors").get(2).path("field").asText());
    String members = "/3.0/lists/" + employees + "/members/";
    assertProblem(c.api("GET", members + "no.last@example.com", null), 404, "Resource Not Found");
    JsonNode ben = c.ok("GET", members + "ben.okafor@example.com", null);
    assertEquals("Ben", ben.path("merge_fields").path("FNAME").asText(), "a refused member is not changed");
    assertEquals("Okafor", ben.path("merge_fields").path("LNAME").asText());
  }

  @Test
  void aRequiredMergeFieldRefusesSingleMemberWritesAsMailchimpDoes() {
    requireMergeField(employees, "LNAME", true);
    requireMergeField(employees, "dept", true);
    SandboxClient.Res post = c.api("POST", "/3.0/lists/" + employees + "/members",
        member("single.new@example.com", "subscribed"));
    assertProblem(post, 400, "Invalid Resource");
    assertEquals("Your merge fields were invalid.", post.json().path("detail").asText());
    assertEquals(Json.MAPPER.valueToTree(List.of(Map.of("field", "LNAME", "message", "Please enter a value"),
        Map.of("field", "DEPT", "message", "Please enter a value"))), post.json().path("errors"));

    String newPath = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("put.new@example.com");
    SandboxClient.Res put = c.api("PUT", newPath, Map.of("email_address", "put.new@example.com",
        "status_if_new", "subscribed", "merge_fields", Map.of("LNAME", "New")));
    assertProblem(put, 400, "Invalid Resource");
    assertEquals("DEPT", put.json().path("errors").get(0).path("field").asText());
    assertEquals(200, c.api("PUT", newPath, Map.of("email_address", "put.new@example.com",
        "status_if_new", "subscribed", "merge_fields", Map.of("LNAME", "New", "DEPT", "HR"))).status());

    String ava = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("ava.johnson@example.com");
    assertEquals(200, c.api("PUT", ava, Map.of("email_address", "ava.johnson@example.com",
        "status_if_new", "subscribed", "merge_fields", Map.of("FNAME", "Ava"))).status(), "DEPT not sent: kept as is");
    SandboxClient.Res blanked = c.api("PUT", ava, Map.of("email_address", "ava.johnson@example.com",
        "status_if_new", "subscribed", "merge_fields", Map.of("LNAME", "")));
    assertProblem(blanked, 400, "Invalid Resource");
    assertEquals("LNAME", blanked.json().path("errors").get(0).path("field").asText());
    assertProblem(c.api("PATCH", ava, Map.of("merge_fields", Map.of("DEPT", ""))), 400, "Invalid Resource");
    assertEquals(200, c.api("PATCH", ava, Map.of("status", "unsubscribed")).status());
    assertEquals("Johnson", c.ok("GET", ava, null).path("merge_fields").path("LNAME").asText());
  }

  @Test
  void skipMergeValidationSkipsTheCheckAndStoresTheGivenValues() {
    requireMergeField(employees, "LNAME", true);
    JsonNode r = c.ok("POST", "/3.0/lists/" + employees + "?skip_merge_validation=true", Map.of("update_existing", true,
        "members", List.of(member("skip.new@example.com", "subscribed"),
            Map.of("email_address", "ava.johnson@example.com", "merge_fields", Map.of("LNAME", "")))));
    assertEquals(1, r.path("total_created").asInt(), r.toString());
    assertEquals(1, r.path("total_updated").asInt(), r.toString());
    assertEquals("", r.path("updated_members").get(0).path("merge_fields").path("LNAME").asText());
    assertEquals("Test", r.path("new_members").get(0).path("merge_fields").path("FNAME").asText());

    JsonNode posted = c.ok("POST", "/3.0/lists/" + employees + "/members?skip_merge_validation=true",
        member("skip.single@example.com", "subscribed"));
    assertEquals("Test", posted.path("merge_fields").path("FNAME").asText());
    String ben = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("ben.okafor@example.com");
    assertEquals("", c.ok("PATCH", ben + "?skip_merge_validation=true", Map.of("merge_fields", Map.of("LNAME", "")))
        .path("merge_fields").path("LNAME").asText());
    assertEquals(" ", c.ok("PUT", ben + "?skip_merge_validation=true", Map.of("email_address", "ben.okafor@example.com",
        "status_if_new", "subscribed", "merge_fields", Map.of("LNAME", " "))).path("merge_fields").path("LNAME").asText());
    assertProblem(c.api("PATCH", ben + "?skip_merge_validation=false", Map.of("merge_fields", Map.of("LNAME", ""))),
        400, "Invalid Resource");
  }

  @Test
  void mergeFieldsAreReadThroughTheMarketingApi() {
    JsonNode fields = c.ok("GET", "/3.0/lists/" + employees + "/merge-fields", null);
    assertEquals(2, fields.path("total_items").asInt());
    assertEquals("FNAME", fields.path("merge_fields").get(0).path("tag").asText());
    assertEquals("LNAME", fields.path("merge_fields").get(1).path("tag").asText());
    for (JsonNode f : fields.path("merge_fields")) {
      assertEquals("text", f.path("type").asText());
      assertFalse(f.path("required").asBoolean(), f.toString());
    }
    requireMergeField(employees, "Dept", true);
    JsonNode dept = c.ok("GET", "/3.0/lists/" + employees + "/merge-fields/3", null);
    assertEquals("DEPT", dept.path("tag").asText());
    assertTrue(dept.path("required").asBoolean());
    assertEquals(3, c.ok("GET", "/3.0/lists/" + employees, null).path("stats").path("merge_field_count").asInt());
    assertEquals(2, c.ok("GET", "/3.0/lists/" + c.listId("Vendors & Contractors") + "/merge-fields", null)
        .path("total_items").asInt(), "each audience has its own fields");
    assertProblem(c.api("GET", "/3.0/lists/" + employees + "/merge-fields/9", null), 404, "Resource Not Found");
  }

  // ------------------------------------------------------------------ segments and tags

  @Test
  void staticSegmentsCanBeCreatedFilledListedAndDeleted() {
    JsonNode seg = c.ok("POST", "/3.0/lists/" + employees + "/segments",
        Map.of("name", "Engineering", "static_segment", List.of("ava.johnson@example.com", "stranger@example.com")));
    int id = seg.path("id").asInt();
    assertEquals("static", seg.path("type").asText());
    assertEquals(1, seg.path("member_count").asInt(), "non-members are ignored");
    String base = "/3.0/lists/" + employees + "/segments/" + id;

    JsonNode batch = c.ok("POST", base, Map.of(
        "members_to_add", List.of("ben.okafor@example.com", "chloe.martin@example.com", "stranger@example.com"),
        "members_to_remove", List.of("ava.johnson@example.com")));
    assertEquals(2, batch.path("total_added").asInt());
    assertEquals(1, batch.path("total_removed").asInt());
    assertEquals(1, batch.path("error_count").asInt());
    assertEquals("stranger@example.com", batch.path("errors").get(0).path("email_addresses").get(0).asText());

    JsonNode members = c.ok("GET", base + "/members?count=1", null);
    assertEquals(2, members.path("total_items").asInt());
    assertEquals(1, members.path("members").size());
    assertEquals(2, c.ok("GET", base, null).path("member_count").asInt());

    JsonNode list = c.ok("GET", "/3.0/lists/" + employees + "/segments", null);
    assertEquals(1, list.path("total_items").asInt());
    assertEquals("Engineering", list.path("segments").get(0).path("name").asText());

    JsonNode ben = c.ok("GET", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("ben.okafor@example.com"), null);
    assertEquals("Engineering", ben.path("tags").get(0).path("name").asText());

    assertEquals(204, c.api("DELETE", base, null).status());
    assertProblem(c.api("GET", base, null), 404, "Resource Not Found");
  }

  @Test
  void segmentBatchAllowsAtMost500PerSide() {
    int id = c.ok("POST", "/3.0/lists/" + employees + "/segments", Map.of("name", "Big")).path("id").asInt();
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      many.add("m" + i + "@example.com");
    }
    assertProblem(c.api("POST", "/3.0/lists/" + employees + "/segments/" + id, Map.of("members_to_add", many)), 400,
        "Invalid Resource");
    assertProblem(c.api("POST", "/3.0/lists/" + employees + "/segments/" + id, Map.of("members_to_remove", many)), 400,
        "Invalid Resource");
  }

  @Test
  void memberTagsEndpointAddsAndRemovesTags() {
    String path = "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("chloe.martin@example.com") + "/tags";
    assertEquals(204, c.api("POST", path, Map.of("tags", List.of(Map.of("name", "Managers", "status", "active"),
        Map.of("name", "Remote", "status", "active")))).status());
    JsonNode tags = c.ok("GET", path, null);
    assertEquals(2, tags.path("total_items").asInt());
    JsonNode segments = c.ok("GET", "/3.0/lists/" + employees + "/segments", null);
    assertEquals(2, segments.path("total_items").asInt(), "a tag is a static segment");
    assertEquals(204, c.api("POST", path, Map.of("tags", List.of(Map.of("name", "Remote", "status", "inactive")))).status());
    assertEquals(1, c.ok("GET", path, null).path("total_items").asInt());
    assertProblem(c.api("POST", "/3.0/lists/" + employees + "/members/" + SandboxClient.hash("nobody@example.com")
        + "/tags", Map.of("tags", List.of(Map.of("name", "X", "status", "active")))), 404, "Resource Not Found");
  }

  // ------------------------------------------------------------------ campaigns and reports

  @Test
  void campaignsAreListedWithMailchimpStatusesAndPaginate() {
    JsonNode all = c.ok("GET", "/3.0/campaigns", null);
    assertEquals(4, all.path("total_items").asInt());
    List<String> statuses = new ArrayList<>();
    all.path("campaigns").forEach(x -> statuses.add(x.path("status").asText()));
    assertEquals(List.of("sent", "save", "schedule", "canceled"), statuses);
    JsonNode sent = all.path("campaigns").get(0);
    assertEquals("May Benefits Update", sent.path("settings").path("title").asText());
    assertEquals(employees, sent.path("recipients").path("list_id").asText());
    assertEquals(3, sent.path("emails_sent").asInt());
    assertTrue(sent.path("report_summary").path("open_rate").asDouble() > 0);
    assertTrue(sent.path("web_id").isIntegralNumber());
    assertFalse(all.path("campaigns").get(1).has("report_summary"), "a draft has no report summary");
    assertEquals("", all.path("campaigns").get(1).path("send_time").asText());
    assertFalse(all.path("campaigns").get(2).path("send_time").asText().isEmpty(), "scheduled has a send time");

    JsonNode page = c.ok("GET", "/3.0/campaigns?count=2&offset=2", null);
    assertEquals(2, page.path("campaigns").size());
    assertEquals(4, page.path("total_items").asInt());
    assertEquals("schedule", page.path("campaigns").get(0).path("status").asText());
    assertEquals(1, c.ok("GET", "/3.0/campaigns?status=save", null).path("total_items").asInt());
  }

  @Test
  void reportsExistOnlyForSentCampaigns() {
    JsonNode all = c.ok("GET", "/3.0/campaigns", null);
    String sentId = all.path("campaigns").get(0).path("id").asText();
    String draftId = all.path("campaigns").get(1).path("id").asText();
    JsonNode report = c.ok("GET", "/3.0/reports/" + sentId, null);
    assertEquals(2, report.path("opens").path("unique_opens").asInt());
    assertTrue(report.path("opens").path("open_rate").asDouble() > 0.6);
    assertEquals(1, report.path("clicks").path("unique_clicks").asInt());
    assertEquals(1, report.path("clicks").path("unique_subscriber_clicks").asInt());
    assertTrue(report.path("clicks").path("click_rate").asDouble() > 0.3);
    assertEquals(3, report.path("emails_sent").asInt());
    assertEquals(all.path("campaigns").get(0).path("send_time").asText(), report.path("send_time").asText());
    assertProblem(c.api("GET", "/3.0/reports/" + draftId, null), 404, "Resource Not Found");
    assertProblem(c.api("GET", "/3.0/reports/nope", null), 404, "Resource Not Found");
  }

  @Test
  void campaignCanBeReadAndDeleted() {
    String draftId = c.ok("GET", "/3.0/campaigns?status=save", null).path("campaigns").get(0).path("id").asText();
    assertEquals("save", c.ok("GET", "/3.0/campaigns/" + draftId, null).path("status").asText());
    assertEquals(204, c.api("DELETE", "/3.0/campaigns/" + draftId, null).status());
    assertProblem(c.api("GET", "/3.0/campaigns/" + draftId, null), 404, "Resource Not Found");
    assertEquals(3, c.ok("GET", "/3.0/campaigns", null).path("total_items").asInt());
  }

  // ------------------------------------------------------------------ webhooks

  @Test
  void webhooksCanBeRegisteredListedAndDeleted() {
    JsonNode w = c.ok("POST", "/3.0/lists/" + employees + "/webhooks", Map.of(
        "url", "https://hooks.example.com/webhooks/mailchimp/secret-token",
        "events", Map.of("unsubscribe", true, "cleaned", true, "upemail", true, "profile", true),
        "sources", Map.of("user", true, "admin", true, "api", false)));
    String id = w.path("id").asText();
    assertTrue(w.path("events").path("unsubscribe").asBoolean());
    assertFalse(w.path("events").path("subscribe").asBoolean());
    assertFalse(w.path("sources").path("api").asBoolean());
    assertEquals(employees, w.path("list_id").asText());
    JsonNode list = c.ok("GET", "/3.0/lists/" + employees + "/webhooks", null);
    assertEquals(1, list.path("total_items").asInt());
    assertEquals(id, list.path("webhooks").get(0).path("id").asText());
    assertEquals(204, c.api("DELETE", "/3.0/lists/" + employees + "/webhooks/" + id, null).status());
    assertEquals(0, c.ok("GET", "/3.0/lists/" + employees + "/webhooks", null).path("total_items").asInt());
    assertProblem(c.api("DELETE", "/3.0/lists/" + employees + "/webhooks/" + id, null), 404, "Resource Not Found");
    assertProblem(c.api("POST", "/3.0/lists/" + employees + "/webhooks", Map.of("url", "not a url")), 400,
        "Invalid Resource");
  }
}
