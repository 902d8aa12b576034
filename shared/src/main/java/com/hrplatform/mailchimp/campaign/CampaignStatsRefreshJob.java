package com.hrplatform.mailchimp.campaign;

import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.connection.KeyRefusals;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The 6-hourly campaign stats refresh (design rule 12). Reads the campaigns due from the sparse
 * {@code RefreshDueIndex} (no table scan), skips orgs that are not connected (their campaigns stay due
 * and resume once they reconnect), and refreshes the rest: several orgs at a time, and within an org at
 * most {@link #CONCURRENCY_PER_ORG} campaigns at a time (each is two sequential Mailchimp calls), under
 * the Mailchimp client's own per-key bound.
 *
 * <p>Failures stay local: a failing campaign gets {@code lastRefreshError} and stays due; an org whose key
 * is refused, or whose calls keep failing transiently ({@link #ORG_FAILURE_LIMIT} in a row), is not called
 * again in this run (its remaining campaigns get the same error recorded); other orgs carry on. A
 * campaign Mailchimp answers 404 for is marked deleted and leaves the index. A sent campaign outside the
 * post-send window leaves the index without a Mailchimp call.
 */
public final class CampaignStatsRefreshJob {
    public static final String ACTOR = "system:campaign-stats-refresh";
    static final int CONCURRENCY_PER_ORG = 4;
    static final int ORG_PARALLELISM = 4;
    static final int ORG_FAILURE_LIMIT = 3;
    private static final int AUDIT_IDS_CAP = 20;
    private static final Logger LOG = LoggerFactory.getLogger(CampaignStatsRefreshJob.class);

    /** Counts of one run. {@code deferred}: due but not attempted because the run ran out of time. */
    public record Summary(int due, int refreshed, int failed, int deletedInMailchimp, int leftIndex,
                          int skippedDisconnected, int deferred, int orgs, int orgsFailing) {
    }

    private final CampaignRepository campaigns;
    private final MailchimpCampaigns mailchimp;
    private final ConnectionRepository connectionRecords;
    private final ConnectionService connections;
    private final AuditLog audit;
    private final KeyRefusals keyRefusals;
    private final RefreshPolicy policy;
    private final Clock clock;

    public CampaignStatsRefreshJob(CampaignRepository campaigns, MailchimpCampaigns mailchimp,
                                   ConnectionRepository connectionRecords, ConnectionService connections,
                                   AuditLog audit, KeyRefusals keyRefusals, RefreshPolicy policy, Clock clock) {
        this.campaigns = campaigns;
        this.mailchimp = mailchimp;
        this.connectionRecords = connectionRecords;
        this.connections = connections;
        this.audit = audit;
        this.keyRefusals = keyRefusals;
        this.policy = policy;
        this.clock = clock;
    }

    /** @param deadline no new campaign is started after this instant (the rest stays due for the next run) */
    public Summary run(Instant deadline) {
        List<StoredCampaign> due = campaigns.due();
        Map<String, List<StoredCampaign>> byOrg = new LinkedHashMap<>();
        due.forEach(c -> byOrg.computeIfAbsent(c.orgId(), org -> new ArrayList<>()).add(c));
        Set<String> connected = new HashSet<>(connectionRecords.connectedOrgIds());

        Tally tally = new Tally();
        tally.due.set(due.size());
        ExecutorService orgPool = Executors.newFixedThreadPool(ORG_PARALLELISM, daemon("refresh-org"));
        ExecutorService campaignPool = Executors.newFixedThreadPool(ORG_PARALLELISM * CONCURRENCY_PER_ORG,
                daemon("refresh-campaign"));
        try {
            List<CompletableFuture<Void>> orgRuns = new ArrayList<>();
            for (Map.Entry<String, List<StoredCampaign>> org : byOrg.entrySet()) {
                if (!connected.contains(org.getKey())) {
                    tally.skippedDisconnected.addAndGet(org.getValue().size());
                    LOG.info("Organisation not connected; its campaigns wait", entry("orgId", org.getKey()),
                            entry("campaigns", org.getValue().size()));
                    continue;
                }
                tally.orgs.incrementAndGet();
                orgRuns.add(CompletableFuture.runAsync(
                        () -> refreshOrg(org.getKey(), org.getValue(), deadline, campaignPool, tally), orgPool));
            }
            CompletableFuture.allOf(orgRuns.toArray(CompletableFuture[]::new)).join();
        } finally {
            orgPool.shutdownNow();
            campaignPool.shutdownNow();
        }
        Summary summary = tally.summary();
        LOG.info("Campaign stats refresh finished", entry("due", summary.due()), entry("refreshed", summary.refreshed()),
                entry("failed", summary.failed()), entry("deletedInMailchimp", summary.deletedInMailchimp()),
                entry("leftIndex", summary.leftIndex()), entry("skippedDisconnected", summary.skippedDisconnected()),
                entry("deferred", summary.deferred()), entry("orgs", summary.orgs()),
                entry("orgsFailing", summary.orgsFailing()));
        return summary;
    }

    private void refreshOrg(String orgId, List<StoredCampaign> due, Instant deadline, ExecutorService pool, Tally tally) {
        OrgRun run = new OrgRun(orgId);
        try {
            MailchimpApiKey key;
            try {
                key = connections.activeKey(orgId);
            } catch (RuntimeException e) {
                // Disconnected since the index was read, or the key cannot be decrypted: record it on each.
                run.breakWith("Cannot use the organisation's Mailchimp connection: " + e.getClass().getSimpleName());
                key = null;
            }
            Semaphore slots = new Semaphore(CONCURRENCY_PER_ORG);
            List<CompletableFuture<Void>> tasks = new ArrayList<>();
            for (StoredCampaign campaign : due) {
                if (!policy.due(campaign.status(), campaign.sendTime(), clock.instant())) {
                    campaigns.leaveRefreshIndex(orgId, campaign.campaignId());
                    tally.leftIndex.incrementAndGet();
                    continue;
                }
                if (clock.instant().isAfter(deadline)) {
                    tally.deferred.incrementAndGet();
                    continue;
                }
                slots.acquireUninterruptibly();
                MailchimpApiKey orgKey = key;
                tasks.add(CompletableFuture.runAsync(() -> {
                    try {
                        refreshCampaign(orgKey, campaign, run, tally);
                    } finally {
                        slots.release();
                    }
                }, pool));
            }
            CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            LOG.error("Refreshing an organisation's campaigns failed", entry("orgId", orgId),
                    entry("errorType", e.getClass().getName()));
            run.lastError.set("Unexpected " + e.getClass().getSimpleName());
        }
        if (!run.failedIds.isEmpty() || run.lastError.get() != null) {
            tally.orgsFailing.incrementAndGet();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("failed", run.failedIds.size());
            details.put("campaignIds", run.failedIds.stream().limit(AUDIT_IDS_CAP).toList());
            details.put("reason", run.lastError.get());
            try {
                audit.record(orgId, ACTOR, "campaigns.refreshFailed", "organisation", orgId, details);
            } catch (RuntimeException e) {
                LOG.error("Could not audit a failed refresh", entry("orgId", orgId), entry("errorType", e.getClass().getName()));
            }
        }
    }

    private void refreshCampaign(MailchimpApiKey key, StoredCampaign campaign, OrgRun run, Tally tally) {
        String orgId = campaign.orgId();
        String campaignId = campaign.campaignId();
        String broken = run.brokenReason.get();
        if (broken != null) {
            fail(campaign, "Not attempted: " + broken, run, tally);
            return;
        }
        try {
            MailchimpCampaign snapshot = mailchimp.fetch(key, campaignId);
            Instant now = clock.instant();
            StoredCampaign refreshed = campaign.refreshed(snapshot, iso(now),
                    policy.due(snapshot.status(), snapshot.sendTime(), now));
            campaigns.replaceExisting(refreshed);
            run.consecutiveFailures.set(0);
            tally.refreshed.incrementAndGet();
            LOG.debug("Campaign refreshed", entry("orgId", orgId), entry("campaignId", campaignId),
                    entry("status", snapshot.status().wireName()), entry("stillDue", refreshed.refreshDue()));
        } catch (MailchimpException e) {
            if (e.kind() == MailchimpException.Kind.NOT_FOUND) {
                campaigns.markDeletedInMailchimp(orgId, campaignId, iso(clock.instant()));
                tally.deletedInMailchimp.incrementAndGet();
                LOG.info("Campaign deleted in Mailchimp; no longer refreshed", entry("orgId", orgId),
                        entry("campaignId", campaignId));
                try {
                    audit.record(orgId, ACTOR, "campaign.deletedInMailchimp", "campaign", campaignId, Map.of());
                } catch (RuntimeException auditFailure) {
                    LOG.error("Could not audit a deleted campaign", entry("orgId", orgId),
                            entry("campaignId", campaignId), entry("errorType", auditFailure.getClass().getName()));
                }
                return;
            }
            String error = CampaignService.describe(e);
            if (e.kind() == MailchimpException.Kind.INVALID_KEY && run.breakWith(error)) {
                tellKeyRefused(campaign.orgId());
            } else if (e.isTransient() && run.consecutiveFailures.incrementAndGet() >= ORG_FAILURE_LIMIT) {
                run.breakWith(error);
            }
            fail(campaign, error, run, tally);
        } catch (RuntimeException e) {
            fail(campaign, "Unexpected " + e.getClass().getSimpleName(), run, tally);
        }
    }

    /** The platform hears the connection broke; if it cannot be told now, the next run (6 h) sees the refusal again. */
    private void tellKeyRefused(String orgId) {
        try {
            keyRefusals.refused(orgId, "campaignStatsRefresh");
        } catch (RuntimeException e) {
            LOG.error("Could not tell the platform the connection broke", entry("orgId", orgId),
                    entry("errorType", e.getClass().getName()));
        }
    }

    private void fail(StoredCampaign campaign, String error, OrgRun run, Tally tally) {
        tally.failed.incrementAndGet();
        run.failedIds.add(campaign.campaignId());
        run.lastError.set(error);
        LOG.warn("Campaign stats refresh failed", entry("orgId", campaign.orgId()),
                entry("campaignId", campaign.campaignId()), entry("error", error));
        try {
            campaigns.recordFailure(campaign.orgId(), campaign.campaignId(), error, iso(clock.instant()));
        } catch (RuntimeException e) {
            LOG.error("Could not record a refresh failure", entry("orgId", campaign.orgId()),
                    entry("campaignId", campaign.campaignId()), entry("errorType", e.getClass().getName()));
        }
    }

    private static String iso(Instant instant) {
        return Timestamps.format(instant);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static final class OrgRun {
        final String orgId;
        final AtomicInteger consecutiveFailures = new AtomicInteger();
        final AtomicReference<String> brokenReason = new AtomicReference<>();
        final AtomicReference<String> lastError = new AtomicReference<>();
        final List<String> failedIds = java.util.Collections.synchronizedList(new ArrayList<>());

        OrgRun(String orgId) {
            this.orgId = orgId;
        }

        /** @return whether this call broke the run (the first reason wins) */
        boolean breakWith(String reason) {
            if (brokenReason.compareAndSet(null, reason)) {
                LOG.warn("Stopping this run's Mailchimp calls for the organisation", entry("orgId", orgId),
                        entry("reason", reason));
                return true;
            }
            return false;
        }
    }

    private static final class Tally {
        final AtomicInteger due = new AtomicInteger();
        final AtomicInteger refreshed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger deletedInMailchimp = new AtomicInteger();
        final AtomicInteger leftIndex = new AtomicInteger();
        final AtomicInteger skippedDisconnected = new AtomicInteger();
        final AtomicInteger deferred = new AtomicInteger();
        final AtomicInteger orgs = new AtomicInteger();
        final AtomicInteger orgsFailing = new AtomicInteger();

        Summary summary() {
            return new Summary(due.get(), refreshed.get(), failed.get(), deletedInMailchimp.get(), leftIndex.get(),
                    skippedDisconnected.get(), deferred.get(), orgs.get(), orgsFailing.get());
        }
    }
}
