package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The Marketing API subset, behind /3.0. Every method runs while the caller holds the account's lock,
 * so plain collections are safe here.
 */
final class MarketingApi {
  static final int MAX_BATCH = 500;
  static final int MAX_COUNT = 1000;

  private final Clock clock;

  MarketingApi(Clock clock) {
    this.clock = clock;
  }

  /** @param path the segments after /3.0, already URL-decoded */
  Resp route(Account a, String method, List<String> path, Map<String, String> query, byte[] rawBody) {
    int n = path.size();
    if (n == 0) {
      only(method, "GET");
      return Resp.ok(a.renderRoot());
    }
    String top = path.get(0);
    switch (top) {
      case "ping" -> {
        if (n != 1) {
          throw ApiError.notFound();
        }
        only(method, "GET");
        return Resp.ok(Json.obj().put("health_status", "Everything's Chimpy!"));
      }
      case "lists" -> {
        return lists(a, method, path, query, rawBody);
      }
      case "campaigns" -> {
        return campaigns(a, method, path, query);
      }
      case "reports" -> {
        if (n != 2) {
          throw ApiError.notFound();
        }
        only(method, "GET");
        Campaign c = a.campaigns.get(path.get(1));
        if (c == null || !c.hasReport()) {
          throw ApiError.notFound();
        }
        return Resp.ok(c.renderReport(a));
      }
      default -> throw ApiError.notFound();
    }
  }

  // ---------------------------------------------------------------- lists

  private Resp lists(Account a, String method, List<String> path, Map<String, String> query, byte[] rawBody) {
    int n = path.size();
    if (n == 1) {
      only(method, "GET");
      Page page = Page.of(query);
      ArrayNode items = Json.arr();
      int i = 0;
      for (Audience l : a.lists.values()) {
        if (i >= page.offset && items.size() < page.count) {
          items.add(l.render(a));
        }
        i++;
      }
      ObjectNode out = Json.obj();
      out.set("lists", items);
      out.put("total_items", a.lists.size());
      ObjectNode constraints = out.putObject("constraints");
      constraints.put("may_create", true);
      constraints.put("max_instances", 100);
      constraints.put("current_total_instances", a.lists.size());
      out.putArray("_links");
      return Resp.ok(out);
    }
    Audience list = a.lists.get(path.get(1));
    if (list == null) {
      throw ApiError.notFound();
    }
    if (n == 2) {
      switch (method) {
        case "GET" -> {
          return Resp.ok(list.render(a));
        }
        case "POST" -> {
          return Resp.ok(batchSubscribe(a, list, body(rawBody), skipMergeValidation(query)));
        }
        default -> throw ApiError.methodNotAllowed();
      }
    }
    String sub = path.get(2);
    return switch (sub) {
      case "members" -> members(a, list, method, path, query, rawBody);
      case "segments" -> segments(a, list, method, path, query, rawBody);
      case "webhooks" -> webhooks(list, method, path, rawBody);
      case "merge-fields" -> mergeFields(list, method, path, query, rawBody);
      default -> throw ApiError.notFound();
    };
  }

  // ---------------------------------------------------------------- members

  private Resp members(Account a, Audience list, String method, List<String> path, Map<String, String> query,
      byte[] rawBody) {
    int n = path.size();
    if (n == 3) {
      switch (method) {
        case "GET" -> {
          Page page = Page.of(query);
          String status = query.get("status");
          if (status != null && !status.isEmpty() && !Member.STATUSES.contains(status)) {
            throw ApiError.badRequest("Invalid status filter: " + status);
          }
          Predicate<Member> filter = status == null || status.isEmpty() ? m -> true : m -> status.equals(m.status);
          ArrayNode items = Json.arr();
          int total = 0;
          for (Member m : list.members.values()) {
            if (filter.test(m)) {
              if (total >= page.offset && items.size() < page.count) {
                items.add(m.render(list));
              }
              total++;
            }
          }
          ObjectNode out = Json.obj();
          out.set("members", items);
          out.put("list_id", list.id);
          out.put("total_items", total);
          out.putArray("_links");
          return Resp.ok(out);
        }
        case "POST" -> {
          return Resp.ok(addMember(a, list, body(rawBody), skipMergeValidation(query)));
        }
        default -> throw ApiError.methodNotAllowed();
      }
    }
    String hash = hashFromPath(path.get(3));
    if (n == 4) {
      return switch (method) {
        case "GET" -> Resp.ok(existing(list, hash).render(list));
        case "PUT" -> Resp.ok(putMember(a, list, hash, body(rawBody), skipMergeValidation(query)));
        case "PATCH" -> Resp.ok(patchMember(list, hash, body(rawBody), skipMergeValidation(query)));
        case "DELETE" -> {
          Member m = existing(list, hash);
          list.changeStatus(m, "archived", now());
          yield Resp.noContent();
        }
        default -> throw ApiError.methodNotAllowed();
      };
    }
    if (n == 6 && "actions".equals(path.get(4)) && "delete-permanent".equals(path.get(5))) {
      only(method, "POST");
      Member m = existing(list, hash);
      list.members.remove(m.hash);
      list.forgotten.add(m.hash);
      for (Segment s : list.segments.values()) {
        s.members.remove(m.hash);
      }
      return Resp.noContent();
    }
    if (n == 5 && "tags".equals(path.get(4))) {
      Member m = existing(list, hash);
      switch (method) {
        case "GET" -> {
          ArrayNode tags = Json.arr();
          for (Segment s : list.segments.values()) {
            if (s.members.contains(m.hash)) {
              tags.addObject().put("id", s.id).put("name", s.name).put("date_added", Json.ts(s.updatedAt));
            }
          }
          ObjectNode out = Json.obj();
          out.set("tags", tags);
          out.put("total_items", tags.size());
          out.putArray("_links");
          return Resp.ok(out);
        }
        case "POST" -> {
          JsonNode body = body(rawBody);
          JsonNode tags = body.get("tags");
          if (tags == null || !tags.isArray()) {
            throw ApiError.invalidField("tags", "Required fields were not provided: tags");
          }
          for (JsonNode t : tags) {
            String name = Json.text(t, "name");
            if (name == null || name.isBlank()) {
              throw ApiError.invalidField("tags.name", "Tag name must not be empty");
            }
            String status = t.path("status").asText("active");
            if ("inactive".equals(status)) {
              Segment s = list.segmentByName(name);
              if (s != null && s.members.remove(m.hash)) {
                s.updatedAt = now();
              }
            } else if ("active".equals(status)) {
              Segment s = segmentFor(a, list, name.trim());
              if (s.members.add(m.hash)) {
                s.updatedAt = now();
              }
            } else {
              throw ApiError.invalidField("tags.status", "Value must be one of: active, inactive");
            }
          }
          return Resp.noContent();
        }
        default -> throw ApiError.methodNotAllowed();
      }
    }
    throw ApiError.notFound();
  }

