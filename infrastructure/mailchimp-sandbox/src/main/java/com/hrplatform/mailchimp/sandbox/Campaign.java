package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Set;

/** A campaign as GET /campaigns lists it, with the report numbers the sandbox serves for it. */
final class Campaign {
  static final Set<String> STATUSES =
      Set.of("save", "paused", "schedule", "sending", "sent", "canceled", "canceling", "archived");

  final String id;
  final long webId;
  final Instant createTime;
  String type = "regular";
  String status;
  String listId;
  String title;
  String subjectLine;
  String previewText = "";
  /** "" until the campaign is scheduled or sent, as Mailchimp answers. */
  String sendTime = "";
  long emailsSent;
  int uniqueOpens;
  double openRate;
  int uniqueClicks;
  double clickRate;

  Campaign(String id, long webId, Instant createTime) {
    this.id = id;
    this.webId = webId;
    this.createTime = createTime;
  }

  /** A campaign that has (started) sending has a report; one never sent answers 404. */
  boolean hasReport() {
    return "sent".equals(status) || "sending".equals(status)
        || (("canceled".equals(status) || "canceling".equals(status) || "archived".equals(status)) && emailsSent > 0);
  }

  int opensTotal() {
    return uniqueOpens + uniqueOpens / 2;
  }

  int clicksTotal() {
    return uniqueClicks + uniqueClicks / 2;
  }

  ObjectNode render(Account account) {
    Audience list = account.lists.get(listId);
    ObjectNode n = Json.obj();
    n.put("id", id);
    n.put("web_id", webId);
    n.put("type", type);
    n.put("create_time", Json.ts(createTime));
    n.put("archive_url", "http://eepurl.com/sandbox-c" + webId);
    n.put("long_archive_url", "https://us1.campaign-archive.com/?u=" + account.accountId + "&id=" + id);
    n.put("status", status);
    n.put("emails_sent", emailsSent);
    n.put("send_time", sendTime);
    n.put("content_type", "template");
    n.put("needs_block_refresh", false);
    n.put("resendable", false);
    ObjectNode recipients = n.putObject("recipients");
    recipients.put("list_id", listId == null ? "" : listId);
    recipients.put("list_is_active", list != null);
    recipients.put("list_name", list == null ? "" : list.name);
    recipients.put("segment_text", "");
    recipients.put("recipient_count", list == null ? 0 : countSubscribed(list));
    ObjectNode settings = n.putObject("settings");
    settings.put("subject_line", subjectLine == null ? "" : subjectLine);
    settings.put("preview_text", previewText);
    settings.put("title", title == null ? "" : title);
    settings.put("from_name", account.accountName);
    settings.put("reply_to", account.email);
    settings.put("use_conversation", false);
    settings.put("to_name", "");
    settings.put("folder_id", "");
    settings.put("authenticate", true);
    settings.put("auto_footer", false);
    settings.put("inline_css", false);
    settings.put("auto_tweet", false);
    settings.put("fb_comments", true);
    settings.put("timewarp", false);
    settings.put("template_id", 0);
    settings.put("drag_and_drop", true);
    ObjectNode tracking = n.putObject("tracking");
    tracking.put("opens", true);
    tracking.put("html_clicks", true);
    tracking.put("text_clicks", false);
    tracking.put("goal_tracking", false);
    tracking.put("ecomm360", false);
    tracking.put("google_analytics", "");
    tracking.put("clicktale", "");
    ObjectNode delivery = n.putObject("delivery_status");
    delivery.put("enabled", false);
    if (hasReport()) {
      ObjectNode summary = n.putObject("report_summary");
      summary.put("opens", opensTotal());
      summary.put("unique_opens", uniqueOpens);
      summary.put("open_rate", openRate);
      summary.put("clicks", clicksTotal());
      summary.put("subscriber_clicks", uniqueClicks);
      summary.put("click_rate", clickRate);
      ObjectNode ecommerce = summary.putObject("ecommerce");
      ecommerce.put("total_orders", 0);
      ecommerce.put("total_spent", 0);
      ecommerce.put("total_revenue", 0);
    }
    return n;
  }

  ObjectNode renderReport(Account account) {
    Audience list = account.lists.get(listId);
    ObjectNode n = Json.obj();
    n.put("id", id);
    n.put("campaign_title", title == null ? "" : title);
    n.put("type", type);
    n.put("list_id", listId == null ? "" : listId);
    n.put("list_is_active", list != null);
    n.put("list_name", list == null ? "" : list.name);
    n.put("subject_line", subjectLine == null ? "" : subjectLine);
    n.put("preview_text", previewText);
    n.put("emails_sent", emailsSent);
    n.put("abuse_reports", 0);
    n.put("unsubscribed", 0);
    n.put("send_time", sendTime);
    n.put("rss_last_send", "");
    ObjectNode bounces = n.putObject("bounces");
    bounces.put("hard_bounces", 0);
    bounces.put("soft_bounces", 0);
    bounces.put("syntax_errors", 0);
    ObjectNode forwards = n.putObject("forwards");
    forwards.put("forwards_count", 0);
    forwards.put("forwards_opens", 0);
    ObjectNode opens = n.putObject("opens");
    opens.put("opens_total", opensTotal());
    opens.put("proxy_excluded_opens", opensTotal());
    opens.put("unique_opens", uniqueOpens);
    opens.put("proxy_excluded_unique_opens", uniqueOpens);
    opens.put("open_rate", openRate);
    opens.put("proxy_excluded_open_rate", openRate);
    opens.put("last_open", uniqueOpens > 0 ? sendTime : "");
    ObjectNode clicks = n.putObject("clicks");
    clicks.put("clicks_total", clicksTotal());
    clicks.put("unique_clicks", uniqueClicks);
    clicks.put("unique_subscriber_clicks", uniqueClicks);
    clicks.put("click_rate", clickRate);
    clicks.put("last_click", uniqueClicks > 0 ? sendTime : "");
    ObjectNode fb = n.putObject("facebook_likes");
    fb.put("recipient_likes", 0);
    fb.put("unique_likes", 0);
    fb.put("facebook_likes", 0);
    ObjectNode industry = n.putObject("industry_stats");
    industry.put("type", "Human Resources");
    industry.put("open_rate", 0.21);
    industry.put("click_rate", 0.025);
    industry.put("bounce_rate", 0.01);
    industry.put("unopen_rate", 0.79);
    industry.put("unsub_rate", 0.002);
    industry.put("abuse_rate", 0.0001);
    ObjectNode listStats = n.putObject("list_stats");
    listStats.put("sub_rate", 0);
    listStats.put("unsub_rate", 0);
    listStats.put("open_rate", openRate);
    listStats.put("proxy_excluded_open_rate", openRate);
    listStats.put("click_rate", clickRate);
    ObjectNode ecommerce = n.putObject("ecommerce");
    ecommerce.put("total_orders", 0);
    ecommerce.put("total_spent", 0);
    ecommerce.put("total_revenue", 0);
    ecommerce.put("currency_code", "USD");
    ObjectNode delivery = n.putObject("delivery_status");
    delivery.put("enabled", false);
    n.putArray("timeseries");
    return n;
  }

  private static int countSubscribed(Audience list) {
    int n = 0;
    for (Member m : list.members.values()) {
      if ("subscribed".equals(m.status)) {
        n++;
      }
    }
    return n;
  }
}
