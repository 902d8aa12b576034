package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** One list member. Mutated only while holding the owning account's lock. */
final class Member {
  /** Statuses a client may write. "archived" is reached with DELETE (or POST /_sandbox/members) only. */
  static final Set<String> WRITABLE_STATUSES = Set.of("subscribed", "unsubscribed", "cleaned", "pending", "transactional");
  /** Every status a member can be in (the enum of GET .../members?status=). */
  static final Set<String> STATUSES = Set.of("subscribed", "unsubscribed", "cleaned", "pending", "transactional",
      "archived");
  /** unsubscribe_reason of an unsubscribe through the API. */
  static final String UNSUBSCRIBED_BY_ADMIN = "N/A (Unsubscribed by an admin)";
  /** unsubscribe_reason of a person's own unsubscribe (the control endpoint's default). */
  static final String UNSUBSCRIBED_BY_CONTACT = "N/A (Unsubscribed by the contact)";

  String email;
  String hash;
  String status;
  /** The status a member had when archived; compliance rules keep applying to it. */
  String statusBeforeArchive;
  final long webId;
  ObjectNode mergeFields = Json.obj();
  /** Null until a client sets interests (saves memory in 100k-member audiences). */
  ObjectNode interests;
  /** Marketing permission id -> enabled, for the ones a write gave; null until one does. Absent means disabled. */
  java.util.LinkedHashMap<String, Boolean> permissions;
  String emailType = "html";
  String language = "";
  boolean vip;
  String ipSignup = "";
  String ipOpt = "";
  Instant timestampSignup;
  Instant timestampOpt;
  Instant lastChanged;
  String source = "API - Generic";
  String unsubscribeReason;

  Member(String email, long webId, Instant now) {
    this.email = email.trim();
    this.hash = Json.subscriberHash(email);
    this.webId = webId;
    this.lastChanged = now;
  }

  /** The status compliance rules look at: an archived member keeps the state it was archived in. */
  String effectiveStatus() {
    return "archived".equals(status) && statusBeforeArchive != null ? statusBeforeArchive : status;
  }

  /**
   * Mailchimp's compliance rule: an unsubscribed or cleaned contact cannot be put back to subscribed by
   * the API (a cleaned one not even to pending). Returns true when the change is refused.
   */
  boolean refuses(String newStatus) {
    String current = effectiveStatus();
    if ("subscribed".equals(newStatus)) {
      return "unsubscribed".equals(current) || "cleaned".equals(current);
    }
    if ("pending".equals(newStatus)) {
      return "cleaned".equals(current);
    }
    return false;
  }

  void setStatus(String newStatus, Instant now) {
    if (newStatus.equals(status)) {
      return;
    }
    if ("archived".equals(newStatus)) {
      statusBeforeArchive = status;
    } else {
      statusBeforeArchive = null;
    }
    status = newStatus;
    lastChanged = now;
    if ("subscribed".equals(newStatus)) {
      // Becoming subscribed is an opt-in: timestamp_opt is when the subscriber confirmed it.
      timestampOpt = now;
    }
    unsubscribeReason = "unsubscribed".equals(newStatus) ? UNSUBSCRIBED_BY_ADMIN : null;
  }

  /** Stores the given merge field values; true when any value actually changed (that moves last_changed). */
  boolean putMergeFields(ObjectNode given) {
    boolean changed = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().equals(mergeFields.get(e.getKey()))) {
        mergeFields.set(e.getKey(), e.getValue());
        changed = true;
      }
    }
    return changed;
  }

  String fullName() {
    String first = mergeFields.path("FNAME").asText("");
    String last = mergeFields.path("LNAME").asText("");
    return (first + " " + last).trim();
  }

  ObjectNode render(Audience list) {
    ObjectNode n = Json.obj();
    n.put("id", hash);
    n.put("email_address", email);
    String idSeed = Json.md5("member|" + webId);
    n.put("unique_email_id", idSeed.substring(0, 10));
    n.put("contact_id", idSeed);
    n.put("full_name", fullName());
    n.put("web_id", webId);
    n.put("email_type", emailType);
    n.put("status", status);
    if (unsubscribeReason != null) {
      n.put("unsubscribe_reason", unsubscribeReason);
    }
    n.put("consents_to_one_to_one_messaging", true);
    n.set("merge_fields", mergeFields.deepCopy());
    n.set("interests", interests == null ? Json.obj() : interests.deepCopy());
    if (!list.marketingPermissions.isEmpty()) {
      // Only audiences with GDPR fields list them; every one of the audience's, disabled unless given.
      ArrayNode granted = n.putArray("marketing_permissions");
      list.marketingPermissions.forEach((id, text) -> granted.addObject().put("marketing_permission_id", id)
          .put("text", text).put("enabled", permissions != null && Boolean.TRUE.equals(permissions.get(id))));
    }
    ObjectNode stats = n.putObject("stats");
    stats.put("avg_open_rate", 0);
    stats.put("avg_click_rate", 0);
    n.put("ip_signup", ipSignup);
    n.put("timestamp_signup", Json.ts(timestampSignup));
    n.put("ip_opt", ipOpt);
    n.put("timestamp_opt", Json.ts(timestampOpt));
    n.put("member_rating", 2);
    n.put("last_changed", Json.ts(lastChanged));
    n.put("language", language);
    n.put("vip", vip);
    n.put("email_client", "");
    ObjectNode location = n.putObject("location");
    location.put("latitude", 0);
    location.put("longitude", 0);
    location.put("gmtoff", 0);
    location.put("dstoff", 0);
    location.put("country_code", "");
    location.put("timezone", "");
    location.put("region", "");
    n.put("source", source);
    ArrayNode tags = Json.arr();
    for (Segment s : list.segments.values()) {
      if (s.members.contains(hash)) {
        tags.addObject().put("id", s.id).put("name", s.name);
      }
    }
    n.put("tags_count", tags.size());
    n.set("tags", tags);
    n.put("list_id", list.id);
    return n;
  }
}
