package com.hrplatform.mailchimp.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reads a campaign and its report from Mailchimp. */
public final class MailchimpCampaigns {
    /** Mailchimp campaign ids are short hex strings; anything path-unsafe is refused before a request. */
    public static final Pattern ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    private static final String CAMPAIGN_FIELDS = "id,status,emails_sent,send_time,recipients.list_id,"
            + "settings.title,settings.subject_line";
    private static final String RECENT_FIELDS = "campaigns.id,campaigns.status,campaigns.emails_sent,campaigns.send_time,"
            + "campaigns.recipients.list_id,campaigns.settings.title,campaigns.settings.subject_line";
    private static final String REPORT_FIELDS = "id,emails_sent,opens.open_rate,opens.unique_opens,"
            + "clicks.click_rate,clicks.unique_clicks";

    private final MailchimpClient mailchimp;

    public MailchimpCampaigns(MailchimpClient mailchimp) {
        this.mailchimp = mailchimp;
    }

    /** The account's {@code count} most recently created campaigns, newest first (without reports). */
    public List<MailchimpCampaign> recent(MailchimpApiKey key, int count) {
        JsonNode page = mailchimp.get(key, "/campaigns?count=" + count + "&sort_field=create_time&sort_dir=DESC&fields="
                + RECENT_FIELDS);
        List<MailchimpCampaign> campaigns = new ArrayList<>();
        for (JsonNode campaign : page.path("campaigns")) {
            campaigns.add(MailchimpCampaign.parse(campaign, null));
        }
        return campaigns;
    }

    /**
     * @throws MailchimpException NOT_FOUND when the account has no such campaign (never had, or deleted),
     *                            or any other kind the client raises
     */
    public MailchimpCampaign fetch(MailchimpApiKey key, String campaignId) {
        if (!ID.matcher(campaignId).matches()) {
            throw new IllegalArgumentException("Not a Mailchimp campaign id");
        }
        JsonNode campaign = mailchimp.get(key, "/campaigns/" + campaignId + "?fields=" + CAMPAIGN_FIELDS);
        JsonNode report = null;
        if (MailchimpCampaign.mayHaveReport(campaign)) {
            try {
                report = mailchimp.get(key, "/reports/" + campaignId + "?fields=" + REPORT_FIELDS);
            } catch (MailchimpException e) {
                // A campaign that never went out has no report: that is not an error, it just has no stats yet.
                if (e.kind() != MailchimpException.Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
        return MailchimpCampaign.parse(campaign, report);
    }
}
