package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One merge field definition of an audience (Mailchimp's "audience field"). Only text fields are modelled. */
final class MergeField {
  final int mergeId;
  final String tag;
  final String name;
  boolean required;

  MergeField(int mergeId, String tag, String name, boolean required) {
    this.mergeId = mergeId;
    this.tag = tag;
    this.name = name;
    this.required = required;
  }

  ObjectNode render(Audience list) {
    ObjectNode n = Json.obj();
    n.put("merge_id", mergeId);
    n.put("tag", tag);
    n.put("name", name);
    n.put("type", "text");
    n.put("required", required);
    n.put("default_value", "");
    n.put("public", true);
    n.put("display_order", mergeId + 1);
    n.putObject("options").put("size", 25);
    n.put("help_text", "");
    n.put("list_id", list.id);
    return n;
  }
}
