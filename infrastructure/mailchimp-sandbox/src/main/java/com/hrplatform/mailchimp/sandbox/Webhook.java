package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A list webhook registration (the sandbox stores it; it does not call it). */
final class Webhook {
  static final String[] EVENTS = {"subscribe", "unsubscribe", "profile", "cleaned", "upemail", "campaign"};
  static final String[] SOURCES = {"user", "admin", "api"};

  final String id;
  final String url;
  final ObjectNode events = Json.obj();
  final ObjectNode sources = Json.obj();

  Webhook(String id, String url, JsonNode events, JsonNode sources) {
    this.id = id;
    this.url = url;
    for (String e : EVENTS) {
      this.events.put(e, events != null && events.path(e).asBoolean(false));
    }
    for (String s : SOURCES) {
      this.sources.put(s, sources != null && sources.path(s).asBoolean(false));
    }
  }

  ObjectNode render(Audience list) {
    ObjectNode n = Json.obj();
    n.put("id", id);
    n.put("url", url);
    n.set("events", events.deepCopy());
    n.set("sources", sources.deepCopy());
    n.put("list_id", list.id);
    return n;
  }
}
