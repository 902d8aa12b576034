package com.hrplatform.mailchimp.campaign;

/**
 * api.md's Campaign. {@code id} is the Mailchimp campaign id: a campaign is tracked at most once per org,
 * so org + Mailchimp id is the record's identity, and the dashboard can link either way. Rates and
 * unique counts are null until Mailchimp has a report (a draft has none).
 */
public record CampaignView(String id, String mailchimpCampaignId, String title, String subjectLine, String listId,
                           CampaignStatus status, String sendTime, long emailsSent, Double openRate,
                           Double clickRate, Long uniqueOpens, Long uniqueClicks, String lastRefreshedAt,
                           String createdAt) {
}