  /**
   * POST /lists/{id}: Mailchimp's batch subscribe/update. Partial failure answers 200 with errors[]. The
   * spec's batch member (AddListMembers) has no {@code tags}: tags sent there are ignored, as is
   * {@code sync_tags}; tags are set through the segment and member-tags endpoints.
   */
  private ObjectNode batchSubscribe(Account a, Audience list, JsonNode body, boolean skipMergeValidation) {
    JsonNode members = body.get("members");
    if (members == null || !members.isArray()) {
      throw ApiError.invalidField("members", "Required fields were not provided: members");
    }
    if (members.size() > MAX_BATCH) {
      throw ApiError.invalidField("members",
          "A batch can hold at most " + MAX_BATCH + " members; this one has " + members.size() + ".");
    }
    // A body that does not match the schema is refused as a whole, before any member is written.
    for (JsonNode item : members) {
      validateFields(item);
    }
    boolean updateExisting = body.path("update_existing").asBoolean(false);
    Instant now = now();
    ArrayNode created = Json.arr();
    ArrayNode updated = Json.arr();
    ArrayNode errors = Json.arr();
    for (JsonNode item : members) {
      String email = Json.text(item, "email_address");
      if (!Json.validEmail(email)) {
        batchError(errors, email, Messages.looksFake(email), "ERROR_GENERIC", "email_address",
            "Please provide a valid email address.");
        continue;
      }
      email = email.trim();
      String hash = Json.subscriberHash(email);
      String status = Json.text(item, "status");
      if (status != null && !Member.WRITABLE_STATUSES.contains(status)) {
        batchError(errors, email, ApiError.VALIDATION_DETAIL, "ERROR_GENERIC", "status",
            "Value must be one of: subscribed, unsubscribed, cleaned, pending, transactional");
        continue;
      }
      Member existing = list.members.get(hash);
      if (existing == null) {
        if (list.forgotten.contains(hash)) {
          batchError(errors, email, Messages.forgotten(email), "ERROR_GENERIC", "", "");
          continue;
        }
        if (status == null) {
          batchError(errors, email, ApiError.VALIDATION_DETAIL, "ERROR_GENERIC", "status",
              "Required fields were not provided: status");
          continue;
        }
        if (!batchBodyAccepted(errors, email, list, item, true, skipMergeValidation)) {
          continue;
        }
        Member m = list.addMember(email, a.nextWebId(), status, now);
        apply(list, m, item, now);
        created.add(m.render(list));
        continue;
      }
      boolean archived = "archived".equals(existing.status);
      if (!archived && !updateExisting) {
        batchError(errors, email, Messages.contactExists(email), "ERROR_CONTACT_EXISTS", "", "");
        continue;
      }
      if (status != null && existing.refuses(status)) {
        batchError(errors, email, Messages.compliance(email), "ERROR_GENERIC", "status", "");
        continue;
      }
      if (!batchBodyAccepted(errors, email, list, item, false, skipMergeValidation)) {
        continue;
      }
      if (status != null) {
        list.changeStatus(existing, status, now);
      }
      apply(list, existing, item, now);
      updated.add(existing.render(list));
    }
    ObjectNode out = Json.obj();
    out.set("new_members", created);
    out.set("updated_members", updated);
    out.set("errors", errors);
    out.put("total_created", created.size());
    out.put("total_updated", updated.size());
    out.put("error_count", errors.size());
    out.putArray("_links");
    return out;
  }

