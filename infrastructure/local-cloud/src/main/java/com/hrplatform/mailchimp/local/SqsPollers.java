package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hrplatform.mailchimp.local.template.LocalTemplate;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One poller per SQS event source, like Lambda's event source mapping: long-polls the queue for up to
 * BatchSize messages, invokes the function with an SQSEvent and deletes what succeeded. With
 * ReportBatchItemFailures only records not listed in {@code batchItemFailures} are deleted; a thrown error
 * deletes nothing, so messages return after their visibility timeout and ElasticMQ's redrive moves them to
 * the DLQ after maxReceiveCount. For FIFO queues a failure also keeps every later record of its group.
 */
final class SqsPollers {

    private final SqsClient sqs;
    private final Map<String, FunctionHost> functions;
    private final Map<String, String> queueUrlsByArn;
    private final List<LocalTemplate.SqsSource> sources = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger handling = new AtomicInteger();
    private volatile boolean running;
    /** What the last idle check that found work saw, for a timeout's message. */
    private volatile String lastBusy = "";

    SqsPollers(SqsClient sqs, Map<String, FunctionHost> functions, Map<String, String> queueUrlsByArn) {
        this.sqs = sqs;
        this.functions = functions;
        this.queueUrlsByArn = queueUrlsByArn;
        for (FunctionHost f : functions.values()) {
            for (LocalTemplate.SqsSource s : f.spec().sqsSources()) {
                if (!queueUrlsByArn.containsKey(s.queueArn())) {
                    throw new IllegalStateException("Function " + s.functionId() + " event " + s.eventName()
                            + ": queue " + s.queueArn() + " is not a queue of the template");
                }
                sources.add(s);
            }
        }
    }

