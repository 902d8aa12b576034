package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.hrplatform.mailchimp.config.Services;
import com.hrplatform.mailchimp.config.Env;
import com.hrplatform.mailchimp.mailchimp.CallDeadline;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.preference.ConsentMessage;
import com.hrplatform.mailchimp.preference.ConsentQueue;
import com.hrplatform.mailchimp.preference.ConsentWorker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.time.Duration;
import java.time.Instant;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Consent worker on the consent FIFO queue: opt-outs and erasures on their way to Mailchimp. A message
 * that fails comes back after a growing backoff (10 s, 20 s, 40 s, ... up to 15 min, through the
 * message's visibility; later messages of the same org wait behind it, keeping their order). Because
 * an opt-out or an erasure must reach Mailchimp however long an outage lasts, a message about to use up
 * the queue's receive count is sent again as a new message (next generation) instead of going to the
 * dead-letter queue; only after {@code CONSENT_GIVE_UP_HOURS} (default 7 days) is it left to the DLQ.
 */
public class ConsentWorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(ConsentWorkerHandler.class);
    /** The queue's maxReceiveCount: the last receive before the DLQ. */
    static final int RECEIVES_PER_GENERATION = 5;
    /** Time kept back from the function's limit to answer. */
    private static final Duration MARGIN = Duration.ofSeconds(3);
    /** What one message may take at most (its audiences' lookups and changes, a retry or two). */
    private static final Duration MESSAGE_BUDGET = Duration.ofSeconds(15);

    private final ConsentWorker worker;
    private final ConsentQueue queue;
    private final Duration giveUpAfter;

    public ConsentWorkerHandler() {
        this(Services.consentWorker(), Services.consentQueue(),
                Duration.ofHours(Env.intValue("CONSENT_GIVE_UP_HOURS", 24 * 7)));
    }

    public ConsentWorkerHandler(ConsentWorker worker, ConsentQueue queue, Duration giveUpAfter) {
        this.worker = worker;
        this.queue = queue;
        this.giveUpAfter = giveUpAfter;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Instant end = Instant.now().plusMillis(context.getRemainingTimeInMillis()).minus(MARGIN);
        return PowertoolsLogging.withLogging(context, () -> handle(event, end));
    }

    /**
     * Messages run one after the other while there is time for one more; the rest go back as batch item failures
     * (unstarted, so not counted against them) instead of all of them timing out with the function.
     */
    SQSBatchResponse handle(SQSEvent event, Instant end) {
        return FifoBatches.process(event, record -> {
            if (Instant.now().plus(MESSAGE_BUDGET).isAfter(end)) {
                LOG.info("Consent message left for the next invocation", entry("messageId", record.getMessageId()));
                return false;
            }
            return CallDeadline.within(end, () -> process(record));
        });
    }

    /** @return false when the message must come back */
    private boolean process(SQSEvent.SQSMessage record) {
        ConsentMessage message;
        try {
            message = Json.MAPPER.readValue(record.getBody(), ConsentMessage.class);
        } catch (JsonProcessingException e) {
            LOG.error("Consent message is not readable and is dropped", entry("messageId", record.getMessageId()));
            return true;
        }
        int receive = FifoBatches.receiveCount(record);
        try {
            worker.process(message);
            return true;
        } catch (RuntimeException e) {
            int attempt = message.generation() * RECEIVES_PER_GENERATION + receive;
            LOG.warn("Consent change not applied yet; retried", entry("orgId", message.orgId()),
                    entry("action", message.action()), entry("attempt", attempt),
                    entry("errorType", e.getClass().getSimpleName()));
            return retry(record, message, receive, attempt);
        }
    }

    private boolean retry(SQSEvent.SQSMessage record, ConsentMessage message, int receive, int attempt) {
        if (receive >= RECEIVES_PER_GENERATION) {
            if (tooOld(message)) {
                LOG.error("Consent change still not applied; left to the dead-letter queue",
                        entry("orgId", message.orgId()), entry("action", message.action()), entry("attempt", attempt));
                return false;
            }
            try {
                queue.send(message.nextGeneration());
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }
        try {
            queue.retryLater(record.getReceiptHandle(), FifoBatches.backoffSeconds(attempt, 900));
        } catch (RuntimeException e) {
            // The queue's own visibility timeout brings it back instead.
        }
        return false;
    }

    private boolean tooOld(ConsentMessage message) {
        try {
            return Instant.parse(message.requestedAt()).plus(giveUpAfter).isBefore(Instant.now());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
