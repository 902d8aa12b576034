package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Mailchimp's partial responses: a GET's {@code fields} keeps only the named fields, {@code exclude_fields} drops
 * them, each a comma-separated list of dotted paths into sub-objects ({@code members.email_address},
 * {@code total_items}); a path through an array applies to each of its elements. Both given: fields first.
 */
final class PartialResponse {
  private PartialResponse() {
  }

  static JsonNode apply(JsonNode body, Map<String, String> query) {
    JsonNode out = body;
    String fields = query.get("fields");
    if (fields != null && !fields.isBlank()) {
      out = keep(out, paths(fields));
    }
    String excluded = query.get("exclude_fields");
    if (excluded != null && !excluded.isBlank()) {
      out = out.deepCopy();
      for (List<String> path : paths(excluded)) {
        drop(out, path);
      }
    }
    return out;
  }

  private static List<List<String>> paths(String list) {
    List<List<String>> paths = new ArrayList<>();
    for (String path : list.split(",")) {
      if (!path.isBlank()) {
        paths.add(List.of(path.trim().split("\\.")));
      }
    }
    return paths;
  }

  /** The parts of {@code node} that some path names: a path that ends keeps its whole value. */
  private static JsonNode keep(JsonNode node, List<List<String>> paths) {
    if (paths.stream().anyMatch(List::isEmpty)) {
      return node.deepCopy();
    }
    if (node.isArray()) {
      ArrayNode array = Json.MAPPER.createArrayNode();
      node.forEach(element -> array.add(keep(element, paths)));
      return array;
    }
    if (!node.isObject()) {
      return node;
    }
    ObjectNode object = Json.MAPPER.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> field = it.next();
      List<List<String>> rest = new ArrayList<>();
      for (List<String> path : paths) {
        if (path.get(0).equals(field.getKey())) {
          rest.add(path.subList(1, path.size()));
        }
      }
      if (!rest.isEmpty()) {
        object.set(field.getKey(), keep(field.getValue(), rest));
      }
    }
    return object;
  }

  private static void drop(JsonNode node, List<String> path) {
    if (node.isArray()) {
      node.forEach(element -> drop(element, path));
    } else if (node instanceof ObjectNode object) {
      if (path.size() == 1) {
        object.remove(path.get(0));
      } else if (object.has(path.get(0))) {
        drop(object.get(path.get(0)), path.subList(1, path.size()));
      }
    }
  }
}