    void start() {
        running = true;
        for (LocalTemplate.SqsSource s : sources) {
            if (!s.enabled()) {
                continue;
            }
            Thread t = new Thread(() -> poll(s), "sqs-poller-" + s.functionId());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    void stop() {
        running = false;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void poll(LocalTemplate.SqsSource s) {
        String url = queueUrlsByArn.get(s.queueArn());
        String queueName = s.queueArn().substring(s.queueArn().lastIndexOf(':') + 1);
        boolean fifo = queueName.endsWith(".fifo");
        FunctionHost fn = functions.get(s.functionId());
        while (running) {
            try {
                List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(url)
                        .maxNumberOfMessages(Math.min(10, Math.max(1, s.batchSize())))
                        .waitTimeSeconds(1)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .attributeNamesWithStrings("All")
                        .messageAttributeNames("All")).messages();
                if (messages.isEmpty()) {
                    continue;
                }
                // Received messages are in flight (not idle) until deleted; "handling" covers the rest.
                handling.incrementAndGet();
                try {
                    handle(s, fn, url, fifo, messages);
                } finally {
                    handling.decrementAndGet();
                }
            } catch (RuntimeException e) {
                if (running) {
                    System.out.println("[sqs] " + s.functionId() + " poller error: " + e.getClass().getSimpleName()
                            + ": " + Http.oneLine(e.getMessage()));
                    sleepQuietly(500);
                }
            }
        }
    }

    private void handle(LocalTemplate.SqsSource s, FunctionHost fn, String url, boolean fifo, List<Message> messages) {
        long receivedAt = System.nanoTime();
        ObjectNode event = Http.JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message m : messages) {
            records.add(record(m, s.queueArn()));
        }
        FunctionHost.Result r = fn.invoke(event.toString());
        Set<String> failed = new HashSet<>();
        if (r.failed()) {
            System.out.println("[sqs] " + s.functionId() + ": batch of " + messages.size() + " failed: "
                    + r.errorType() + ": " + Http.oneLine(r.errorMessage()));
            return; // everything returns after the visibility timeout
        }
        if (s.reportBatchItemFailures()) {
            try {
                JsonNode out = Http.JSON.readTree(r.json());
                for (JsonNode f : out == null ? Http.JSON.createArrayNode() : out.path("batchItemFailures")) {
                    String id = f.path("itemIdentifier").asText("");
                    if (id.isEmpty() || messages.stream().noneMatch(m -> m.messageId().equals(id))) {
                        // Lambda treats an invalid identifier as a failure of the whole batch.
                        System.out.println("[sqs] " + s.functionId() + ": invalid batchItemFailures entry, whole batch retried");
                        return;
                    }
                    failed.add(id);
                }
            } catch (IOException e) {
                System.out.println("[sqs] " + s.functionId() + ": response is not JSON, whole batch retried");
                return;
            }
        }
        Set<String> blockedGroups = new HashSet<>();
        List<DeleteMessageBatchRequestEntry> delete = new ArrayList<>();
        for (Message m : messages) {
            String group = m.attributesAsStrings().get("MessageGroupId");
            boolean keep = failed.contains(m.messageId()) || fifo && group != null && blockedGroups.contains(group);
            if (keep) {
                if (fifo && group != null) {
                    blockedGroups.add(group);
                }
                continue;
            }
            delete.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(delete.size()))
                    .receiptHandle(m.receiptHandle()).build());
        }
        for (int i = 0; i < delete.size(); i += 10) {
            List<DeleteMessageBatchRequestEntry> chunk = delete.subList(i, Math.min(delete.size(), i + 10));
            DeleteMessageBatchResponse deleted = sqs.deleteMessageBatch(b -> b.queueUrl(url).entries(chunk));
            for (BatchResultErrorEntry refused : deleted.failed()) {
                System.out.println("[sqs] " + s.functionId() + ": delete refused (" + refused.code() + ": "
                        + Http.oneLine(refused.message()) + ") " + (System.nanoTime() - receivedAt) / 1_000_000 + " ms after receipt");
            }
        }
        if (!failed.isEmpty() || delete.size() < messages.size()) {
            System.out.println("[sqs] " + s.functionId() + ": " + delete.size() + " of " + messages.size()
                    + " processed, " + (messages.size() - delete.size()) + " left for retry");
        }
    }

    private static ObjectNode record(Message m, String queueArn) {
        ObjectNode rec = Http.JSON.createObjectNode();
        rec.put("messageId", m.messageId());
        rec.put("receiptHandle", m.receiptHandle());
        rec.put("body", m.body());
        ObjectNode attrs = rec.putObject("attributes");
        m.attributesAsStrings().forEach(attrs::put);
        ObjectNode mattrs = rec.putObject("messageAttributes");
        for (Map.Entry<String, MessageAttributeValue> e : m.messageAttributes().entrySet()) {
            MessageAttributeValue v = e.getValue();
            ObjectNode a = mattrs.putObject(e.getKey());
            a.put("stringValue", v.stringValue());
            a.put("binaryValue", v.binaryValue() == null ? null : Base64.getEncoder().encodeToString(v.binaryValue().asByteArray()));
            ArrayNode sl = a.putArray("stringListValues");
            v.stringListValues().forEach(sl::add);
            ArrayNode bl = a.putArray("binaryListValues");
            for (SdkBytes b : v.binaryListValues()) {
                bl.add(Base64.getEncoder().encodeToString(b.asByteArray()));
            }
            a.put("dataType", v.dataType());
        }
        rec.put("md5OfBody", m.md5OfBody());
        if (m.md5OfMessageAttributes() != null) {
            rec.put("md5OfMessageAttributes", m.md5OfMessageAttributes());
        }
        rec.put("eventSource", "aws:sqs");
        rec.put("eventSourceARN", queueArn);
        rec.put("awsRegion", "us-east-1");
        return rec;
    }

    /**
     * Waits until no polled queue has visible, in-flight or delayed messages and no invocation runs.
     * Returns false on timeout.
     */
    boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quietRounds = 0;
        while (System.nanoTime() < deadline) {
            int busyBefore = busyNow();
            String queues = queuesNotEmpty();
            int busyAfter = busyNow();
            if (busyBefore == 0 && queues.isEmpty() && busyAfter == 0) {
                if (++quietRounds >= 2) {
                    return true;
                }
            } else {
                quietRounds = 0;
                lastBusy = "invocations " + busyBefore + "/" + busyAfter + " (pollers handling " + handling.get()
                        + "), queues " + (queues.isEmpty() ? "empty" : queues);
            }
            sleepQuietly(50);
        }
        return false;
    }

    private int busyNow() {
        int invoking = handling.get();
        for (LocalTemplate.SqsSource s : sources) {
            invoking += functions.get(s.functionId()).running();
        }
        return invoking;
    }

    /** The polled queues that still hold messages, with their counts; empty when none does. */
    private String queuesNotEmpty() {
        StringBuilder out = new StringBuilder();
        for (String arn : new HashSet<>(sourcesArns())) {
            GetQueueAttributesResponse a = sqs.getQueueAttributes(b -> b.queueUrl(queueUrlsByArn.get(arn))
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
            if (a.attributesAsStrings().values().stream().anyMatch(v -> !"0".equals(v))) {
                out.append(out.isEmpty() ? "" : ", ").append(arn.substring(arn.lastIndexOf(':') + 1))
                        .append(' ').append(a.attributesAsStrings());
            }
        }
        return out.toString();
    }

    /** What the last idle check that found work saw ("" if none did). */
    String lastBusy() {
        return lastBusy;
    }

    private List<String> sourcesArns() {
        List<String> arns = new ArrayList<>();
        for (LocalTemplate.SqsSource s : sources) {
            if (s.enabled()) {
                arns.add(s.queueArn());
            }
        }
        return arns;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
