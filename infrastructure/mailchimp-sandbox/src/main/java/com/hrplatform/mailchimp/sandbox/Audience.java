package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;

/** A Mailchimp list ("audience"). Mutated only while holding the owning account's lock. */
final class Audience {
  final String id;
  final long webId;
  String name;
  final Instant dateCreated;
  final String companyName;
  /** subscriber hash -> member, in insertion order (the order GET .../members pages through). */
  final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
  /** Hashes of permanently deleted addresses: they can never be re-added to this list. */
  final Set<String> forgotten = new HashSet<>();
  final LinkedHashMap<Integer, Segment> segments = new LinkedHashMap<>();
  final LinkedHashMap<String, Webhook> webhooks = new LinkedHashMap<>();
  /** Merge tag -> definition; Mailchimp gives a new audience FNAME and LNAME, text and optional. */
  final LinkedHashMap<String, MergeField> mergeFields = new LinkedHashMap<>();
  /**
   * GDPR fields: marketing permission id -> its text, in the order Mailchimp shows them. Empty: the audience has
   * none ({@code marketing_permissions: false}). Set through /_sandbox/lists/{id}/marketing-permissions.
   */
  final LinkedHashMap<String, String> marketingPermissions = new LinkedHashMap<>();
  Instant lastSubDate;
  Instant lastUnsubDate;

  Audience(String id, long webId, String name, String companyName, Instant now) {
    this.id = id;
    this.webId = webId;
    this.name = name;
    this.companyName = companyName;
    this.dateCreated = now;
    putMergeField("FNAME", "First Name", false);
    putMergeField("LNAME", "Last Name", false);
  }

  /** Adds a new merge field (POST /lists/{id}/merge-fields); the caller checked the tag is free. */
  MergeField addMergeField(String tag, String fieldName, String type, boolean required, String dateFormat) {
    MergeField f = new MergeField(mergeFields.size() + 1, tag, fieldName, type, required, dateFormat);
    mergeFields.put(tag, f);
    return f;
  }

  /** Creates the field (text) if absent, else changes whether it is required. */
  MergeField putMergeField(String tag, String fieldName, boolean required) {
    MergeField f = mergeFields.get(tag);
    if (f == null) {
      f = new MergeField(mergeFields.size() + 1, tag, fieldName, required);
      mergeFields.put(tag, f);
    }
    f.required = required;
    return f;
  }

  /**
   * Moves a member to a status, keeping the list's last subscribe/unsubscribe dates in step: every path
   * that changes a status (API or control) goes through here.
   */
  void changeStatus(Member m, String status, Instant now) {
    m.setStatus(status, now);
    if ("subscribed".equals(status)) {
      lastSubDate = now;
    } else if ("unsubscribed".equals(status)) {
      lastUnsubDate = now;
    }
  }

  /** Adds a new member with its signup (and, when subscribed, opt-in) time set to now. */
  Member addMember(String email, long memberWebId, String status, Instant now) {
    Member m = new Member(email, memberWebId, now);
    m.status = status;
    m.timestampSignup = now;
    if ("subscribed".equals(status)) {
      m.timestampOpt = now;
      lastSubDate = now;
    } else if ("unsubscribed".equals(status)) {
      lastUnsubDate = now;
    }
    members.put(m.hash, m);
    return m;
  }

  /**
   * Replaces the audience's GDPR fields with these texts. Ids are 10 hex characters, stable per audience and text
   * (another audience's "Email" has another id, as in Mailchimp); members keep what they gave for ids that remain.
   */
  void setMarketingPermissions(java.util.List<String> texts) {
    marketingPermissions.clear();
    for (String text : texts) {
      marketingPermissions.put(Json.md5("permission|" + id + "|" + text).substring(0, 10), text);
    }
    for (Member m : members.values()) {
      if (m.permissions != null) {
        m.permissions.keySet().retainAll(marketingPermissions.keySet());
      }
    }
  }

  Segment segmentByName(String segmentName) {
    for (Segment s : segments.values()) {
      if (s.name.equalsIgnoreCase(segmentName)) {
        return s;
      }
    }
    return null;
  }

  ObjectNode render(Account account) {
    int subscribed = 0;
    int unsubscribed = 0;
    int cleaned = 0;
    int total = 0;
    for (Member m : members.values()) {
      switch (m.status) {
        case "subscribed" -> subscribed++;
        case "unsubscribed" -> unsubscribed++;
        case "cleaned" -> cleaned++;
        default -> { }
      }
      if (!"archived".equals(m.status)) {
        total++;
      }
    }
    int campaignCount = 0;
    Instant lastSent = null;
    for (Campaign c : account.campaigns.values()) {
      if (id.equals(c.listId) && "sent".equals(c.status)) {
        campaignCount++;
        Instant t = Json.parseTs(c.sendTime);
        if (t != null && (lastSent == null || t.isAfter(lastSent))) {
          lastSent = t;
        }
      }
    }
    ObjectNode n = Json.obj();
    n.put("id", id);
    n.put("web_id", webId);
    n.put("name", name);
    ObjectNode contact = n.putObject("contact");
    contact.put("company", companyName);
    contact.put("address1", "1 Sandbox Way");
    contact.put("address2", "");
    contact.put("city", "Atlanta");
    contact.put("state", "GA");
    contact.put("zip", "30308");
    contact.put("country", "US");
    contact.put("phone", "");
    n.put("permission_reminder", "You are receiving this email because you work with " + companyName + ".");
    n.put("use_archive_bar", false);
    ObjectNode defaults = n.putObject("campaign_defaults");
    defaults.put("from_name", companyName);
    defaults.put("from_email", "hr@" + "example.com");
    defaults.put("subject", "");
    defaults.put("language", "en");
    n.put("notify_on_subscribe", "");
    n.put("notify_on_unsubscribe", "");
    n.put("date_created", Json.ts(dateCreated));
    n.put("list_rating", 0);
    n.put("email_type_option", false);
    n.put("subscribe_url_short", "http://eepurl.com/sandbox" + webId);
    n.put("subscribe_url_long", "https://example.us1.list-manage.com/subscribe?u=" + account.accountId + "&id=" + id);
    n.put("beamer_address", "us1-" + id + "@inbound.mailchimp.com");
    n.put("visibility", "prv");
    n.put("double_optin", false);
    n.put("has_welcome", false);
    n.put("marketing_permissions", !marketingPermissions.isEmpty());
    n.putArray("modules");
    ObjectNode stats = n.putObject("stats");
    stats.put("member_count", subscribed);
    stats.put("total_contacts", total);
    stats.put("unsubscribe_count", unsubscribed);
    stats.put("cleaned_count", cleaned);
    stats.put("member_count_since_send", subscribed);
    stats.put("unsubscribe_count_since_send", unsubscribed);
    stats.put("cleaned_count_since_send", cleaned);
    stats.put("campaign_count", campaignCount);
    stats.put("campaign_last_sent", Json.ts(lastSent));
    stats.put("merge_field_count", mergeFields.size());
    stats.put("avg_sub_rate", 0);
    stats.put("avg_unsub_rate", 0);
    stats.put("target_sub_rate", 0);
    stats.put("open_rate", 0);
    stats.put("click_rate", 0);
    stats.put("last_sub_date", Json.ts(lastSubDate));
    stats.put("last_unsub_date", Json.ts(lastUnsubDate));
    return n;
  }
}
