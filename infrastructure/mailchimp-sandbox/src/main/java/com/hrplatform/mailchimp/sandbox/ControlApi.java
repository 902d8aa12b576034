package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** The /_sandbox control endpoints used by tests and benchmarks (no auth, not Mailchimp). */
final class ControlApi {
  private final SandboxState state;

  ControlApi(SandboxState state) {
    this.state = state;
  }

  /** @param path the segments after /_sandbox */
  Resp route(String method, List<String> path, Map<String, String> query, byte[] rawBody) {
    if (path.isEmpty()) {
      throw ApiError.notFound();
    }
    String top = path.get(0);
    int n = path.size();
    switch (top) {
      case "requests" -> {
        if (n != 1) {
          throw ApiError.notFound();
        }
        return switch (method) {
          case "GET" -> Resp.ok(state.log.render(query.get("apiKey")));
          case "DELETE" -> {
            state.log.clear();
            yield Resp.noContent();
          }
          default -> throw ApiError.methodNotAllowed();
        };
      }
      case "accounts" -> {
        if (n != 1) {
          throw ApiError.notFound();
        }
        return switch (method) {
          case "GET" -> {
            ArrayNode out = Json.arr();
            for (Account a : state.accounts.values()) {
              synchronized (a) {
                out.add(a.renderSummary());
              }
            }
            yield Resp.ok(out);
          }
          case "POST" -> {
            JsonNode body = body(rawBody);
            String apiKey = Json.text(body, "apiKey");
            if (apiKey == null || apiKey.isBlank()) {
              throw ApiError.badRequest("apiKey is required.");
            }
            String name = Json.text(body, "accountName");
            if (name == null || name.isBlank()) {
              name = "Sandbox account";
            }
            Account a = state.putAccount(apiKey.trim(), name, body.path("seed").asBoolean(false));
            synchronized (a) {
              yield new Resp(201, a.renderSummary());
            }
          }
          default -> throw ApiError.methodNotAllowed();
        };
      }
      case "faults" -> {
        if (n != 1) {
          throw ApiError.notFound();
        }
        return switch (method) {
          case "GET" -> {
            String key = query.get("apiKey");
            ArrayNode out = Json.arr();
            state.faults.stream().filter(f -> key == null || key.equals(f.apiKey)).forEach(f -> out.add(f.render()));
            yield Resp.ok(out);
          }
          case "POST" -> {
            FaultRule rule = FaultRule.parse(state.nextFaultId.getAndIncrement(), body(rawBody));
            state.faults.add(rule);
            yield new Resp(201, rule.render());
          }
          case "DELETE" -> {
            String key = query.get("apiKey");
            if (key == null) {
              state.faults.clear();
            } else {
              state.faults.removeIf(rule -> key.equals(rule.apiKey));
            }
            yield Resp.noContent();
          }
          default -> throw ApiError.methodNotAllowed();
        };
      }
      case "config" -> {
        if (n != 1) {
          throw ApiError.notFound();
        }
        if ("POST".equals(method)) {
          JsonNode body = body(rawBody);
          if (body.has("latencyMs")) {
            long latency = body.path("latencyMs").asLong(-1);
            if (latency < 0 || latency > 600_000) {
              throw ApiError.badRequest("latencyMs must be between 0 and 600000.");
            }
            state.globalLatencyMs = latency;
          }
        } else if (!"GET".equals(method)) {
          throw ApiError.methodNotAllowed();
        }
        return Resp.ok(Json.obj().put("latencyMs", state.globalLatencyMs));
      }
      case "campaigns" -> {
        if (n == 1) {
          if (!"POST".equals(method)) {
            throw ApiError.methodNotAllowed();
          }
          return createCampaign(body(rawBody));
        }
        if (n == 2) {
          if (!"PATCH".equals(method)) {
            throw ApiError.methodNotAllowed();
          }
          return patchCampaign(path.get(1), body(rawBody));
        }
        throw ApiError.notFound();
      }
      case "lists" -> {
        if (n != 3 || !"merge-fields".equals(path.get(2)) && !"marketing-permissions".equals(path.get(2))) {
          throw ApiError.notFound();
        }
        if (!"POST".equals(method)) {
          throw ApiError.methodNotAllowed();
        }
        return "merge-fields".equals(path.get(2)) ? putMergeField(path.get(1), body(rawBody))
            : setMarketingPermissions(path.get(1), body(rawBody));
      }
      case "peak" -> {
        // GET /_sandbox/peak?apiKey=: the most simultaneous requests the key had in flight; DELETE starts again.
        Account account = state.accounts.get(query.getOrDefault("apiKey", ""));
        if (n != 1 || account == null) {
          throw ApiError.notFound();
        }
        return switch (method) {
          case "GET" -> Resp.ok(Json.obj().put("apiKey", account.apiKey).put("peakInFlight", account.peakInFlight.get())
              .put("inFlight", Account.MAX_IN_FLIGHT - account.inFlight.availablePermits()));
          case "DELETE" -> {
            account.peakInFlight.set(0);
            yield Resp.noContent();
          }
          default -> throw ApiError.methodNotAllowed();
        };
      }
      case "members" -> {
        if (n != 1) {
          throw ApiError.notFound();
        }
        return switch (method) {
          case "POST" -> setMemberStatus(body(rawBody));
          case "GET" -> readMember(query);
          default -> throw ApiError.methodNotAllowed();
        };
      }
      case "reset" -> {
        if (n != 1) {
          throw ApiError.notFound();
        }
        if (!"POST".equals(method)) {
          throw ApiError.methodNotAllowed();
        }
        state.reset();
        return Resp.noContent();
      }
      default -> throw ApiError.notFound();
    }
  }

