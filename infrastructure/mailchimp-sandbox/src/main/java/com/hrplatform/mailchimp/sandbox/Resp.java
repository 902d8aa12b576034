package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

/** A JSON answer; a null body means 204 No Content. */
record Resp(int status, JsonNode body) {
  static Resp ok(JsonNode body) {
    return new Resp(200, body);
  }

  static Resp noContent() {
    return new Resp(204, null);
  }
}
