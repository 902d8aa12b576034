package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayDeque;

/** The Marketing API requests the sandbox received, oldest first (bounded, oldest dropped). */
final class RequestLog {
  static final int CAPACITY = 500_000;

  /** {@code receivedAt}: epoch milliseconds; {@code durationMs}: until the answer was sent, latency included. */
  record Entry(String method, String path, int status, int members, long receivedAt, long durationMs) {}

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();

  synchronized void add(Entry e) {
    if (entries.size() >= CAPACITY) {
      entries.removeFirst();
    }
    entries.addLast(e);
  }

  synchronized void clear() {
    entries.clear();
  }

  synchronized ArrayNode render() {
    ArrayNode out = Json.arr();
    for (Entry e : entries) {
      out.addObject().put("method", e.method()).put("path", e.path()).put("status", e.status())
          .put("members", e.members()).put("receivedAt", e.receivedAt()).put("durationMs", e.durationMs());
    }
    return out;
  }
}