  /** The account named by the body's {@code apiKey}, the default account's when absent. */
  private Account account(JsonNode body) {
    String apiKey = Json.text(body, "apiKey");
    if (apiKey == null) {
      apiKey = MailchimpSandbox.DEFAULT_API_KEY;
    }
    Account a = state.accounts.get(apiKey);
    if (a == null) {
      throw ApiError.badRequest("No sandbox account has that apiKey.");
    }
    return a;
  }

  /** POST /_sandbox/lists/{listId}/merge-fields: creates a text merge field, or changes whether it is required. */
  private Resp putMergeField(String listId, JsonNode body) {
    Account a = account(body);
    String tag = Json.text(body, "tag");
    if (tag == null || !tag.trim().matches("[A-Za-z0-9_]+")) {
      throw ApiError.badRequest("tag is required: letters, digits and _ only.");
    }
    JsonNode required = body.path("required");
    if (!required.isMissingNode() && !required.isBoolean()) {
      throw ApiError.badRequest("required must be true or false.");
    }
    // Mailchimp shows merge tags in capitals; member bodies name them the same way.
    String t = tag.trim().toUpperCase(Locale.ROOT);
    synchronized (a) {
      Audience list = a.lists.get(listId);
      if (list == null) {
        throw ApiError.notFound();
      }
      return Resp.ok(list.putMergeField(t, t, required.asBoolean(false)).render(list));
    }
  }

  /**
   * POST /_sandbox/lists/{listId}/marketing-permissions {@code {apiKey?, permissions: ["Email", "Direct Mail", ...]}}:
   * turns the audience's GDPR fields on with these permissions (an empty array turns them off). Mailchimp sets them
   * up in its UI only; the API shows them on members.
   */
  private Resp setMarketingPermissions(String listId, JsonNode body) {
    Account a = account(body);
    JsonNode given = body.get("permissions");
    if (given == null || !given.isArray()) {
      throw ApiError.badRequest("permissions is required: an array of texts, such as [\"Email\", \"Direct Mail\"].");
    }
    List<String> texts = new java.util.ArrayList<>();
    for (JsonNode t : given) {
      String text = t.isTextual() ? t.asText().trim() : "";
      if (text.isEmpty() || texts.contains(text)) {
        throw ApiError.badRequest("permissions must be distinct, non-blank texts.");
      }
      texts.add(text);
    }
    synchronized (a) {
      Audience list = a.lists.get(listId);
      if (list == null) {
        throw ApiError.notFound();
      }
      list.setMarketingPermissions(texts);
      com.fasterxml.jackson.databind.node.ObjectNode out = Json.obj();
      out.put("list_id", list.id);
      ArrayNode items = out.putArray("marketing_permissions");
      list.marketingPermissions.forEach((id, text) -> items.addObject().put("marketing_permission_id", id).put("text", text));
      return Resp.ok(out);
    }
  }