  /** {@link #checkBody} for one batch member: a refusal becomes its errors[] entry instead of a 400. */
  private static boolean batchBodyAccepted(ArrayNode errors, String email, Audience list, JsonNode item,
      boolean isNew, boolean skipMergeValidation) {
    try {
      checkBody(list, item, isNew, skipMergeValidation);
      return true;
    } catch (ApiError e) {
      JsonNode first = e.errors == null ? Json.obj() : e.errors.path(0);
      batchError(errors, email, e.detail, "ERROR_GENERIC", first.path("field").asText(""),
          first.path("message").asText(""));
      return false;
    }
  }

  private static void batchError(ArrayNode errors, String email, String message, String code, String field,
      String fieldMessage) {
    ObjectNode e = errors.addObject();
    e.put("email_address", email == null ? "" : email);
    e.put("error", message);
    e.put("error_code", code);
    e.put("field", field);
    e.put("field_message", fieldMessage);
  }

  /** POST /lists/{id}/members: add one new member. The only member write whose schema has {@code tags}. */
  private ObjectNode addMember(Account a, Audience list, JsonNode body, boolean skipMergeValidation) {
    String email = requireEmail(body);
    String hash = Json.subscriberHash(email);
    String status = requireStatus(body, "status");
    Member existing = list.members.get(hash);
    if (existing != null && !"archived".equals(existing.status)) {
      throw ApiError.memberExists(email);
    }
    Instant now = now();
    if (existing != null) {
      if (existing.refuses(status)) {
        throw ApiError.compliance(existing.email);
      }
      checkBody(list, body, false, skipMergeValidation);
      checkMarketingPermissions(list, body);
      list.changeStatus(existing, status, now);
      apply(list, existing, body, now);
      applyMarketingPermissions(existing, body, now);
      applyTags(a, list, existing, body);
      return existing.render(list);
    }
    if (list.forgotten.contains(hash)) {
      throw ApiError.forgotten(email);
    }
    checkBody(list, body, true, skipMergeValidation);
    checkMarketingPermissions(list, body);
    Member m = list.addMember(email, a.nextWebId(), status, now);
    apply(list, m, body, now);
    applyMarketingPermissions(m, body, now);
    applyTags(a, list, m, body);
    return m.render(list);
  }

  /** PUT /lists/{id}/members/{hash}: add or update; status_if_new applies to a new member only. */
  private ObjectNode putMember(Account a, Audience list, String hash, JsonNode body, boolean skipMergeValidation) {
    Member m = list.members.get(hash);
    Instant now = now();
    String email = Json.text(body, "email_address");
    if (m == null) {
      email = requireEmail(body);
      if (!Json.subscriberHash(email).equals(hash)) {
        throw ApiError.invalidField("email_address",
            "The email address does not match the subscriber hash in the URL.");
      }
      if (list.forgotten.contains(hash)) {
        throw ApiError.forgotten(email);
      }
      String statusIfNew = Json.text(body, "status_if_new");
      String status = statusIfNew != null ? statusIfNew : Json.text(body, "status");
      if (status == null) {
        throw ApiError.invalidField("status_if_new", "Required fields were not provided: status_if_new");
      }
      checkStatus(status, statusIfNew != null ? "status_if_new" : "status");
      checkBody(list, body, true, skipMergeValidation);
      checkMarketingPermissions(list, body);
      Member created = list.addMember(email, a.nextWebId(), status, now);
      apply(list, created, body, now);
      applyMarketingPermissions(created, body, now);
      return created.render(list);
    }
    if (email != null && !Json.subscriberHash(email).equals(m.hash)) {
      if (!Json.validEmail(email)) {
        throw ApiError.looksFake(email);
      }
      throw ApiError.invalidField("email_address",
          "The email address does not match the subscriber hash in the URL; use PATCH to change an address.");
    }
    checkUpdate(list, m, body, skipMergeValidation);
    return applyUpdate(list, m, body, now);
  }

  /** PATCH /lists/{id}/members/{hash}: update an existing member, possibly its address. */
  private ObjectNode patchMember(Audience list, String hash, JsonNode body, boolean skipMergeValidation) {
    Member m = existing(list, hash);
    Instant now = now();
    String email = Json.text(body, "email_address");
    String newHash = null;
    if (email != null && !Json.subscriberHash(email).equals(m.hash)) {
      if (!Json.validEmail(email)) {
        throw ApiError.looksFake(email);
      }
      newHash = Json.subscriberHash(email);
      if (list.members.containsKey(newHash)) {
        throw ApiError.memberExists(email.trim());
      }
      if (list.forgotten.contains(newHash)) {
        throw ApiError.forgotten(email.trim());
      }
    }
    // Everything is checked before the address changes, so a refused PATCH changes nothing.
    checkUpdate(list, m, body, skipMergeValidation);
    if (newHash != null) {
      list.members.remove(m.hash);
      for (Segment s : list.segments.values()) {
        if (s.members.remove(m.hash)) {
          s.members.add(newHash);
        }
      }
      m.email = email.trim();
      m.hash = newHash;
      m.lastChanged = now;
      list.members.put(newHash, m);
    }
    return applyUpdate(list, m, body, now);
  }

