package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.hrplatform.mailchimp.campaign.CampaignStatsRefreshJob;
import com.hrplatform.mailchimp.config.Env;
import com.hrplatform.mailchimp.config.Services;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code campaign-stats-refresh}: fired by EventBridge Scheduler every 6 hours. Refreshes the stats of
 * every campaign still due (see {@link CampaignStatsRefreshJob}), stops starting new work a safety
 * margin before the function's timeout (what is left stays due for the next run), and publishes the
 * run's counts as EMF metrics.
 */
public class CampaignStatsRefreshHandler implements RequestHandler<ScheduledEvent, Map<String, Integer>> {
    static final Duration SAFETY_MARGIN = Duration.ofSeconds(30);

    private final CampaignStatsRefreshJob job;
    private final Metrics metrics;

    public CampaignStatsRefreshHandler() {
        this(Services.campaignStatsRefreshJob(), MetricsFactory.getMetricsInstance());
    }

    public CampaignStatsRefreshHandler(CampaignStatsRefreshJob job, Metrics metrics) {
        this.job = job;
        this.metrics = metrics;
        Env.optional("POWERTOOLS_METRICS_NAMESPACE").ifPresent(metrics::setNamespace);
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        return PowertoolsLogging.withLogging(context, () -> {
            MDC.put("correlation_id", event != null && event.getId() != null ? event.getId() : context.getAwsRequestId());
            try {
                Instant deadline = Instant.now().plusMillis(Math.max(0, context.getRemainingTimeInMillis()))
                        .minus(SAFETY_MARGIN);
                CampaignStatsRefreshJob.Summary summary = job.run(deadline);
                metrics.addMetric("CampaignsRefreshed", summary.refreshed(), MetricUnit.COUNT);
                metrics.addMetric("CampaignRefreshesFailed", summary.failed(), MetricUnit.COUNT);
                metrics.addMetric("CampaignsDeletedInMailchimp", summary.deletedInMailchimp(), MetricUnit.COUNT);
                metrics.addMetric("CampaignsDeferred", summary.deferred(), MetricUnit.COUNT);
                return asMap(summary);
            } finally {
                metrics.flush();
                MDC.remove("correlation_id");
            }
        });
    }

    /** The run's counts as the invocation's result (a plain map: any Lambda runtime serialises it). */
    static Map<String, Integer> asMap(CampaignStatsRefreshJob.Summary summary) {
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put("due", summary.due());
        out.put("refreshed", summary.refreshed());
        out.put("failed", summary.failed());
        out.put("deletedInMailchimp", summary.deletedInMailchimp());
        out.put("leftIndex", summary.leftIndex());
        out.put("skippedDisconnected", summary.skippedDisconnected());
        out.put("deferred", summary.deferred());
        out.put("orgs", summary.orgs());
        out.put("orgsFailing", summary.orgsFailing());
        return out;
    }
}