  /**
   * POST /_sandbox/members: what a person (or someone in Mailchimp's UI) does to a member, which the API may
   * refuse: re-subscribing on a form after an unsubscribe, confirming a double opt-in, a bounce cleaning the
   * address, an admin archiving. Sets the status directly, without the compliance rules.
   */
  private Resp setMemberStatus(JsonNode body) {
    Account a = account(body);
    String listId = Json.text(body, "listId");
    if (listId == null || listId.isBlank()) {
      throw ApiError.badRequest("listId is required.");
    }
    String email = Json.text(body, "email");
    if (!Json.validEmail(email)) {
      throw ApiError.badRequest("email must be a valid email address.");
    }
    String status = Json.text(body, "status");
    if (status == null || !Member.STATUSES.contains(status)) {
      throw ApiError.badRequest("status must be one of " + String.join(", ", Member.STATUSES.stream().sorted().toList()) + ".");
    }
    String reason = Json.text(body, "unsubscribeReason");
    synchronized (a) {
      Audience list = a.lists.get(listId);
      if (list == null) {
        throw ApiError.notFound();
      }
      Instant now = state.clock.instant();
      String hash = Json.subscriberHash(email);
      Member m = list.members.get(hash);
      String before = m == null ? null : m.status;
      if (m == null) {
        if ("archived".equals(status)) {
          throw ApiError.notFound();
        }
        // The way back for a permanently deleted address: Mailchimp says the contact must re-subscribe.
        list.forgotten.remove(hash);
        m = list.addMember(email.trim(), a.nextWebId(), status, now);
      } else {
        list.changeStatus(m, status, now);
      }
      if ("unsubscribed".equals(status) && !status.equals(before)) {
        m.unsubscribeReason = reason == null ? Member.UNSUBSCRIBED_BY_CONTACT : reason;
      }
      return Resp.ok(m.render(list));
    }
  }

  /**
   * GET /_sandbox/members?apiKey=&listId=&email=: the member as the Marketing API shows it, read past faults and
   * the request log (what a test looks at while it fails the product's own requests).
   */
  private Resp readMember(Map<String, String> query) {
    Account a = account(Json.obj().put("apiKey", query.get("apiKey")));
    String listId = query.get("listId");
    String email = query.get("email");
    if (listId == null || !Json.validEmail(email)) {
      throw ApiError.badRequest("listId and email are required.");
    }
    synchronized (a) {
      Audience list = a.lists.get(listId);
      Member m = list == null ? null : list.members.get(Json.subscriberHash(email));
      if (m == null) {
        throw ApiError.notFound();
      }
      // lastChangedMs: last_changed to the millisecond (the API's is in seconds), to time how soon a change arrived.
      return Resp.ok(m.render(list).put("lastChangedMs", m.lastChanged.toEpochMilli()));
    }
  }

