package com.hrplatform.mailchimp.sandbox;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A small validator for the OpenAPI 3.0 schemas of Mailchimp's spec: $ref, allOf, anyOf/oneOf, type,
 * nullable, required, properties, items and enum. Not checked: format (Mailchimp answers "" for an
 * unset date-time), additionalProperties (the derived spec types merge_fields values as objects while
 * Mailchimp answers strings), and the spec's non-standard x-oneOf.
 */
final class OpenApiSchemaValidator {
  private final JsonNode spec;
  final Path file;

  private OpenApiSchemaValidator(JsonNode spec, Path file) {
    this.spec = spec;
    this.file = file;
  }

  /** The spec's file name in {@code <repository root>/docs/mailchimp/} (see SOURCE.md there). */
  static final String SPEC_FILE = "marketing-openapi.derived-ballerina-3.0.85.json";

  /** The spec kept in the repository: {@code ../../docs/mailchimp/} from the module dir. Fails when absent. */
  static OpenApiSchemaValidator load() {
    Path moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    Path file = moduleDir.resolve("../../docs/mailchimp").resolve(SPEC_FILE).normalize();
    assertTrue(Files.isRegularFile(file), "Mailchimp OpenAPI spec is missing: " + file);
    try {
      JsonNode spec = SandboxClient.MAPPER.readTree(file.toFile());
      assertTrue(spec.path("paths").isObject() && spec.path("components").path("schemas").isObject(),
          "not an OpenAPI 3 document: " + file);
      return new OpenApiSchemaValidator(spec, file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The response schema for a concrete request path (without /3.0) and method, found by matching the
   * spec's path templates; {@code status} is "200" or "default" (errors).
   */
  JsonNode responseSchema(String concretePath, String method, String status) {
    String template = template(concretePath);
    JsonNode op = spec.path("paths").path(template).path(method.toLowerCase());
    assertTrue(op.isObject(), "the spec has no " + method + " " + template);
    JsonNode schema = op.path("responses").path(status).path("content").path("application/json").path("schema");
    assertTrue(schema.isObject(), "the spec has no " + status + " application/json schema for " + method + " " + template);
    return schema;
  }

  /** Spec path template matching a concrete path; the one with most literal segments wins. */
  String template(String concretePath) {
    String[] want = split(concretePath);
    String best = null;
    int bestLiterals = -1;
    for (Iterator<String> it = spec.path("paths").fieldNames(); it.hasNext();) {
      String t = it.next();
      String[] have = split(t);
      if (have.length != want.length) {
        continue;
      }
      int literals = 0;
      boolean match = true;
      for (int i = 0; i < have.length; i++) {
        if (have[i].startsWith("{") && have[i].endsWith("}")) {
          continue;
        }
        if (!have[i].equals(want[i])) {
          match = false;
          break;
        }
        literals++;
      }
      if (match && literals > bestLiterals) {
        best = t;
        bestLiterals = literals;
      }
    }
    assertTrue(best != null, "no spec path matches " + concretePath);
    return best;
  }

  private static String[] split(String path) {
    String p = path.replaceAll("^/+|/+$", "");
    return p.isEmpty() ? new String[0] : p.split("/");
  }

  JsonNode componentSchema(String name) {
    JsonNode s = spec.path("components").path("schemas").path(name);
    assertTrue(s.isObject(), "no component schema " + name);
    return s;
  }

  /** Every violation, each as "json.path: what is wrong"; empty when the value conforms. */
  List<String> validate(JsonNode schema, JsonNode value) {
    List<String> errors = new ArrayList<>();
    check(schema, value, "$", errors, 0);
    return errors;
  }

  private JsonNode resolve(JsonNode schema) {
    int guard = 0;
    while (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      if (!ref.startsWith("#/") || guard++ > 50) {
        throw new IllegalStateException("unsupported $ref " + ref);
      }
      schema = spec.at(ref.substring(1));
      if (schema.isMissingNode()) {
        throw new IllegalStateException("dangling $ref " + ref);
      }
    }
    return schema;
  }

  private void check(JsonNode schema, JsonNode value, String at, List<String> errors, int depth) {
    if (depth > 64) {
      return;
    }
    schema = resolve(schema);
    if (value.isNull()) {
      if (schema.has("type") && !schema.path("nullable").asBoolean(false)) {
        errors.add(at + ": null, but the schema is a non-nullable " + schema.get("type").asText());
      }
      return;
    }
    for (JsonNode sub : schema.path("allOf")) {
      check(sub, value, at, errors, depth + 1);
    }
    for (String alt : new String[] {"anyOf", "oneOf"}) {
      JsonNode alts = schema.get(alt);
      if (alts != null && alts.isArray() && !alts.isEmpty()) {
        boolean any = false;
        for (JsonNode sub : alts) {
          List<String> e = new ArrayList<>();
          check(sub, value, at, e, depth + 1);
          any |= e.isEmpty();
        }
        if (!any) {
          errors.add(at + ": matches none of the " + alt + " alternatives");
        }
      }
    }
    String type = schema.path("type").asText(null);
    if (type != null && !hasType(value, type)) {
      errors.add(at + ": expected " + type + " but was " + value.getNodeType().name().toLowerCase() + " " + value);
      return;
    }
    JsonNode en = schema.get("enum");
    if (en != null && en.isArray()) {
      boolean found = false;
      for (JsonNode e : en) {
        found |= e.equals(value);
      }
      if (!found) {
        errors.add(at + ": " + value + " is not one of " + en);
      }
    }
    if (value.isObject()) {
      for (JsonNode req : schema.path("required")) {
        if (!value.has(req.asText())) {
          errors.add(at + ": required property '" + req.asText() + "' is missing");
        }
      }
      JsonNode props = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode p = props.get(f.getKey());
        if (p != null) {
          check(p, f.getValue(), at + "." + f.getKey(), errors, depth + 1);
        }
      }
    }
    if (value.isArray() && schema.has("items")) {
      int i = 0;
      for (JsonNode item : value) {
        check(schema.get("items"), item, at + "[" + i++ + "]", errors, depth + 1);
      }
    }
  }

  private static boolean hasType(JsonNode v, String type) {
    return switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "integer" -> v.isIntegralNumber();
      case "number" -> v.isNumber();
      case "boolean" -> v.isBoolean();
      default -> false;
    };
  }
}
