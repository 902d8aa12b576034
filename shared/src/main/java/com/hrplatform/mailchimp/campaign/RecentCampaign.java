package com.hrplatform.mailchimp.campaign;

/**
 * A campaign of the connected Mailchimp account, offered to pick from when tracking one ({@code tracked}: the org
 * already tracks it).
 */
public record RecentCampaign(String mailchimpCampaignId, String title, String subjectLine, String listId,
                             CampaignStatus status, String sendTime, boolean tracked) {
}
