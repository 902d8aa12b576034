package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.concurrent.Semaphore;

/**
 * One Mailchimp account, reached with one API key. Every read and write of its data happens while
 * holding this object's monitor ({@code synchronized (account)}); the in-flight permit is separate.
 */
final class Account {
  static final int MAX_IN_FLIGHT = 10;

  final String apiKey;
  final String accountId;
  final String loginId;
  final String accountName;
  final String email;
  final Instant memberSince;
  final LinkedHashMap<String, Audience> lists = new LinkedHashMap<>();
  final LinkedHashMap<String, Campaign> campaigns = new LinkedHashMap<>();
  final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  /** The most requests of this key in flight at once since the account was made or its peak was reset. */
  final java.util.concurrent.atomic.AtomicInteger peakInFlight = new java.util.concurrent.atomic.AtomicInteger();
  private long nextWebId = 100_001;
  private int nextSegmentId = 10_001;

  Account(String apiKey, String accountName, Instant now) {
    this.apiKey = apiKey;
    this.accountName = accountName;
    this.accountId = Json.md5("account|" + apiKey).substring(0, 25);
    this.loginId = Json.md5("login|" + apiKey).substring(0, 9);
    this.email = "owner+" + loginId + "@example.com";
    this.memberSince = now;
  }

  long nextWebId() {
    return nextWebId++;
  }

  int nextSegmentId() {
    return nextSegmentId++;
  }

  ObjectNode renderRoot() {
    int subscribers = 0;
    for (Audience l : lists.values()) {
      for (Member m : l.members.values()) {
        if ("subscribed".equals(m.status)) {
          subscribers++;
        }
      }
    }
    ObjectNode n = Json.obj();
    n.put("account_id", accountId);
    n.put("login_id", loginId);
    n.put("account_name", accountName);
    n.put("email", email);
    n.put("first_name", "Sandbox");
    n.put("last_name", "Owner");
    n.put("username", "sandbox-" + loginId);
    n.put("avatar_url", "");
    n.put("role", "owner");
    n.put("member_since", Json.ts(memberSince));
    n.put("pricing_plan_type", "monthly");
    n.put("first_payment", Json.ts(memberSince));
    n.put("account_timezone", "UTC");
    n.put("account_industry", "Human Resources");
    ObjectNode contact = n.putObject("contact");
    contact.put("company", accountName);
    contact.put("addr1", "1 Sandbox Way");
    contact.put("addr2", "");
    contact.put("city", "Atlanta");
    contact.put("state", "GA");
    contact.put("zip", "30308");
    contact.put("country", "US");
    n.put("pro_enabled", false);
    n.put("last_login", Json.ts(memberSince));
    n.put("total_subscribers", subscribers);
    ObjectNode industry = n.putObject("industry_stats");
    industry.put("open_rate", 0.21);
    industry.put("bounce_rate", 0.01);
    industry.put("click_rate", 0.025);
    n.putArray("_links");
    return n;
  }

  /** The summary the control API answers for an account (camelCase, like the control API's input). */
  ObjectNode renderSummary() {
    ObjectNode n = Json.obj();
    n.put("apiKey", apiKey);
    n.put("accountId", accountId);
    n.put("accountName", accountName);
    ArrayNode ls = n.putArray("lists");
    for (Audience l : lists.values()) {
      int subscribed = 0;
      for (Member m : l.members.values()) {
        if ("subscribed".equals(m.status)) {
          subscribed++;
        }
      }
      ls.addObject().put("id", l.id).put("name", l.name).put("memberCount", subscribed)
          .put("totalContacts", l.members.size());
    }
    ArrayNode cs = n.putArray("campaigns");
    for (Campaign c : campaigns.values()) {
      cs.addObject().put("id", c.id).put("status", c.status).put("title", c.title).put("listId", c.listId);
    }
    return n;
  }
}
