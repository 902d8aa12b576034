package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashSet;

/** A static segment (what Mailchimp's UI calls a tag): a named set of member hashes. */
final class Segment {
  final int id;
  String name;
  final Instant createdAt;
  Instant updatedAt;
  final LinkedHashSet<String> members = new LinkedHashSet<>();

  Segment(int id, String name, Instant now) {
    this.id = id;
    this.name = name;
    this.createdAt = now;
    this.updatedAt = now;
  }

  /** Archived members are not counted or listed, as in Mailchimp. */
  int memberCount(Audience list) {
    int n = 0;
    for (String h : members) {
      Member m = list.members.get(h);
      if (m != null && !"archived".equals(m.status)) {
        n++;
      }
    }
    return n;
  }

  ObjectNode render(Audience list) {
    ObjectNode n = Json.obj();
    n.put("id", id);
    n.put("name", name);
    n.put("member_count", memberCount(list));
    n.put("type", "static");
    n.put("created_at", Json.ts(createdAt));
    n.put("updated_at", Json.ts(updatedAt));
    ObjectNode options = n.putObject("options");
    options.put("match", "any");
    options.putArray("conditions");
    n.put("list_id", list.id);
    return n;
  }
}
