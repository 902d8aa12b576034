package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault injected into matching Marketing API requests. {@code remaining} counts the requests it still
 * applies to; -1 means until cleared.
 */
final class FaultRule {
  static final Set<String> KINDS = Set.of("latency", "hold", "status", "html503", "timeout", "lostAnswer");
  static final long DEFAULT_TIMEOUT_HOLD_MS = 30_000;

  final long id;
  final String apiKey;
  final String method;
  final String pathPrefix;
  final String kind;
  final int status;
  final long latencyMs;
  private final AtomicInteger remaining;
  /** Matching requests still to let through before the rule starts to apply ("after some batches"). */
  private final AtomicInteger skip;

  private FaultRule(long id, String apiKey, String method, String pathPrefix, String kind, int status,
      long latencyMs, int count, int after) {
    this.id = id;
    this.apiKey = apiKey;
    this.method = method;
    this.pathPrefix = pathPrefix;
    this.kind = kind;
    this.status = status;
    this.latencyMs = latencyMs;
    this.remaining = new AtomicInteger(count);
    this.skip = new AtomicInteger(after);
  }

  static FaultRule parse(long id, JsonNode body) {
    String kind = Json.text(body, "kind");
    if (kind == null || !KINDS.contains(kind)) {
      throw ApiError.badRequest("kind must be one of latency, hold, status, html503, timeout, lostAnswer.");
    }
    String method = Json.text(body, "method");
    String pathPrefix = Json.text(body, "pathPrefix");
    String exactPath = Json.text(body, "path");
    int status = body.path("status").asInt(0);
    if ("status".equals(kind) && (status < 400 || status > 599)) {
      throw ApiError.badRequest("a status fault needs a status between 400 and 599.");
    }
    long latency = body.path("latencyMs").asLong(0);
    if (("latency".equals(kind) || "hold".equals(kind)) && latency <= 0) {
      throw ApiError.badRequest("a " + kind + " fault needs latencyMs > 0.");
    }
    if (latency < 0 || latency > 600_000) {
      throw ApiError.badRequest("latencyMs must be between 0 and 600000.");
    }
    int count = -1;
    if (body.hasNonNull("count")) {
      count = body.path("count").asInt(-1);
      if (count <= 0) {
        throw ApiError.badRequest("count must be a positive integer (omit it for 'until cleared').");
      }
    }
    int after = body.path("after").asInt(0);
    if (after < 0) {
      throw ApiError.badRequest("after must be zero or a positive integer.");
    }
    FaultRule rule = new FaultRule(id, Json.text(body, "apiKey"), method == null ? null : method.toUpperCase(Locale.ROOT),
        pathPrefix, kind, status, latency, count, after);
    rule.exactPath = exactPath;
    return rule;
  }

  /** Matches only this exact path (e.g. the batch endpoint {@code /3.0/lists/{id}} and not its sub-paths). */
  String exactPath;

  boolean matches(String key, String reqMethod, String path) {
    return (apiKey == null || apiKey.equals(key))
        && (method == null || method.equals(reqMethod))
        && (pathPrefix == null || path.startsWith(pathPrefix))
        && (exactPath == null || path.equals(exactPath));
  }

  /** Takes one use of the rule; false once it is used up. */
  boolean tryConsume() {
    if (skip.get() > 0 && skip.getAndDecrement() > 0) {
      return false;
    }
    while (true) {
      int r = remaining.get();
      if (r < 0) {
        return true;
      }
      if (r == 0) {
        return false;
      }
      if (remaining.compareAndSet(r, r - 1)) {
        return true;
      }
    }
  }

  boolean exhausted() {
    return remaining.get() == 0;
  }

  long holdMs() {
    return latencyMs > 0 ? latencyMs : DEFAULT_TIMEOUT_HOLD_MS;
  }

  /** Latency and hold only delay a request; any other kind decides its fate (one such rule per request). */
  boolean delaysOnly() {
    return "latency".equals(kind) || "hold".equals(kind);
  }

  ObjectNode render() {
    ObjectNode n = Json.obj();
    n.put("id", id);
    if (apiKey != null) {
      n.put("apiKey", apiKey);
    }
    if (method != null) {
      n.put("method", method);
    }
    if (pathPrefix != null) {
      n.put("pathPrefix", pathPrefix);
    }
    n.put("kind", kind);
    if (status > 0) {
      n.put("status", status);
    }
    if (latencyMs > 0) {
      n.put("latencyMs", latencyMs);
    }
    int r = remaining.get();
    if (r >= 0) {
      n.put("remaining", r);
    }
    if (skip.get() > 0) {
      n.put("after", skip.get());
    }
    return n;
  }
}