  /** The checks of an update of an existing member (PUT, PATCH): status, compliance, then the body. */
  private static void checkUpdate(Audience list, Member m, JsonNode body, boolean skipMergeValidation) {
    String status = Json.text(body, "status");
    if (status != null) {
      checkStatus(status, "status");
      if (m.refuses(status)) {
        throw ApiError.compliance(m.email);
      }
    }
    checkBody(list, body, false, skipMergeValidation);
    checkMarketingPermissions(list, body);
  }

  private static ObjectNode applyUpdate(Audience list, Member m, JsonNode body, Instant now) {
    String status = Json.text(body, "status");
    if (status != null) {
      list.changeStatus(m, status, now);
    }
    apply(list, m, body, now);
    applyMarketingPermissions(m, body, now);
    return m.render(list);
  }

  /**
   * {@code marketing_permissions} of a single member write (POST, PUT, PATCH member; the batch subscribe member of
   * the spec has no such field, so there it is ignored like any unknown field): an array of
   * {@code {marketing_permission_id, enabled}}, each id one of the audience's GDPR fields.
   */
  private static void checkMarketingPermissions(Audience list, JsonNode body) {
    JsonNode given = body.get("marketing_permissions");
    if (given == null || given.isNull()) {
      return;
    }
    if (!given.isArray()) {
      throw ApiError.invalidField("marketing_permissions", "Schema describes array, "
          + given.getNodeType().name().toLowerCase(Locale.ROOT) + " found instead");
    }
    for (JsonNode p : given) {
      String id = Json.text(p, "marketing_permission_id");
      if (id == null || id.isBlank()) {
        throw ApiError.invalidField("marketing_permissions.marketing_permission_id",
            "Required fields were not provided: marketing_permission_id");
      }
      JsonNode enabled = p.get("enabled");
      if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
        throw ApiError.invalidField("marketing_permissions.enabled", "Schema describes boolean");
      }
      if (!list.marketingPermissions.containsKey(id)) {
        throw ApiError.invalidField("marketing_permissions",
            list.marketingPermissions.isEmpty() ? "This audience does not have marketing permissions enabled."
                : "The marketing permission " + id + " does not exist in this audience.");
      }
    }
  }

  /** Stores the given permissions (checked); a change moves last_changed. */
  private static void applyMarketingPermissions(Member m, JsonNode body, Instant now) {
    JsonNode given = body.get("marketing_permissions");
    if (given == null || !given.isArray()) {
      return;
    }
    for (JsonNode p : given) {
      if (m.permissions == null) {
        m.permissions = new java.util.LinkedHashMap<>();
      }
      boolean enabled = p.path("enabled").asBoolean(false);
      Boolean before = m.permissions.put(Json.text(p, "marketing_permission_id"), enabled);
      if (before == null ? enabled : before != enabled) {
        m.lastChanged = now;
      }
    }
  }

  /**
   * Everything in a member body that can refuse it, checked before anything is written: field types,
   * the two timestamps, and the audience's required merge fields (unless skip_merge_validation=true).
   */
  private static void checkBody(Audience list, JsonNode body, boolean isNew, boolean skipMergeValidation) {
    validateFields(body);
    timestamp(body, "timestamp_signup");
    timestamp(body, "timestamp_opt");
    if (!skipMergeValidation) {
      checkRequiredMergeFields(list, body, isNew);
    }
    checkMergeFieldValues(list, body);
  }

  private static void validateFields(JsonNode body) {
    for (String f : new String[] {"merge_fields", "interests"}) {
      JsonNode v = body.get(f);
      if (v != null && !v.isNull() && !v.isObject()) {
        throw ApiError.invalidField(f, "Schema describes object, " + v.getNodeType().name().toLowerCase(Locale.ROOT)
            + " found instead");
      }
    }
  }

  /**
   * A client-given ISO 8601 date-time (with an offset, or UTC without one); null when absent or blank,
   * since Mailchimp itself writes "" for a timestamp it does not have.
   */
  private static Instant timestamp(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull() || v.isTextual() && v.asText().isBlank()) {
      return null;
    }
    Instant t = v.isTextual() ? Json.parseIso(v.asText().trim()) : null;
    if (t == null) {
      throw ApiError.invalidField(field,
          "Please provide an ISO 8601 date and time, like 2015-10-21T15:41:36+00:00.");
    }
    return t;
  }

  /**
   * POST /lists/{id}/merge-fields: name and type are required (the sandbox models text and date); the tag, when
   * given, is Mailchimp's: letters, digits and _, at most 10 characters, taken in capitals, not used yet in the
   * audience. Without one, Mailchimp names it MMERGE{n}.
   */
  private static MergeField addMergeField(Audience list, JsonNode body) {
    String name = Json.text(body, "name");
    String type = Json.text(body, "type");
    if (name == null || name.isBlank() || type == null) {
      throw ApiError.invalidField(name == null || name.isBlank() ? "name" : "type",
          "Required fields were not provided: " + (name == null || name.isBlank() ? "name" : "type"));
    }
    if (!MergeField.TYPES.contains(type)) {
      throw ApiError.invalidField("type", "The sandbox models text and date merge fields; " + type + " is not one of them.");
    }
    String given = Json.text(body, "tag");
    String tag = given == null || given.isBlank() ? "MMERGE" + (list.mergeFields.size() + 1)
        : given.trim().toUpperCase(Locale.ROOT);
    if (!tag.matches("[A-Z0-9_]+")) {
      throw ApiError.invalidField("tag", "Merge tags may contain letters, numbers and underscores only.");
    }
    if (tag.length() > MergeField.MAX_TAG_LENGTH) {
      throw ApiError.invalidField("tag", "Merge tags must be " + MergeField.MAX_TAG_LENGTH + " characters or fewer.");
    }
    if (list.mergeFields.containsKey(tag) || "EMAIL".equals(tag)) {
      throw ApiError.invalidResource("A Merge Field with the tag \"" + tag + "\" already exists for this list.");
    }
    String dateFormat = null;
    if (MergeField.DATE.equals(type)) {
      dateFormat = Json.text(body.path("options"), "date_format");
      if (dateFormat != null && !dateFormat.equals("MM/DD/YYYY") && !dateFormat.equals("DD/MM/YYYY")) {
        throw ApiError.invalidField("options.date_format", "Date format must be MM/DD/YYYY or DD/MM/YYYY.");
      }
    }
    MergeField field = list.addMergeField(tag, name.trim(), type, body.path("required").asBoolean(false), dateFormat);
    if (body.has("public")) {
      field.isPublic = body.path("public").asBoolean(true);
    }
    return field;
  }

  /**
   * Values Mailchimp cannot hold in a field's type are refused, whatever skip_merge_validation says (it only skips
   * the required check): a date field takes YYYY-MM-DD or its own date format.
   */
  private static void checkMergeFieldValues(Audience list, JsonNode body) {
    JsonNode given = body.path("merge_fields");
    if (!given.isObject()) {
      return;
    }
    ArrayNode errors = Json.arr();
    for (MergeField f : list.mergeFields.values()) {
      JsonNode v = given.get(f.tag);
      if (v != null && !v.isNull() && f.accept(v.asText("")) == null) {
        errors.addObject().put("field", f.tag).put("message", Messages.MERGE_FIELD_DATE);
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiError(400, "Invalid Resource", Messages.MERGE_FIELDS_INVALID, errors);
    }
  }

  /** The given merge fields as the member holds them: dates in YYYY-MM-DD. Checked before. */
  private static ObjectNode heldMergeFields(Audience list, ObjectNode given) {
    ObjectNode held = given.deepCopy();
    for (MergeField f : list.mergeFields.values()) {
      JsonNode v = held.get(f.tag);
      if (v != null && !v.isNull() && MergeField.DATE.equals(f.type)) {
        held.put(f.tag, f.accept(v.asText("")));
      }
    }
    return held;
  }

  /**
   * Required merge fields: a new member needs a non-blank value for each; an existing member keeps the
   * value it has, so it is refused only when this request blanks one. Answers as Mailchimp does.
   */
  private static void checkRequiredMergeFields(Audience list, JsonNode body, boolean isNew) {
    JsonNode given = body.path("merge_fields");
    ArrayNode errors = Json.arr();
    for (MergeField f : list.mergeFields.values()) {
      JsonNode v = given.get(f.tag);
      boolean blank = v == null || v.isNull() || v.asText("").isBlank();
      if (f.required && blank && (isNew || v != null)) {
        errors.addObject().put("field", f.tag).put("message", Messages.MERGE_FIELD_EMPTY);
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiError(400, "Invalid Resource", Messages.MERGE_FIELDS_INVALID, errors);
    }
  }

  /**
   * Copies the writable profile fields of a checked member body onto the member. last_changed moves when
   * a merge field value changes (status and address changes move it where they happen), not on tags.
   */
  private static void apply(Audience list, Member m, JsonNode body, Instant now) {
    JsonNode merge = body.get("merge_fields");
    if (merge != null && merge.isObject() && m.putMergeFields(heldMergeFields(list, (ObjectNode) merge))) {
      m.lastChanged = now;
    }
    JsonNode interests = body.get("interests");
    if (interests != null && interests.isObject()) {
      if (m.interests == null) {
        m.interests = Json.obj();
      }
      m.interests.setAll((ObjectNode) interests);
    }
    String emailType = Json.text(body, "email_type");
    if (emailType != null) {
      m.emailType = emailType;
    }
    String language = Json.text(body, "language");
    if (language != null) {
      m.language = language;
    }
    if (body.has("vip")) {
      m.vip = body.path("vip").asBoolean(false);
    }
    String ipSignup = Json.text(body, "ip_signup");
    if (ipSignup != null) {
      m.ipSignup = ipSignup;
    }
    String ipOpt = Json.text(body, "ip_opt");
    if (ipOpt != null) {
      m.ipOpt = ipOpt;
    }
    // Given timestamps win over the sandbox's clock (applied after any status change that set them).
    Instant signup = timestamp(body, "timestamp_signup");
    if (signup != null) {
      m.timestampSignup = signup;
    }
    Instant opt = timestamp(body, "timestamp_opt");
    if (opt != null) {
      m.timestampOpt = opt;
    }
  }

  /** {@code tags} of POST /lists/{id}/members (names, or {name} objects): each is a static segment. */
  private void applyTags(Account a, Audience list, Member m, JsonNode body) {
    JsonNode tags = body.get("tags");
    if (tags == null || !tags.isArray()) {
      return;
    }
    for (JsonNode t : tags) {
      String name = t.isTextual() ? t.asText() : Json.text(t, "name");
      if (name != null && !name.isBlank()) {
        Segment s = segmentFor(a, list, name.trim());
        if (s.members.add(m.hash)) {
          s.updatedAt = now();
        }
      }
    }
  }

  private static String requireEmail(JsonNode body) {
    String email = Json.text(body, "email_address");
    if (email == null) {
      throw ApiError.invalidField("email_address", "Required fields were not provided: email_address");
    }
    if (!Json.validEmail(email)) {
      throw ApiError.looksFake(email);
    }
    return email.trim();
  }

  private static String requireStatus(JsonNode body, String field) {
    String status = Json.text(body, field);
    if (status == null) {
      throw ApiError.invalidField(field, "Required fields were not provided: " + field);
    }
    checkStatus(status, field);
    return status;
  }

  private static void checkStatus(String status, String field) {
    if (!Member.WRITABLE_STATUSES.contains(status)) {
      throw ApiError.invalidField(field,
          "Value must be one of: subscribed, unsubscribed, cleaned, pending, transactional");
    }
  }

  private static Member existing(Audience list, String hash) {
    Member m = list.members.get(hash);
    if (m == null) {
      throw ApiError.notFound();
    }
    return m;
  }

  /** Mailchimp also accepts the address itself where a subscriber hash is expected. */
  private static String hashFromPath(String segment) {
    return segment.contains("@") ? Json.subscriberHash(segment) : segment.toLowerCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------- segments (tags)

  private Resp segments(Account a, Audience list, String method, List<String> path, Map<String, String> query,
      byte[] rawBody) {
    int n = path.size();
    if (n == 3) {
      switch (method) {
        case "GET" -> {
          Page page = Page.of(query);
          String type = query.get("type");
          ArrayNode items = Json.arr();
          int total = 0;
          for (Segment s : list.segments.values()) {
            if (type != null && !type.isEmpty() && !"static".equals(type)) {
              continue;
            }
            if (total >= page.offset && items.size() < page.count) {
              items.add(s.render(list));
            }
            total++;
          }
          ObjectNode out = Json.obj();
          out.set("segments", items);
          out.put("list_id", list.id);
          out.put("total_items", total);
          out.putArray("_links");
          return Resp.ok(out);
        }
        case "POST" -> {
          JsonNode body = body(rawBody);
          String name = Json.text(body, "name");
          if (name == null || name.isBlank()) {
            throw ApiError.invalidField("name", "Required fields were not provided: name");
          }
          if (list.segmentByName(name.trim()) != null) {
            throw ApiError.invalidResource("A segment or tag named \"" + name.trim() + "\" already exists in this list.");
          }
          JsonNode emails = body.get("static_segment");
          if (emails != null && !emails.isNull() && !emails.isArray()) {
            throw ApiError.invalidField("static_segment", "Schema describes array");
          }
          Segment s = new Segment(a.nextSegmentId(), name.trim(), now());
          if (emails != null && emails.isArray()) {
            for (JsonNode e : emails) {
              Member m = Json.validEmail(e.asText()) ? list.members.get(Json.subscriberHash(e.asText())) : null;
              if (m != null && !"archived".equals(m.status)) {
                s.members.add(m.hash);
              }
            }
          }
          list.segments.put(s.id, s);
          return Resp.ok(s.render(list));
        }
        default -> throw ApiError.methodNotAllowed();
      }
    }
    Segment segment;
    try {
      segment = list.segments.get(Integer.parseInt(path.get(3)));
    } catch (NumberFormatException e) {
      segment = null;
    }
    if (segment == null) {
      throw ApiError.notFound();
    }
    if (n == 4) {
      return switch (method) {
        case "GET" -> Resp.ok(segment.render(list));
        case "DELETE" -> {
          list.segments.remove(segment.id);
          yield Resp.noContent();
        }
        case "POST" -> Resp.ok(segmentBatch(list, segment, body(rawBody)));
        default -> throw ApiError.methodNotAllowed();
      };
    }
    if (n == 5 && "members".equals(path.get(4))) {
      only(method, "GET");
      Page page = Page.of(query);
      ArrayNode items = Json.arr();
      int total = 0;
      for (String h : segment.members) {
        Member m = list.members.get(h);
        if (m == null || "archived".equals(m.status)) {
          continue;
        }
        if (total >= page.offset && items.size() < page.count) {
          ObjectNode r = m.render(list);
          items.add(r);
        }
        total++;
      }
      ObjectNode out = Json.obj();
      out.set("members", items);
      out.put("total_items", total);
      out.putArray("_links");
      return Resp.ok(out);
    }
    throw ApiError.notFound();
  }

  /** POST /lists/{id}/segments/{segment_id}: add and remove members of a static segment. */
  private ObjectNode segmentBatch(Audience list, Segment segment, JsonNode body) {
    JsonNode add = body.get("members_to_add");
    JsonNode remove = body.get("members_to_remove");
    for (Map.Entry<String, JsonNode> e : Map.of("members_to_add", nullSafe(add), "members_to_remove",
        nullSafe(remove)).entrySet()) {
      if (!e.getValue().isArray()) {
        throw ApiError.invalidField(e.getKey(), "Schema describes array");
      }
      if (e.getValue().size() > MAX_BATCH) {
        throw ApiError.invalidField(e.getKey(),
            "At most " + MAX_BATCH + " addresses per call; this one has " + e.getValue().size() + ".");
      }
    }
    ArrayNode added = Json.arr();
    ArrayNode removed = Json.arr();
    List<String> notInList = new ArrayList<>();
    List<String> notInSegment = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode e : nullSafe(add)) {
      String email = e.asText();
      Member m = Json.validEmail(email) ? list.members.get(Json.subscriberHash(email)) : null;
      if (m == null || "archived".equals(m.status)) {
        notInList.add(email);
      } else if (seen.add("+" + m.hash) && segment.members.add(m.hash)) {
        added.add(m.render(list));
      }
    }
    for (JsonNode e : nullSafe(remove)) {
      String email = e.asText();
      Member m = Json.validEmail(email) ? list.members.get(Json.subscriberHash(email)) : null;
      if (m == null) {
        notInList.add(email);
      } else if (segment.members.remove(m.hash)) {
        removed.add(m.render(list));
      } else {
        notInSegment.add(email);
      }
    }
    if (!added.isEmpty() || !removed.isEmpty()) {
      segment.updatedAt = now();
    }
    ArrayNode errors = Json.arr();
    if (!notInList.isEmpty()) {
      ObjectNode err = errors.addObject();
      notInList.forEach(err.putArray("email_addresses")::add);
      err.put("error", "Email addresses are not members of this list");
    }
    if (!notInSegment.isEmpty()) {
      ObjectNode err = errors.addObject();
      notInSegment.forEach(err.putArray("email_addresses")::add);
      err.put("error", "Email addresses are not members of this segment");
    }
    ObjectNode out = Json.obj();
    out.set("members_added", added);
    out.set("members_removed", removed);
    out.set("errors", errors);
    out.put("total_added", added.size());
    out.put("total_removed", removed.size());
    out.put("error_count", notInList.size() + notInSegment.size());
    out.putArray("_links");
    return out;
  }

  private static JsonNode nullSafe(JsonNode n) {
    return n == null || n.isNull() ? Json.arr() : n;
  }

  private Segment segmentFor(Account a, Audience list, String name) {
    Segment s = list.segmentByName(name);
    if (s == null) {
      s = new Segment(a.nextSegmentId(), name, now());
      list.segments.put(s.id, s);
    }
    return s;
  }

  // ---------------------------------------------------------------- merge fields

  /** GET /lists/{id}/merge-fields[/{merge_id}]: read-only; definitions change through /_sandbox/lists. */
  private static Resp mergeFields(Audience list, String method, List<String> path, Map<String, String> query,
      byte[] rawBody) {
    int n = path.size();
    if (n == 3 && "POST".equals(method)) {
      return Resp.ok(addMergeField(list, body(rawBody)).render(list));
    }
    only(method, "GET");
    if (n == 3) {
      Page page = Page.of(query);
      ArrayNode items = Json.arr();
      int i = 0;
      for (MergeField f : list.mergeFields.values()) {
        if (i >= page.offset && items.size() < page.count) {
          items.add(f.render(list));
        }
        i++;
      }
      ObjectNode out = Json.obj();
      out.set("merge_fields", items);
      out.put("list_id", list.id);
      out.put("total_items", list.mergeFields.size());
      out.putArray("_links");
      return Resp.ok(out);
    }
    if (n == 4) {
      for (MergeField f : list.mergeFields.values()) {
        if (String.valueOf(f.mergeId).equals(path.get(3))) {
          return Resp.ok(f.render(list));
        }
      }
    }
    throw ApiError.notFound();
  }

  // ---------------------------------------------------------------- webhooks

  private Resp webhooks(Audience list, String method, List<String> path, byte[] rawBody) {
    int n = path.size();
    if (n == 3) {
      switch (method) {
        case "GET" -> {
          ArrayNode items = Json.arr();
          for (Webhook w : list.webhooks.values()) {
            items.add(w.render(list));
          }
          ObjectNode out = Json.obj();
          out.set("webhooks", items);
          out.put("list_id", list.id);
          out.put("total_items", items.size());
          out.putArray("_links");
          return Resp.ok(out);
        }
        case "POST" -> {
          JsonNode body = body(rawBody);
          String url = Json.text(body, "url");
          if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw ApiError.invalidField("url", url == null ? "Required fields were not provided: url"
                : "The URL must be a valid http(s) URL.");
          }
          Webhook w = new Webhook(Json.randomId(), url, body.get("events"), body.get("sources"));
          list.webhooks.put(w.id, w);
          return Resp.ok(w.render(list));
        }
        default -> throw ApiError.methodNotAllowed();
      }
    }
    if (n == 4) {
      Webhook w = list.webhooks.get(path.get(3));
      if (w == null) {
        throw ApiError.notFound();
      }
      return switch (method) {
        case "GET" -> Resp.ok(w.render(list));
        case "DELETE" -> {
          list.webhooks.remove(w.id);
          yield Resp.noContent();
        }
        default -> throw ApiError.methodNotAllowed();
      };
    }
    throw ApiError.notFound();
  }

  // ---------------------------------------------------------------- campaigns

  private Resp campaigns(Account a, String method, List<String> path, Map<String, String> query) {
    int n = path.size();
    if (n == 1) {
      only(method, "GET");
      Page page = Page.of(query);
      Set<String> statuses = new HashSet<>();
      String statusFilter = query.get("status");
      if (statusFilter != null && !statusFilter.isEmpty()) {
        statuses.addAll(List.of(statusFilter.split(",")));
      }
      String listFilter = query.get("list_id");
      String typeFilter = query.get("type");
      List<Campaign> all = new ArrayList<>();
      for (Campaign c : a.campaigns.values()) {
        if ((statuses.isEmpty() || statuses.contains(c.status))
            && (listFilter == null || listFilter.isEmpty() || listFilter.equals(c.listId))
            && (typeFilter == null || typeFilter.isEmpty() || typeFilter.equals(c.type))) {
          all.add(c);
        }
      }
      // Ties (the same second) in creation order, so pages never overlap.
      Comparator<Campaign> order = ("send_time".equals(query.get("sort_field"))
          ? Comparator.comparing((Campaign c) -> c.sendTime, Comparator.nullsFirst(Comparator.naturalOrder()))
          : Comparator.comparing((Campaign c) -> c.createTime))
          .thenComparingLong(c -> c.webId);
      if ("DESC".equalsIgnoreCase(query.get("sort_dir"))) {
        order = order.reversed();
      }
      all.sort(order);
      ArrayNode items = Json.arr();
      for (int i = page.offset; i < all.size() && items.size() < page.count; i++) {
        items.add(all.get(i).render(a));
      }
      ObjectNode out = Json.obj();
      out.set("campaigns", items);
      out.put("total_items", all.size());
      out.putArray("_links");
      return Resp.ok(out);
    }
    if (n == 2) {
      Campaign c = a.campaigns.get(path.get(1));
      if (c == null) {
        throw ApiError.notFound();
      }
      return switch (method) {
        case "GET" -> Resp.ok(c.render(a));
        case "DELETE" -> {
          a.campaigns.remove(c.id);
          yield Resp.noContent();
        }
        default -> throw ApiError.methodNotAllowed();
      };
    }
    throw ApiError.notFound();
  }

  // ---------------------------------------------------------------- helpers

  private Instant now() {
    return clock.instant();
  }

  /** The skip_merge_validation query parameter (batch subscribe and the member writes). */
  private static boolean skipMergeValidation(Map<String, String> query) {
    return "true".equalsIgnoreCase(query.get("skip_merge_validation"));
  }

  private static void only(String method, String allowed) {
    if (!allowed.equals(method)) {
      throw ApiError.methodNotAllowed();
    }
  }

  private static JsonNode body(byte[] raw) {
    JsonNode node;
    try {
      node = Json.parse(raw);
    } catch (java.io.IOException e) {
      throw ApiError.badRequest("We encountered an unspecified JSON parsing error.");
    }
    if (!node.isObject()) {
      throw ApiError.badRequest("The request body must be a JSON object.");
    }
    return node;
  }

  /** count/offset pagination as Mailchimp does it (count defaults to 10, at most 1000). */
  record Page(int count, int offset) {
    static Page of(Map<String, String> query) {
      int count = parse(query, "count", 10);
      int offset = parse(query, "offset", 0);
      if (count < 0 || offset < 0) {
        throw ApiError.badRequest("count and offset must not be negative.");
      }
      if (count > MAX_COUNT) {
        throw ApiError.badRequest("count must be " + MAX_COUNT + " or less.");
      }
      return new Page(count, offset);
    }

    private static int parse(Map<String, String> query, String name, int dflt) {
      String v = query.get(name);
      if (v == null || v.isEmpty()) {
        return dflt;
      }
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw ApiError.badRequest(name + " must be an integer.");
      }
    }
  }

}
