package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.json.Json;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.util.UUID;

/**
 * The consent FIFO queue: opt-outs and erasures on their way to Mailchimp. {@code MessageGroupId = orgId}
 * keeps one org's changes in order and under Mailchimp's per-key connection limit; every message is its
 * own request, so the deduplication id is random.
 */
public class ConsentQueue {
    private final SqsClient sqs;
    private final String queueUrl;

    public ConsentQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public void send(ConsentMessage message) {
        sqs.sendMessage(request -> request.queueUrl(queueUrl)
                .messageBody(Json.write(message))
                .messageGroupId(message.orgId())
                .messageDeduplicationId(UUID.randomUUID().toString()));
    }

    /** Makes a failed message visible again after {@code seconds} instead of the queue's visibility timeout. */
    public void retryLater(String receiptHandle, int seconds) {
        sqs.changeMessageVisibility(request -> request.queueUrl(queueUrl).receiptHandle(receiptHandle)
                .visibilityTimeout(seconds));
    }
}
