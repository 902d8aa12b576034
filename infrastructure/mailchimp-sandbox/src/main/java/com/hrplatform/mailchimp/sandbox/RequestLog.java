package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayDeque;

/** The Marketing API requests the sandbox received, oldest first (bounded, oldest dropped). */
final class RequestLog {
  static final int CAPACITY = 500_000;

  /**
   * {@code receivedAt}: epoch milliseconds; {@code durationMs}: until the answer was sent, latency included;
   * {@code apiKey}: the key the request carried (only to select an account's requests, never rendered);
   * {@code marketingPermissions}: its body named {@code marketing_permissions} (GDPR fields were written).
   */
  record Entry(String method, String path, int status, int members, long receivedAt, long durationMs, String apiKey,
      boolean marketingPermissions) {}

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

  /** Every request, or only those made with {@code apiKey} (null: every request). */
  synchronized ArrayNode render(String apiKey) {
    ArrayNode out = Json.arr();
    for (Entry e : entries) {
      if (apiKey != null && !apiKey.equals(e.apiKey())) {
        continue;
      }
      out.addObject().put("method", e.method()).put("path", e.path()).put("status", e.status())
          .put("members", e.members()).put("receivedAt", e.receivedAt()).put("durationMs", e.durationMs())
          .put("marketingPermissions", e.marketingPermissions());
    }
    return out;
  }
}
