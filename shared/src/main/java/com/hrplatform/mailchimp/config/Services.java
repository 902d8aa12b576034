package com.hrplatform.mailchimp.config;

import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.aws.AwsClients;
import com.hrplatform.mailchimp.campaign.CampaignRepository;
import com.hrplatform.mailchimp.campaign.CampaignService;
import com.hrplatform.mailchimp.campaign.CampaignStatsRefreshJob;
import com.hrplatform.mailchimp.campaign.MailchimpCampaigns;
import com.hrplatform.mailchimp.campaign.RefreshPolicy;
import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.crypto.ApiKeyCipher;
import com.hrplatform.mailchimp.crypto.KmsApiKeyCipher;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.RetryPolicy;

import java.time.Clock;
import java.time.Duration;

/**
 * The composition root: builds services from configuration for a handler's no-arg constructor. Tests
 * build services themselves and pass them to the handler's other constructor.
 */
public final class Services {
    /** UTC in whole milliseconds: timestamps the API shows and sort keys built from them stay uniform. */
    public static final Clock CLOCK = Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));
    private Services() {
    }

    // One Mailchimp client per container, so its per-key concurrency bound covers every handler in it.
    private static final class MailchimpHolder {
        static final MailchimpClient CLIENT = new MailchimpClient(Env.optional("MAILCHIMP_BASE_URL").orElse(null),
                Duration.ofSeconds(Env.intValue("MAILCHIMP_TIMEOUT_SECONDS", 10)), RetryPolicy.standard(),
                MailchimpClient.DEFAULT_CONCURRENCY_PER_KEY);
    }

    public static MailchimpClient mailchimpClient() {
        return MailchimpHolder.CLIENT;
    }

    public static AuditLog auditLog() {
        return new AuditLog(AwsClients.dynamoDb(), Env.required("AUDIT_TABLE"),
                Duration.ofDays(Env.intValue("AUDIT_RETENTION_DAYS", 365)), CLOCK);
    }

    public static ApiKeyCipher apiKeyCipher() {
        return new KmsApiKeyCipher(AwsClients::kms, Env.required("API_KEY_KMS_KEY_ID"));
    }

    public static ConnectionService connectionService() {
        return new ConnectionService(new ConnectionRepository(AwsClients.dynamoDb(), Env.required("CONNECTIONS_TABLE")),
                mailchimpClient(), apiKeyCipher(), auditLog(), CLOCK);
    }

    public static ConnectionRepository connectionRepository() {
        return new ConnectionRepository(AwsClients.dynamoDb(), Env.required("CONNECTIONS_TABLE"));
    }

    public static CampaignRepository campaignRepository() {
        return new CampaignRepository(AwsClients.dynamoDb(), Env.required("CAMPAIGNS_TABLE"));
    }

    public static CampaignService campaignService() {
        return new CampaignService(campaignRepository(), new MailchimpCampaigns(mailchimpClient()),
                connectionService(), auditLog(), CLOCK);
    }

    /** The refresh job; its post-send window is CAMPAIGN_STATS_POST_SEND_WINDOW_DAYS (default 30). */
    public static CampaignStatsRefreshJob campaignStatsRefreshJob() {
        return new CampaignStatsRefreshJob(campaignRepository(), new MailchimpCampaigns(mailchimpClient()),
                connectionRepository(), connectionService(), auditLog(),
                RefreshPolicy.withPostSendWindowDays(Env.intValue("CAMPAIGN_STATS_POST_SEND_WINDOW_DAYS", 30)),
                CLOCK);
    }
}
