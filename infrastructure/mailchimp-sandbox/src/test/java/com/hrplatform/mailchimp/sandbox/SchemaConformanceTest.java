package com.hrplatform.mailchimp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's JSON answers validated against the response schemas of Mailchimp's OpenAPI spec
 * (docs/mailchimp/ at the repository root), each found by path and method. The spec marks few fields required, so
 * each test also names the fields the product reads: they must be present, and the validator checks
 * their types.
 */
class SchemaConformanceTest {
  static MailchimpSandbox sandbox;
  static SandboxClient c;
  static OpenApiSchemaValidator spec;
  String list;

  @BeforeAll
  static void start() {
    spec = OpenApiSchemaValidator.load();
    sandbox = MailchimpSandbox.start(0);
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

  /** Calls the sandbox, checks the status, validates the body against the spec's schema for it. */
  static JsonNode conforms(String method, String path, Object body, int status, String... presentFields) {
    SandboxClient.Res r = c.api(method, path, body);
    assertEquals(status, r.status(), () -> method + " " + path + " -> " + r.body());
    String apiPath = path.replaceFirst("^/3\\.0", "").replaceFirst("\\?.*$", "");
    JsonNode schema = spec.responseSchema(apiPath.isEmpty() ? "/" : apiPath, method, status < 400 ? "200" : "default");
    JsonNode json = r.json();
    List<String> violations = spec.validate(schema, json);
    assertTrue(violations.isEmpty(), () -> method + " " + path + " does not match the spec:\n  "
        + String.join("\n  ", violations));
    for (String field : presentFields) {
      assertTrue(!json.at(field).isMissingNode(), () -> method + " " + path + " lacks " + field + ": " + r.body());
    }
    return json;
  }

  String hash(String email) {
    return SandboxClient.hash(email);
  }

  @Test
  void rootAndPing() {
    conforms("GET", "/3.0/", null, 200, "/account_id", "/account_name", "/email", "/total_subscribers");
    conforms("GET", "/3.0/ping", null, 200, "/health_status");
  }

  @Test
  void lists() {
    conforms("GET", "/3.0/lists?count=1&offset=1", null, 200, "/lists/0/id", "/lists/0/name",
        "/lists/0/stats/member_count", "/total_items");
    conforms("GET", "/3.0/lists/" + list, null, 200, "/id", "/name", "/stats/member_count");
  }

  @Test
  void batchSubscribeWithCreatesUpdatesAndErrors() {
    JsonNode r = conforms("POST", "/3.0/lists/" + list, Map.of("update_existing", true, "members", List.of(
        Map.of("email_address", "schema.new@example.com", "status", "subscribed", "merge_fields", Map.of("FNAME", "S")),
        Map.of("email_address", "ava.johnson@example.com", "status", "subscribed"),
        Map.of("email_address", "dan.optout@example.com", "status", "subscribed"),
        Map.of("email_address", "broken", "status", "subscribed"))), 200,
        "/new_members/0/id", "/new_members/0/status", "/updated_members/0/id", "/errors/1/error",
        "/errors/0/error_code", "/total_created", "/total_updated", "/error_count");
    assertEquals(2, r.path("error_count").asInt());
  }

  @Test
  void memberReadsAndWrites() {
    String base = "/3.0/lists/" + list + "/members/";
    conforms("GET", base + hash("ava.johnson@example.com"), null, 200, "/id", "/email_address", "/status",
        "/merge_fields", "/tags", "/list_id");
    conforms("PUT", base + hash("schema.put@example.com"), Map.of("email_address", "schema.put@example.com",
        "status_if_new", "subscribed", "merge_fields", Map.of("FNAME", "Put")), 200, "/id", "/status");
    conforms("PATCH", base + hash("dan.optout@example.com"), Map.of("merge_fields", Map.of("LNAME", "P")), 200,
        "/status", "/unsubscribe_reason");
    c.api("DELETE", base + hash("ben.okafor@example.com"), null);
    conforms("GET", "/3.0/lists/" + list + "/members?count=10", null, 200, "/members/0/id", "/members/0/status",
        "/total_items");
    conforms("GET", "/3.0/lists/" + list + "/members?status=archived", null, 200, "/members/0/status");
  }

  @Test
  void membersOfEveryStatus() {
    String members = "/3.0/lists/" + list + "/members";
    c.ok("POST", members, Map.of("email_address", "schema.pending@example.com", "status", "pending"));
    c.ok("POST", members, Map.of("email_address", "schema.tx@example.com", "status", "transactional"));
    c.api("DELETE", members + "/" + hash("ben.okafor@example.com"), null);
    for (String status : List.of("subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived")) {
      JsonNode page = conforms("GET", members + "?status=" + status + "&count=1&offset=0", null, 200,
          "/members/0/status", "/members/0/last_changed", "/total_items");
      assertEquals(status, page.path("members").get(0).path("status").asText());
    }
  }

  @Test
  void mergeFieldsAndTheirRefusals() {
    c.control("POST", "/_sandbox/lists/" + list + "/merge-fields", Map.of("tag", "LNAME", "required", true));
    conforms("GET", "/3.0/lists/" + list + "/merge-fields", null, 200, "/merge_fields/1/tag",
        "/merge_fields/1/required", "/merge_fields/1/type", "/total_items");
    conforms("GET", "/3.0/lists/" + list + "/merge-fields/2", null, 200, "/merge_id", "/tag", "/required");
    JsonNode batch = conforms("POST", "/3.0/lists/" + list, Map.of("members", List.of(
        Map.of("email_address", "schema.nolast@example.com", "status", "subscribed"),
        Map.of("email_address", "schema.badtime@example.com", "status", "subscribed", "merge_fields",
            Map.of("LNAME", "L"), "timestamp_opt", "never"))), 200,
        "/errors/0/field", "/errors/0/field_message", "/errors/1/field");
    assertEquals(2, batch.path("error_count").asInt());
    conforms("POST", "/3.0/lists/" + list + "/members", Map.of("email_address", "schema.nolast@example.com",
        "status", "subscribed"), 400, "/errors/0/field", "/errors/0/message");
    conforms("POST", "/3.0/lists/" + list + "/members", Map.of("email_address", "schema.stamped@example.com",
        "status", "subscribed", "merge_fields", Map.of("LNAME", "L"), "tags", List.of("T"),
        "timestamp_signup", "2020-01-02T03:04:05Z"), 200, "/timestamp_signup", "/timestamp_opt", "/tags/0/name");
  }

  @Test
  void createdMergeFieldsOfEachTypeAndTheirRefusals() {
    String fields = "/3.0/lists/" + list + "/merge-fields";
    conforms("POST", fields, Map.of("tag", "DEPT", "name", "Department", "type", "text"), 200,
        "/merge_id", "/tag", "/type", "/options/size");
    conforms("POST", fields, Map.of("tag", "START", "name", "Start Date", "type", "date"), 200,
        "/merge_id", "/tag", "/type", "/options/date_format");
    conforms("POST", fields, Map.of("tag", "TOOLONGTAG1", "name", "X", "type", "text"), 400,
        "/errors/0/field", "/errors/0/message");
    conforms("POST", "/3.0/lists/" + list + "/members", Map.of("email_address",
        "schema.baddate@example.com", "status", "subscribed", "merge_fields", Map.of("START", "nope")), 400,
        "/errors/0/field", "/errors/0/message");
  }

  @Test
  void controlledMemberHasTheMarketingApiShape() {
    JsonNode member = c.control("POST", "/_sandbox/members", Map.of("listId", list,
        "email", "dan.optout@example.com", "status", "subscribed")).json();
    List<String> violations = spec.validate(spec.responseSchema("/lists/l/members/h", "GET", "200"), member);
    assertTrue(violations.isEmpty(), violations.toString());
  }

  @Test
  void segmentsTagsAndSegmentMembers() {
    JsonNode seg = conforms("POST", "/3.0/lists/" + list + "/segments",
        Map.of("name", "Schema", "static_segment", List.of("ava.johnson@example.com")), 200, "/id", "/name",
        "/member_count", "/type");
    String path = "/3.0/lists/" + list + "/segments/" + seg.path("id").asInt();
    conforms("POST", path, Map.of("members_to_add", List.of("ben.okafor@example.com", "missing@example.com"),
        "members_to_remove", List.of("ava.johnson@example.com")), 200, "/members_added/0/id",
        "/members_removed/0/id", "/total_added", "/total_removed", "/error_count", "/errors/0/email_addresses");
    conforms("GET", path, null, 200, "/id", "/member_count");
    conforms("GET", path + "/members", null, 200, "/members/0/email_address", "/total_items");
    conforms("GET", "/3.0/lists/" + list + "/segments", null, 200, "/segments/0/id", "/total_items");
    conforms("GET", "/3.0/lists/" + list + "/members/" + hash("ben.okafor@example.com") + "/tags", null, 200,
        "/tags/0/name", "/total_items");
  }

  @Test
  void campaignsAndReports() {
    JsonNode all = conforms("GET", "/3.0/campaigns", null, 200, "/campaigns/0/id", "/campaigns/0/web_id",
        "/campaigns/0/type", "/campaigns/0/status", "/campaigns/0/settings/title", "/campaigns/0/settings/subject_line",
        "/campaigns/0/recipients/list_id", "/campaigns/0/send_time", "/campaigns/0/emails_sent",
        "/campaigns/0/report_summary/open_rate", "/total_items");
    for (JsonNode campaign : all.path("campaigns")) {
      conforms("GET", "/3.0/campaigns/" + campaign.path("id").asText(), null, 200, "/id", "/status", "/settings/title");
    }
    conforms("GET", "/3.0/reports/" + all.path("campaigns").get(0).path("id").asText(), null, 200,
        "/opens/unique_opens", "/opens/open_rate", "/clicks/unique_clicks", "/clicks/unique_subscriber_clicks",
        "/clicks/click_rate", "/emails_sent", "/send_time");
  }

  @Test
  void webhooks() {
    JsonNode w = conforms("POST", "/3.0/lists/" + list + "/webhooks", Map.of("url", "https://example.com/hook",
        "events", Map.of("unsubscribe", true), "sources", Map.of("user", true)), 200, "/id", "/url", "/events/cleaned",
        "/sources/api");
    conforms("GET", "/3.0/lists/" + list + "/webhooks", null, 200, "/webhooks/0/id", "/total_items");
    conforms("GET", "/3.0/lists/" + list + "/webhooks/" + w.path("id").asText(), null, 200, "/id");
  }

  @Test
  void problemDocuments() {
    conforms("GET", "/3.0/lists/nope", null, 404);
    conforms("PATCH", "/3.0/lists/" + list + "/members/" + hash("erin.bounce@example.com"),
        Map.of("status", "subscribed"), 400);
    conforms("POST", "/3.0/lists/" + list + "/members", Map.of("email_address", "x", "status", "subscribed"), 400);
    SandboxClient.Res unauthorised = c.call("GET", "/3.0/lists", "nope", null);
    List<String> violations = spec.validate(spec.componentSchema("ProblemDetailDocument"), unauthorised.json());
    assertTrue(violations.isEmpty(), violations.toString());
  }
}
