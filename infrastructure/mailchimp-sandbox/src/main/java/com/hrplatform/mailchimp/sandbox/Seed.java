package com.hrplatform.mailchimp.sandbox;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The seeded content of an account. Ids are derived from the API key, so the default account's
 * audiences and campaigns keep the same ids across restarts.
 */
final class Seed {
  static final String DEFAULT_ACCOUNT_NAME = "Acme People Ops (sandbox)";

  private Seed() {}

  static void populate(Account a, Instant now) {
    Instant created = now.minus(400, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS);
    Audience employees = list(a, "Employees", created);
    Audience vendors = list(a, "Vendors & Contractors", created.plus(1, ChronoUnit.DAYS));

    member(employees, a, "ava.johnson@example.com", "Ava", "Johnson", "subscribed", created);
    member(employees, a, "ben.okafor@example.com", "Ben", "Okafor", "subscribed", created);
    member(employees, a, "chloe.martin@example.com", "Chloe", "Martin", "subscribed", created);
    member(employees, a, "dan.optout@example.com", "Dan", "Optout", "unsubscribed", created);
    member(employees, a, "erin.bounce@example.com", "Erin", "Bounce", "cleaned", created);
    member(vendors, a, "vendor.contact@example.org", "Vera", "Vendor", "subscribed", created);

    Campaign sent = campaign(a, "May Benefits Update", "Your benefits for the year ahead", "sent", employees,
        created.plus(300, ChronoUnit.DAYS));
    sent.sendTime = Json.ts(created.plus(301, ChronoUnit.DAYS));
    sent.emailsSent = 3;
    sent.uniqueOpens = 2;
    sent.openRate = 0.6666666666666666;
    sent.uniqueClicks = 1;
    sent.clickRate = 0.3333333333333333;

    campaign(a, "Q3 Town Hall (draft)", "Join us for the Q3 town hall", "save", employees,
        created.plus(310, ChronoUnit.DAYS));

    Campaign scheduled = campaign(a, "Open Enrollment Reminder", "Open enrollment closes soon", "schedule",
        employees, created.plus(320, ChronoUnit.DAYS));
    scheduled.sendTime = Json.ts(now.plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS));

    campaign(a, "Vendor Survey", "Tell us how we are doing", "canceled", vendors, created.plus(330, ChronoUnit.DAYS));
  }

  private static Audience list(Account a, String name, Instant created) {
    Audience l = new Audience(Json.stableId(a.apiKey + "|list|" + name), a.nextWebId(), name, a.accountName, created);
    a.lists.put(l.id, l);
    return l;
  }

  private static void member(Audience l, Account a, String email, String first, String last, String status,
      Instant at) {
    Member m = new Member(email, a.nextWebId(), at);
    m.mergeFields.put("FNAME", first);
    m.mergeFields.put("LNAME", last);
    m.timestampSignup = at;
    m.status = "subscribed";
    m.timestampOpt = at;
    m.setStatus(status, at);
    if ("unsubscribed".equals(status)) {
      m.unsubscribeReason = "I no longer want to receive these emails";
      l.lastUnsubDate = at;
    } else {
      l.lastSubDate = at;
    }
    l.members.put(m.hash, m);
  }

  private static Campaign campaign(Account a, String title, String subject, String status, Audience list,
      Instant created) {
    Campaign c = new Campaign(Json.stableId(a.apiKey + "|campaign|" + title), a.nextWebId(), created);
    c.title = title;
    c.subjectLine = subject;
    c.status = status;
    c.listId = list.id;
    a.campaigns.put(c.id, c);
    return c;
  }
}
