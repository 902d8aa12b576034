package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.json.Json;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * The segment-sync FIFO queue. {@code MessageGroupId = orgId}: one org's syncs run one at a time (Mailchimp
 * allows 10 connections per key), different orgs in parallel. Deduplication ids make a re-sent message
 * (a retried fan-out, a redelivered slice) a no-op within SQS's 5-minute window.
 */
public final class SyncQueue {
    public static final int MAX_BATCH = 10;

    private final SqsClient sqs;
    private final String queueUrl;

    public SyncQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public void send(SyncMessage message) {
        sqs.sendMessage(request -> request.queueUrl(queueUrl)
                .messageBody(Json.write(message))
                .messageGroupId(message.orgId())
                .messageDeduplicationId(deduplicationId(message)));
    }

    /**
     * Asks the worker to apply a segment's pending changes (see {@link ChangeFeed}); {@code deduplicationId} makes the
     * senders of one generation and window share one message.
     */
    public void sendChange(ChangeMessage message, String deduplicationId) {
        sqs.sendMessage(request -> request.queueUrl(queueUrl)
                .messageBody(Json.write(message))
                .messageGroupId(message.orgId())
                .messageDeduplicationId(deduplicationId.length() <= 128 ? deduplicationId
                        : Integer.toHexString(deduplicationId.hashCode()) + deduplicationId.substring(deduplicationId.length() - 100)));
    }

    /** Sends up to 10 messages in one call; answers how many SQS refused. */
    public int sendBatch(List<SyncMessage> messages) {
        if (messages.size() > MAX_BATCH) {
            throw new IllegalArgumentException("At most 10 messages per batch");
        }
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            SyncMessage message = messages.get(i);
            entries.add(SendMessageBatchRequestEntry.builder()
                    .id(Integer.toString(i))
                    .messageBody(Json.write(message))
                    .messageGroupId(message.orgId())
                    .messageDeduplicationId(deduplicationId(message))
                    .build());
        }
        var response = sqs.sendMessageBatch(request -> request.queueUrl(queueUrl).entries(entries));
        return response.failed().size();
    }

    /** Makes a failed message visible again after {@code seconds}, instead of the queue's long visibility timeout. */
    public void retryLater(String receiptHandle, int seconds) {
        sqs.changeMessageVisibility(request -> request.queueUrl(queueUrl).receiptHandle(receiptHandle)
                .visibilityTimeout(seconds));
    }

    /** A run's slice is sent once however often it is sent again (a retried fan-out names the day's run). */
    static String deduplicationId(SyncMessage message) {
        String id = message.runId() + "-" + message.slice();
        return id.length() <= 128 ? id : Integer.toHexString(id.hashCode()) + id.substring(id.length() - 100);
    }
}
