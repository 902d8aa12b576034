package com.hrplatform.mailchimp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The validator used by the conformance test really rejects wrong types, enums and missing fields. */
class OpenApiSchemaValidatorTest {
  static OpenApiSchemaValidator spec;

  @BeforeAll
  static void load() {
    spec = OpenApiSchemaValidator.load();
  }

  static ObjectNode problem() {
    return new ApiError(404, "Resource Not Found", "The requested resource could not be found.").body();
  }

  @Test
  void specIsTheMailchimpMarketingSpecAndPathsResolve() {
    assertTrue(spec.file.getFileName().toString().contains("marketing-openapi"), spec.file.toString());
    assertEquals("/lists/{listId}/members/{subscriberHash}", spec.template("/lists/abc/members/0123"));
    assertEquals("/lists/{listId}/members", spec.template("/lists/abc/members"));
    assertEquals("/reports/{campaignId}", spec.template("/reports/xyz"));
  }

  @Test
  void specIsTheCopyKeptInTheRepositoryUnchanged() throws Exception {
    Path repoRoot = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve("../..").normalize();
    assertEquals(repoRoot.resolve("docs/mailchimp").resolve(OpenApiSchemaValidator.SPEC_FILE), spec.file);
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(spec.file)));
    String source = Files.readString(spec.file.resolveSibling("SOURCE.md"));
    assertTrue(source.contains("sha256 `" + sha256 + "`"), "SOURCE.md records the sha256 of the stored file, " + sha256);
  }

  @Test
  void aConformingProblemPasses() {
    assertEquals(List.of(), spec.validate(spec.componentSchema("ProblemDetailDocument"), problem()));
  }

  @Test
  void aMissingRequiredFieldFails() {
    ObjectNode p = problem();
    p.remove("title");
    List<String> v = spec.validate(spec.componentSchema("ProblemDetailDocument"), p);
    assertEquals(1, v.size(), v.toString());
    assertTrue(v.get(0).contains("'title'"), v.toString());
  }

  @Test
  void aWrongTypeFailsDeepInTheDocument() {
    ObjectNode campaigns = SandboxClient.MAPPER.createObjectNode();
    ObjectNode c = campaigns.putArray("campaigns").addObject();
    c.put("id", "abc");
    c.put("emails_sent", "3");
    c.putObject("settings").put("title", 5);
    c.putObject("report_summary").put("open_rate", "high");
    JsonNode schema = spec.responseSchema("/campaigns", "GET", "200");
    List<String> v = spec.validate(schema, campaigns);
    assertEquals(3, v.size(), v.toString());
    assertTrue(v.stream().anyMatch(s -> s.startsWith("$.campaigns[0].emails_sent")), v.toString());
    assertTrue(v.stream().anyMatch(s -> s.startsWith("$.campaigns[0].settings.title")), v.toString());
    assertTrue(v.stream().anyMatch(s -> s.startsWith("$.campaigns[0].report_summary.open_rate")), v.toString());
  }

  @Test
  void aValueOutsideTheEnumFails() {
    ObjectNode member = SandboxClient.MAPPER.createObjectNode().put("status", "active");
    List<String> v = spec.validate(spec.responseSchema("/lists/l/members/h", "GET", "200"), member);
    assertEquals(1, v.size(), v.toString());
    ObjectNode campaign = SandboxClient.MAPPER.createObjectNode().put("status", "draft");
    assertEquals(1, spec.validate(spec.responseSchema("/campaigns/c", "GET", "200"), campaign).size());
  }

  @Test
  void nullIsRejectedUnlessNullable() {
    ObjectNode report = SandboxClient.MAPPER.createObjectNode();
    report.putObject("opens").putNull("unique_opens");
    List<String> v = spec.validate(spec.responseSchema("/reports/c", "GET", "200"), report);
    assertEquals(1, v.size(), v.toString());
  }

  @Test
  void integerRejectsFractions() {
    ObjectNode lists = SandboxClient.MAPPER.createObjectNode();
    lists.putArray("lists");
    lists.put("total_items", 2.5);
    List<String> v = spec.validate(spec.responseSchema("/lists", "GET", "200"), lists);
    assertEquals(1, v.size(), v.toString());
    lists.remove("lists");
    lists.put("total_items", 2);
    v = spec.validate(spec.responseSchema("/lists", "GET", "200"), lists);
    assertEquals(1, v.size(), "lists is required: " + v);
  }
}
