package com.hrplatform.mailchimp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GDPR fields: set up through the control API, shown on the audience and its members, written by member writes. */
class MarketingPermissionsTest {
  static MailchimpSandbox sandbox;
  static SandboxClient c;
  static OpenApiSchemaValidator spec;
  String list;
  String members;

  @BeforeAll
  static void start() {
    sandbox = MailchimpSandbox.start(0);
    c = new SandboxClient(sandbox);
    spec = OpenApiSchemaValidator.load();
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @BeforeEach
  void reset() {
    assertEquals(204, c.control("POST", "/_sandbox/reset", null).status());
    list = c.listId("Employees");
    members = "/3.0/lists/" + list + "/members";
  }

  private Map<String, String> gdpr(String listId, String... texts) {
    SandboxClient.Res r = c.control("POST", "/_sandbox/lists/" + listId + "/marketing-permissions",
        Map.of("permissions", List.of(texts)));
    assertEquals(200, r.status(), r.body());
    Map<String, String> ids = new java.util.LinkedHashMap<>();
    r.json().path("marketing_permissions").forEach(p -> ids.put(p.path("text").asText(),
        p.path("marketing_permission_id").asText()));
    return ids;
  }

  private static Map<String, Object> permission(String id, boolean enabled) {
    return Map.of("marketing_permission_id", id, "enabled", enabled);
  }

  private static Map<String, Boolean> enabled(JsonNode member) {
    Map<String, Boolean> out = new java.util.LinkedHashMap<>();
    member.path("marketing_permissions").forEach(p -> out.put(p.path("text").asText(), p.path("enabled").asBoolean()));
    return out;
  }

  private void conformsToMember(JsonNode member) {
    JsonNode schema = spec.responseSchema("/lists/" + list + "/members/h", "GET", "200");
    List<String> violations = spec.validate(schema, member);
    assertTrue(violations.isEmpty(), () -> String.join("\n", violations));
  }

  @Test
  void anAudienceWithoutGdprFieldsSaysSoAndItsMembersHaveNone() {
    assertFalse(c.ok("GET", "/3.0/lists/" + list, null).path("marketing_permissions").asBoolean(true));
    JsonNode ava = c.ok("GET", members + "/" + SandboxClient.hash("ava.johnson@example.com"), null);
    assertTrue(ava.path("marketing_permissions").isMissingNode(), ava.toString());
  }

  @Test
  void permissionsAreListedOnTheAudienceFlagAndOnEveryMemberDisabledUntilGiven() {
    Map<String, String> ids = gdpr(list, "Email", "Direct Mail", "Customized Online Advertising");
    assertEquals(3, ids.size());
    ids.values().forEach(id -> assertTrue(id.matches("[0-9a-f]{10}"), id));
    assertTrue(c.ok("GET", "/3.0/lists/" + list, null).path("marketing_permissions").asBoolean());
    JsonNode ava = c.ok("GET", members + "/" + SandboxClient.hash("ava.johnson@example.com"), null);
    assertEquals(Map.of("Email", false, "Direct Mail", false, "Customized Online Advertising", false), enabled(ava));
    assertEquals(ids.get("Email"), ava.path("marketing_permissions").get(0).path("marketing_permission_id").asText());
    conformsToMember(ava);
    // Read with fields= as the product reads an audience's permissions.
    JsonNode page = c.ok("GET", members + "?count=1&fields=members.marketing_permissions", null);
    assertEquals(3, page.path("members").get(0).path("marketing_permissions").size(), page.toString());
    // Ids differ per audience, as in Mailchimp.
    String vendors = c.listId("Vendors & Contractors");
    assertNotEquals(ids.get("Email"), gdpr(vendors, "Email").get("Email"));
  }

  @Test
  void postPutAndPatchMemberSetEnabled() {
    Map<String, String> ids = gdpr(list, "Email", "Direct Mail");
    String email = ids.get("Email");
    JsonNode added = c.ok("POST", members, Map.of("email_address", "gdpr.post@example.com", "status", "subscribed",
        "marketing_permissions", List.of(permission(email, true))));
    assertEquals(Map.of("Email", true, "Direct Mail", false), enabled(added));
    JsonNode put = c.ok("PUT", members + "/" + SandboxClient.hash("gdpr.put@example.com"), Map.of(
        "email_address", "gdpr.put@example.com", "status_if_new", "subscribed",
        "marketing_permissions", List.of(permission(ids.get("Direct Mail"), true))));
    assertEquals(Map.of("Email", false, "Direct Mail", true), enabled(put));
    JsonNode patched = c.ok("PATCH", members + "/" + SandboxClient.hash("gdpr.post@example.com"), Map.of(
        "status", "unsubscribed", "marketing_permissions", List.of(permission(email, false))));
    assertEquals(Map.of("Email", false, "Direct Mail", false), enabled(patched));
    assertEquals("unsubscribed", patched.path("status").asText());
    conformsToMember(patched);
    // A write without the field leaves what was given.
    JsonNode untouched = c.ok("PATCH", members + "/" + SandboxClient.hash("gdpr.put@example.com"),
        Map.of("merge_fields", Map.of("FNAME", "P")));
    assertEquals(Map.of("Email", false, "Direct Mail", true), enabled(untouched));
  }

  @Test
  void anUnknownPermissionIdIsRefusedAndNothingIsWritten() {
    gdpr(list, "Email");
    String ava = members + "/" + SandboxClient.hash("ava.johnson@example.com");
    SandboxClient.Res r = c.api("PATCH", ava, Map.of("status", "unsubscribed",
        "marketing_permissions", List.of(permission("0000000000", true))));
    MarketingApiTest.assertProblem(r, 400, "Invalid Resource");
    assertEquals("marketing_permissions", r.json().path("errors").get(0).path("field").asText(), r.body());
    assertEquals("subscribed", c.ok("GET", ava, null).path("status").asText(), "a refused write changes nothing");
    MarketingApiTest.assertProblem(c.api("POST", members, Map.of("email_address", "gdpr.bad@example.com",
        "status", "subscribed", "marketing_permissions", "yes")), 400, "Invalid Resource");
    assertEquals(404, c.api("GET", members + "/" + SandboxClient.hash("gdpr.bad@example.com"), null).status());
    // An audience without GDPR fields refuses any permission.
    String vendors = c.listId("Vendors & Contractors");
    SandboxClient.Res none = c.api("POST", "/3.0/lists/" + vendors + "/members", Map.of("email_address",
        "gdpr.none@example.com", "status", "subscribed", "marketing_permissions", List.of(permission("0000000000", true))));
    MarketingApiTest.assertProblem(none, 400, "Invalid Resource");
    assertTrue(none.body().contains("does not have marketing permissions"), none.body());
  }

  @Test
  void theBatchSubscribeMemberHasNoSuchFieldSoItIsIgnoredThere() {
    String email = gdpr(list, "Email").get("Email");
    JsonNode r = c.ok("POST", "/3.0/lists/" + list, Map.of("update_existing", true, "members", List.of(
        Map.of("email_address", "gdpr.batch@example.com", "status", "subscribed",
            "marketing_permissions", List.of(permission(email, true))))));
    assertEquals(1, r.path("total_created").asInt(), r.toString());
    assertEquals(Map.of("Email", false), enabled(r.path("new_members").get(0)));
  }

  @Test
  void theRequestLogTellsWhichBodiesNamedMarketingPermissions() {
    String email = gdpr(list, "Email").get("Email");
    c.control("DELETE", "/_sandbox/requests", null);
    c.ok("POST", "/3.0/lists/" + list, Map.of("members", List.of(Map.of("email_address", "gdpr.log@example.com",
        "status", "subscribed"))));
    c.ok("PATCH", members + "/" + SandboxClient.hash("gdpr.log@example.com"),
        Map.of("marketing_permissions", List.of(permission(email, true))));
    JsonNode log = c.control("GET", "/_sandbox/requests", null).json();
    assertEquals(2, log.size(), log.toString());
    assertFalse(log.get(0).path("marketingPermissions").asBoolean(true), log.toString());
    assertTrue(log.get(1).path("marketingPermissions").asBoolean(false), log.toString());
  }

  @Test
  void turningFieldsOffOrChangingThemKeepsWhatRemains() {
    Map<String, String> ids = gdpr(list, "Email", "Direct Mail");
    c.ok("POST", members, Map.of("email_address", "gdpr.keep@example.com", "status", "subscribed",
        "marketing_permissions", List.of(permission(ids.get("Email"), true), permission(ids.get("Direct Mail"), true))));
    gdpr(list, "Email");
    String keep = members + "/" + SandboxClient.hash("gdpr.keep@example.com");
    assertEquals(Map.of("Email", true), enabled(c.ok("GET", keep, null)));
    gdpr(list);
    assertFalse(c.ok("GET", "/3.0/lists/" + list, null).path("marketing_permissions").asBoolean(true));
    assertTrue(c.ok("GET", keep, null).path("marketing_permissions").isMissingNode());
  }

  @Test
  void theControlEndpointRefusesBadInput() {
    List<Object> bad = new ArrayList<>();
    bad.add(Map.of("permissions", "Email"));
    bad.add(Map.of("permissions", List.of("Email", "Email")));
    bad.add(Map.of("permissions", List.of(" ")));
    for (Object body : bad) {
      assertEquals(400, c.control("POST", "/_sandbox/lists/" + list + "/marketing-permissions", body).status(),
          body.toString());
    }
    assertEquals(404, c.control("POST", "/_sandbox/lists/nope/marketing-permissions",
        Map.of("permissions", List.of("Email"))).status());
  }
}
