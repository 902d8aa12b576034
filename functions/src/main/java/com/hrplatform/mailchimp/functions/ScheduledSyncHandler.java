package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.hrplatform.mailchimp.config.Services;
import com.hrplatform.mailchimp.segment.ScheduledSyncService;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

/** The daily 05:00 UTC fan-out: one sync request per live segment of every connected org. */
public class ScheduledSyncHandler implements RequestHandler<ScheduledEvent, ScheduledSyncService.FanOut> {
    private final ScheduledSyncService fanOut;
    private final Metrics metrics;

    public ScheduledSyncHandler() {
        this(Services.scheduledSyncService(), MetricsFactory.getMetricsInstance());
    }

    public ScheduledSyncHandler(ScheduledSyncService fanOut, Metrics metrics) {
        this.fanOut = fanOut;
        this.metrics = metrics;
    }

    @Override
    public ScheduledSyncService.FanOut handleRequest(ScheduledEvent event, Context context) {
        return PowertoolsLogging.withLogging(context, () -> {
            try {
                return fanOut.fanOut();
            } finally {
                metrics.flush();
            }
        });
    }
}
