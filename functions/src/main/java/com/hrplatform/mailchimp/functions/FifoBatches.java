package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.hrplatform.mailchimp.config.Env;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** Partial batch responses for FIFO queues, shared by the queue workers. */
final class FifoBatches {
    private FifoBatches() {
    }

    /**
     * Runs {@code process} on each record in order and reports the ones that must come back. Once a record
     * of a message group fails, the group's later records are reported too without running, as Lambda
     * does for FIFO queues, so one org's changes keep their order.
     *
     * @param process answers false when the record must come back
     */
    static SQSBatchResponse process(SQSEvent event, Predicate<SQSEvent.SQSMessage> process) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        Set<String> failedGroups = new HashSet<>();
        for (SQSEvent.SQSMessage record : event.getRecords()) {
            String group = record.getAttributes() == null ? null : record.getAttributes().get("MessageGroupId");
            if (group != null && failedGroups.contains(group)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                continue;
            }
            if (!process.test(record)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(record.getMessageId()));
                if (group != null) {
                    failedGroups.add(group);
                }
            }
        }
        return new SQSBatchResponse(failures);
    }

    /** How often SQS has handed this record out (1 on the first delivery). */
    static int receiveCount(SQSEvent.SQSMessage record) {
        try {
            return Integer.parseInt(record.getAttributes().getOrDefault("ApproximateReceiveCount", "1"));
        } catch (RuntimeException e) {
            return 1;
        }
    }

    /** Seconds until a failed record comes back: 10, 20, 40, ... capped (QUEUE_RETRY_BASE_SECONDS sets the 10). */
    static int backoffSeconds(int attempt, int capSeconds) {
        long base = Env.intValue("QUEUE_RETRY_BASE_SECONDS", 10);
        return (int) Math.min(capSeconds, base << Math.min(Math.max(attempt, 1) - 1, 16));
    }
}
