package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.segment.ScheduledSyncService;
import com.hrplatform.mailchimp.segment.SegmentRepository;
import com.hrplatform.mailchimp.segment.SyncQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3, acceptance 6: the daily fan-out over the local cloud's real tables (dynalite), enqueuing into
 * a FIFO queue of its own in ElasticMQ that no worker drains, so every message it sent can be read
 * back. The tables hold other tests' orgs too: the assertions look at this test's orgs exactly.
 */
class DailyFanOutTest {
    private static LocalCloud cloud;
    private static DynamoDbClient dynamo;
    private static SqsClient sqs;

    @BeforeAll
    static void clients() {
        cloud = LocalCloudFixture.get();
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create(cloud.dynamoEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        sqs = SqsClient.builder().endpointOverride(URI.create(cloud.sqsEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    private record Org(String orgId, String listId) {
        String admin() {
            return LocalCloudFixture.adminToken(orgId);
        }
    }

    private static Org connectedOrg() {
        String orgId = "fanout-" + UUID.randomUUID();
        JsonNode account = SandboxControl.newAccount("Fan-out " + orgId);
        TrpcHttp.mutation(LocalCloudFixture.adminToken(orgId), "mailchimp.connection.connect",
                Map.of("apiKey", account.path("apiKey").asText())).data();
        return new Org(orgId, SandboxControl.listId(account, "Employees"));
    }

    private static String segment(Org org, String name) {
        return TrpcHttp.mutation(org.admin(), "mailchimp.segments.create", Map.of("name", name, "segmentType", "employee",
                "mailchimpListId", org.listId())).data().path("id").asText();
    }

    @Test
    void enqueuesOneMessagePerLiveSegmentOfEveryConnectedOrgOnly() {
        Org connected = connectedOrg();
        String a1 = segment(connected, "A one");
        String a2 = segment(connected, "A two");
        Org disconnected = connectedOrg();
        segment(disconnected, "B one");
        TrpcHttp.mutation(disconnected.admin(), "mailchimp.connection.disconnect", null).data();
        Org withDeleted = connectedOrg();
        String c1 = segment(withDeleted, "C one");
        String c2 = segment(withDeleted, "C two");
        TrpcHttp.mutation(withDeleted.admin(), "mailchimp.segments.delete", Map.of("id", c2)).data();
        Org withRunningSync = connectedOrg();
        String d1 = segment(withRunningSync, "D one");
        SegmentRepository segments = new SegmentRepository(dynamo, "SegmentsTable");
        Instant now = Instant.now();
        assertTrue(segments.startRun(withRunningSync.orgId(), d1, "run-in-progress", now.toString(), now.getEpochSecond(),
                now.plusSeconds(600).getEpochSecond()), "the segment is marked syncing with a live lease");

        String queueUrl = sqs.createQueue(request -> request.queueName("fanout-" + UUID.randomUUID() + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        ScheduledSyncService fanOut = new ScheduledSyncService(new ConnectionRepository(dynamo, "ConnectionsTable"), segments,
                new SyncQueue(sqs, queueUrl), MetricsFactory.getMetricsInstance(), Executors.newFixedThreadPool(4),
                Clock.systemUTC());

        ScheduledSyncService.FanOut result = fanOut.fanOut();

        List<Message> messages = drain(queueUrl);
        assertEquals(result.segmentsQueued(), messages.size(), "every queued request is on the queue, once");
        assertEquals((result.segmentsQueued() + 9) / 10, result.sendCalls(), "ten per SendMessageBatch");
        Set<String> ours = Set.of(connected.orgId(), disconnected.orgId(), withDeleted.orgId(), withRunningSync.orgId());
        Set<String> requested = new HashSet<>();
        for (Message message : messages) {
            JsonNode body = read(message.body());
            String orgId = body.path("orgId").asText();
            assertEquals(orgId, message.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID),
                    "one FIFO group per org");
            assertTrue(body.path("start").asBoolean(), "a scheduled request; the worker starts the run");
            assertTrue(body.path("runId").asText().matches("daily-\\d{4}-\\d{2}-\\d{2}-.+"),
                    "the day's run is named in the message, so a redelivery resumes it");
            assertEquals("daily", body.path("trigger").asText(), "the run's history tells what started it");
            if (ours.contains(orgId)) {
                requested.add(orgId + "/" + body.path("segmentId").asText());
            }
        }
        assertEquals(Set.of(connected.orgId() + "/" + a1, connected.orgId() + "/" + a2, withDeleted.orgId() + "/" + c1),
                requested, "not the disconnected org, not the deleted segment, not the segment already syncing");
        assertTrue(result.segmentsSkipped() >= 1);
    }

    private static List<Message> drain(String queueUrl) {
        List<Message> messages = new ArrayList<>();
        while (true) {
            var received = sqs.receiveMessage(request -> request.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID)
                    .visibilityTimeout(300)).messages();
            if (received.isEmpty()) {
                return messages;
            }
            messages.addAll(received);
            // FIFO: a group's next message is only handed out once the previous one is deleted.
            received.forEach(message -> sqs.deleteMessage(request -> request.queueUrl(queueUrl)
                    .receiptHandle(message.receiptHandle())));
        }
    }

    private static JsonNode read(String body) {
        try {
            return TrpcHttp.JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