  private Resp createCampaign(JsonNode body) {
    Account a = account(body);
    String status = Json.text(body, "status");
    if (status == null || !Campaign.STATUSES.contains(status)) {
      throw ApiError.badRequest("status must be one of " + String.join(", ", Campaign.STATUSES.stream().sorted().toList()) + ".");
    }
    synchronized (a) {
      String listId = Json.text(body, "listId");
      Audience list = listId == null ? null : a.lists.get(listId);
      if (list == null) {
        throw ApiError.badRequest("listId must be one of the account's lists.");
      }
      Instant now = state.clock.instant();
      Campaign c = new Campaign(Json.randomId(), a.nextWebId(), now);
      c.status = status;
      c.listId = list.id;
      c.title = Json.text(body, "title") == null ? "Sandbox campaign " + c.webId : Json.text(body, "title");
      c.subjectLine = Json.text(body, "subjectLine") == null ? c.title : Json.text(body, "subjectLine");
      String sendTime = Json.text(body, "sendTime");
      if (sendTime != null) {
        c.sendTime = normaliseTime(sendTime);
      } else if ("sent".equals(status) || "sending".equals(status)) {
        c.sendTime = Json.ts(now);
      } else if ("schedule".equals(status) || "paused".equals(status)) {
        c.sendTime = Json.ts(now.plus(1, ChronoUnit.DAYS));
      }
      if (body.has("emailsSent")) {
        c.emailsSent = nonNegative(body, "emailsSent");
      } else if ("sent".equals(status)) {
        c.emailsSent = list.members.values().stream().filter(m -> "subscribed".equals(m.status)).count();
      }
      applyReport(c, body.get("report"));
      a.campaigns.put(c.id, c);
      return new Resp(201, c.render(a));
    }
  }

  private Resp patchCampaign(String id, JsonNode body) {
    Account a = state.accountOfCampaign(id);
    if (a == null) {
      throw ApiError.notFound();
    }
    synchronized (a) {
      Campaign c = a.campaigns.get(id);
      if (c == null) {
        throw ApiError.notFound();
      }
      String status = Json.text(body, "status");
      if (status != null && !Campaign.STATUSES.contains(status)) {
        throw ApiError.badRequest("status must be one of " + String.join(", ", Campaign.STATUSES.stream().sorted().toList()) + ".");
      }
      if (body.has("emailsSent")) {
        c.emailsSent = nonNegative(body, "emailsSent");
      }
      if (body.has("sendTime")) {
        String t = Json.text(body, "sendTime");
        c.sendTime = t == null ? "" : normaliseTime(t);
      }
      if (status != null) {
        c.status = status;
        if (("sent".equals(status) || "sending".equals(status)) && c.sendTime.isEmpty()) {
          c.sendTime = Json.ts(state.clock.instant());
        }
      }
      if (Json.text(body, "title") != null) {
        c.title = Json.text(body, "title");
      }
      if (Json.text(body, "subjectLine") != null) {
        c.subjectLine = Json.text(body, "subjectLine");
      }
      applyReport(c, body.get("report"));
      return Resp.ok(c.render(a));
    }
  }

  private static void applyReport(Campaign c, JsonNode report) {
    if (report == null || report.isNull()) {
      return;
    }
    if (!report.isObject()) {
      throw ApiError.badRequest("report must be an object.");
    }
    if (report.has("uniqueOpens")) {
      c.uniqueOpens = (int) nonNegative(report, "uniqueOpens");
    }
    if (report.has("uniqueClicks")) {
      c.uniqueClicks = (int) nonNegative(report, "uniqueClicks");
    }
    if (report.has("openRate")) {
      c.openRate = rate(report, "openRate");
    }
    if (report.has("clickRate")) {
      c.clickRate = rate(report, "clickRate");
    }
  }

  private static long nonNegative(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw ApiError.badRequest(field + " must be a non-negative integer.");
    }
    return v.asLong();
  }

  private static double rate(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isNumber() || v.asDouble() < 0 || v.asDouble() > 1) {
      throw ApiError.badRequest(field + " must be a number between 0 and 1.");
    }
    return v.asDouble();
  }

  private static String normaliseTime(String text) {
    if (text.isEmpty()) {
      return "";
    }
    try {
      return Json.ts(Json.parseTs(text));
    } catch (RuntimeException e) {
      throw ApiError.badRequest("sendTime must be an ISO-8601 timestamp.");
    }
  }

  private static JsonNode body(byte[] raw) {
    JsonNode node;
    try {
      node = Json.parse(raw);
    } catch (IOException e) {
      throw ApiError.badRequest("The request body is not valid JSON.");
    }
    if (!node.isObject()) {
      throw ApiError.badRequest("The request body must be a JSON object.");
    }
    return node;
  }

}
