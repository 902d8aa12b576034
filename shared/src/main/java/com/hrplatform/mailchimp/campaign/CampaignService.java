package com.hrplatform.mailchimp.campaign;

import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * {@code mailchimp.campaigns.*}: an org's tracked Mailchimp campaigns. Every read and write is scoped to
 * the caller's org; another org's campaign answers NOT_FOUND exactly like a missing one.
 */
public final class CampaignService {
    private static final Logger LOG = LoggerFactory.getLogger(CampaignService.class);

    private final CampaignRepository campaigns;
    private final MailchimpCampaigns mailchimp;
    private final ConnectionService connections;
    private final AuditLog audit;
    private final Clock clock;
    private final RefreshPolicy policy = RefreshPolicy.candidates();

    public CampaignService(CampaignRepository campaigns, MailchimpCampaigns mailchimp, ConnectionService connections,
                           AuditLog audit, Clock clock) {
        this.campaigns = campaigns;
        this.mailchimp = mailchimp;
        this.connections = connections;
        this.audit = audit;
        this.clock = clock;
    }

    public Page<CampaignView> list(Identity identity, PageRequest page) {
        return campaigns.list(identity.orgId(), page).map(StoredCampaign::view);
    }

    public CampaignView get(Identity identity, String id) {
        return stored(identity.orgId(), id).view();
    }

    /** The connected account's {@code count} newest campaigns (by creation), each marked whether the org tracks it. */
    public List<RecentCampaign> recent(Identity identity, int count) {
        String orgId = identity.orgId();
        List<MailchimpCampaign> recent = mailchimp.recent(connections.activeKey(orgId), count);
        Set<String> tracked = campaigns.trackedAmong(orgId, recent.stream().map(MailchimpCampaign::id).toList());
        return recent.stream().map(c -> new RecentCampaign(c.id(), c.title(), c.subjectLine(), c.listId(), c.status(),
                c.sendTime(), tracked.contains(c.id()))).toList();
    }

    /** Tracks a campaign of the org's Mailchimp account; tracking it again returns the existing record. */
    public CampaignView track(Identity identity, String mailchimpCampaignId) {
        String orgId = identity.orgId();
        var existing = campaigns.find(orgId, mailchimpCampaignId);
        if (existing.isPresent()) {
            return existing.get().view();
        }
        MailchimpApiKey key = connections.activeKey(orgId);
        MailchimpCampaign snapshot;
        try {
            snapshot = mailchimp.fetch(key, mailchimpCampaignId);
        } catch (MailchimpException e) {
            if (e.kind() == MailchimpException.Kind.NOT_FOUND) {
                throw new DomainException.NotFound("Mailchimp has no campaign with id " + mailchimpCampaignId
                        + " in the connected account");
            }
            throw e;
        }
        String now = now();
        StoredCampaign record = StoredCampaign.tracked(orgId, snapshot, now, identity.actor(),
                policy.due(snapshot.status(), snapshot.sendTime(), clock.instant()));
        if (!campaigns.insertIfAbsent(record)) {
            // Tracked concurrently by another request: that record wins, as if this call came second.
            return stored(orgId, mailchimpCampaignId).view();
        }
        audit.record(orgId, identity.actor(), "campaign.tracked", "campaign", record.campaignId(),
                details(record));
        LOG.info("Campaign tracked", entry("orgId", orgId), entry("campaignId", record.campaignId()),
                entry("status", record.status().wireName()));
        return record.view();
    }

    /** Reads the campaign and its report from Mailchimp now (whether or not the job would). */
    public CampaignView refresh(Identity identity, String id) {
        String orgId = identity.orgId();
        StoredCampaign current = stored(orgId, id);
        MailchimpApiKey key = connections.activeKey(orgId);
        MailchimpCampaign snapshot;
        try {
            snapshot = mailchimp.fetch(key, current.campaignId());
        } catch (MailchimpException e) {
            if (e.kind() == MailchimpException.Kind.NOT_FOUND) {
                campaigns.markDeletedInMailchimp(orgId, current.campaignId(), now());
                if (!current.deletedInMailchimp()) {
                    audit.record(orgId, identity.actor(), "campaign.deletedInMailchimp", "campaign",
                            current.campaignId(), Map.of());
                }
                throw new DomainException.NotFound("Mailchimp no longer has the campaign with id " + current.campaignId());
            }
            campaigns.recordFailure(orgId, current.campaignId(), describe(e), now());
            throw e;
        }
        String now = now();
        StoredCampaign refreshed = current.refreshed(snapshot, now,
                policy.due(snapshot.status(), snapshot.sendTime(), clock.instant()));
        if (!campaigns.replaceExisting(refreshed)) {
            throw new DomainException.NotFound("No tracked campaign with id " + id);
        }
        audit.record(orgId, identity.actor(), "campaign.statsRefreshed", "campaign", refreshed.campaignId(),
                details(refreshed));
        return refreshed.view();
    }

    private StoredCampaign stored(String orgId, String id) {
        return campaigns.find(orgId, id).orElseThrow(() -> new DomainException.NotFound("No tracked campaign with id " + id));
    }

    private static Map<String, Object> details(StoredCampaign campaign) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mailchimpCampaignId", campaign.campaignId());
        details.put("status", campaign.status().wireName());
        return details;
    }

    /** What is stored as the failure: the kind and Mailchimp's problem title, never a key or body. */
    static String describe(MailchimpException e) {
        return e.kind() + (e.status() > 0 ? " (HTTP " + e.status() + ")" : "") + ": " + e.title();
    }

    private String now() {
        return Timestamps.format(clock.instant());
    }
}
