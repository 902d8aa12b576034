package com.hrplatform.mailchimp.campaign;

/**
 * A tracked campaign as stored, keyed by {@code orgId} and the Mailchimp campaign id. Beyond what the API
 * shows it keeps Mailchimp's raw status, the last refresh failure, whether Mailchimp deleted the campaign,
 * and whether it is still due for refreshing ({@code refreshDue}, the sparse index's key).
 */
public record StoredCampaign(String orgId, String campaignId, String title, String subjectLine, String listId,
                             String mailchimpStatus, CampaignStatus status, String sendTime, long emailsSent,
                             Double openRate, Double clickRate, Long uniqueOpens, Long uniqueClicks,
                             String lastRefreshedAt, String createdAt, String trackedBy,
                             String lastRefreshError, String lastRefreshErrorAt, String deletedInMailchimpAt,
                             boolean refreshDue) {

    public static StoredCampaign tracked(String orgId, MailchimpCampaign snapshot, String now, String trackedBy,
                                         boolean refreshDue) {
        return new StoredCampaign(orgId, snapshot.id(), null, null, null, null, null, null, 0, null, null, null, null,
                null, now, trackedBy, null, null, null, false).refreshed(snapshot, now, refreshDue);
    }

    /** This record with Mailchimp's current data; a refresh that succeeds clears the last error. */
    public StoredCampaign refreshed(MailchimpCampaign snapshot, String now, boolean due) {
        MailchimpCampaign.Report report = snapshot.report();
        return new StoredCampaign(orgId, campaignId, snapshot.title(), snapshot.subjectLine(), snapshot.listId(),
                snapshot.mailchimpStatus(), snapshot.status(), snapshot.sendTime(), snapshot.emailsSent(),
                report == null ? null : report.openRate(), report == null ? null : report.clickRate(),
                report == null ? null : report.uniqueOpens(), report == null ? null : report.uniqueClicks(),
                now, createdAt, trackedBy, null, null, null, due);
    }

    public boolean deletedInMailchimp() {
        return deletedInMailchimpAt != null;
    }

    public CampaignView view() {
        return new CampaignView(campaignId, campaignId, title, subjectLine, listId, status, sendTime, emailsSent,
                openRate, clickRate, uniqueOpens, uniqueClicks, lastRefreshedAt, createdAt);
    }
}
