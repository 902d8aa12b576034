package com.hrplatform.mailchimp.functions;

import com.hrplatform.mailchimp.api.Input;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.api.Role;
import com.hrplatform.mailchimp.api.TrpcHandler;
import com.hrplatform.mailchimp.api.TrpcRouter;
import com.hrplatform.mailchimp.campaign.CampaignService;
import com.hrplatform.mailchimp.campaign.MailchimpCampaigns;
import com.hrplatform.mailchimp.config.Services;

/**
 * {@code mailchimp.campaigns.*}: list, get, trackCampaign, refreshStats of the org's tracked campaigns, and recent:
 * the connected account's newest campaigns to pick one from.
 */
public class CampaignsApiHandler extends TrpcHandler {
    static final int RECENT_DEFAULT = 20;
    static final int RECENT_MAX = 50;
    private static final String ID_EXPECTATION = "must be a Mailchimp campaign id (letters, digits, - or _)";

    public CampaignsApiHandler() {
        this(Services.campaignService());
    }

    public CampaignsApiHandler(CampaignService campaigns) {
        super(routes(campaigns), "mailchimp.campaigns.list");
    }

    static TrpcRouter routes(CampaignService campaigns) {
        return new TrpcRouter()
                .query("mailchimp.campaigns.list", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.optional(input);
                    PageRequest page = reader.page();
                    reader.validate();
                    return campaigns.list(identity, page);
                })
                .query("mailchimp.campaigns.get", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredMatching("id", MailchimpCampaigns.ID, ID_EXPECTATION);
                    reader.validate();
                    return campaigns.get(identity, id);
                })
                .query("mailchimp.campaigns.recent", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.optional(input);
                    int limit = reader.optionalInt("limit", 1, RECENT_MAX).orElse(RECENT_DEFAULT);
                    reader.validate();
                    return campaigns.recent(identity, limit);
                })
                .mutation("mailchimp.campaigns.trackCampaign", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredMatching("mailchimpCampaignId", MailchimpCampaigns.ID, ID_EXPECTATION);
                    reader.validate();
                    return campaigns.track(identity, id);
                })
                .mutation("mailchimp.campaigns.refreshStats", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String id = reader.requiredMatching("id", MailchimpCampaigns.ID, ID_EXPECTATION);
                    reader.validate();
                    return campaigns.refresh(identity, id);
                });
    }
}
