package com.hrplatform.mailchimp.local.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Test SQS worker: a body starting with "fail" is reported in batchItemFailures, "throw" fails the whole
 * invocation, anything else succeeds. Records every message it receives.
 */
public class QueueWorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    public static final ConcurrentLinkedDeque<SQSEvent.SQSMessage> RECEIVED = new ConcurrentLinkedDeque<>();
    /** The bodies of each batch, in delivery order. */
    public static final ConcurrentLinkedDeque<List<String>> BATCHES = new ConcurrentLinkedDeque<>();

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        RECEIVED.addAll(event.getRecords());
        BATCHES.add(event.getRecords().stream().map(SQSEvent.SQSMessage::getBody).toList());
        for (SQSEvent.SQSMessage m : event.getRecords()) {
            if (m.getBody().startsWith("throw")) {
                throw new IllegalStateException("worker asked to throw");
            }
            if (m.getBody().startsWith("fail")) {
                failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }
}
