package com.hrplatform.mailchimp.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hrplatform.mailchimp.local.template.TemplateTest;
import com.hrplatform.mailchimp.local.testfunctions.ContactEventsHandler;
import com.hrplatform.mailchimp.local.testfunctions.EchoApiHandler;
import com.hrplatform.mailchimp.local.testfunctions.ItemsHandler;
import com.hrplatform.mailchimp.local.testfunctions.QueueWorkerHandler;
import com.hrplatform.mailchimp.local.testfunctions.ScheduledHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One LocalCloud on the test template (test handlers) for the whole class. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalCloudTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "test-secret";
    static LocalCloud cloud;
    static HttpClient http;
    static LocalJwt jwt;
    static Instant oneTimeSchedule;
    static final Set<String> deadLettered = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() {
        oneTimeSchedule = Instant.now().plusSeconds(10).truncatedTo(ChronoUnit.SECONDS);
        String at = "at(" + LocalDateTime.ofInstant(oneTimeSchedule, ZoneOffset.UTC) + ")";
        cloud = LocalCloud.start(LocalCloudConfig.forTests().withTemplate(TemplateTest.fixture()).withJwtSecret(SECRET)
                .withParameterOverrides(Map.of("NightlyExpression", at.length() == "at(2026-01-01T00:00)".length()
                        ? at.replace(")", ":00)") : at)));
        http = HttpClient.newHttpClient();
        jwt = new LocalJwt(SECRET);
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    static String token(String org, String role) {
        return jwt.token("user-1", org, role, Instant.now().plus(Duration.ofMinutes(10)));
    }

    static HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpRequest.Builder api(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(cloud.apiUrl() + pathAndQuery));
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting for " + what + "; worker saw "
                        + QueueWorkerHandler.RECEIVED.stream().map(m -> m.getBody() + "#" + m.getAttributes().get("ApproximateReceiveCount")).toList()
                        + ", dead letters " + deadLettered);
            }
            Thread.sleep(25);
        }
    }

    // ------------------------------------------------------------------ API

    @Test
    @Order(1)
    void deliversAnHttpApiV2EventAndWritesTheResponseBack() throws Exception {
        EchoApiHandler.EVENTS.clear();
        long before = System.currentTimeMillis();
        HttpResponse<byte[]> r = send(api("/echo/42?b=2&a=1&a=x%20y").header("Authorization", "Bearer " + token("org-1", "admin"))
                .header("X-Custom", "v").header("Cookie", "c1=v1; c2=v2").header("User-Agent", "local-test"));
        assertEquals(201, r.statusCode());
        assertEquals("yes", r.headers().firstValue("x-test").orElse(null));
        assertEquals(List.of("a", "b"), r.headers().allValues("x-multi"));
        assertEquals(List.of("c1=v1"), r.headers().allValues("set-cookie"));
        assertEquals("ApiFunction", JSON.readTree(r.body()).get("fn").asText());

        APIGatewayV2HTTPEvent e = EchoApiHandler.EVENTS.getLast();
        assertEquals("2.0", e.getVersion());
        assertEquals("GET /echo/{id}", e.getRouteKey());
        assertEquals("/echo/42", e.getRawPath());
        assertEquals("b=2&a=1&a=x%20y", e.getRawQueryString());
        assertEquals(Map.of("a", "1,x y", "b", "2"), e.getQueryStringParameters());
        assertEquals("v", e.getHeaders().get("x-custom"));
        assertFalse(e.getHeaders().containsKey("X-Custom"), "header names are lower-cased");
        assertEquals(List.of("c1=v1", "c2=v2"), e.getCookies());
        assertEquals(Map.of("id", "42"), e.getPathParameters());
        assertNull(e.getBody());
        assertFalse(e.getIsBase64Encoded());
        var rc = e.getRequestContext();
        assertEquals("GET", rc.getHttp().getMethod());
        assertEquals("/echo/42", rc.getHttp().getPath());
        assertEquals("127.0.0.1", rc.getHttp().getSourceIp());
        assertEquals("local-test", rc.getHttp().getUserAgent());
        assertEquals(36, rc.getRequestId().length());
        assertEquals("GET /echo/{id}", rc.getRouteKey());
        assertEquals("$default", rc.getStage());
        assertTrue(rc.getTimeEpoch() >= before && rc.getTimeEpoch() <= System.currentTimeMillis());
        Map<String, String> claims = rc.getAuthorizer().getJwt().getClaims();
        assertEquals("org-1", claims.get("org_id"));
        assertEquals("admin", claims.get("role"));
        assertEquals("user-1", claims.get("sub"));
        assertTrue(claims.get("exp").matches("\\d+"), "claims arrive as strings");
    }

    @Test
    @Order(2)
    void textBodiesArePlainBinaryBodiesBase64() throws Exception {
        EchoApiHandler.EVENTS.clear();
        send(api("/public/json").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
        APIGatewayV2HTTPEvent json = EchoApiHandler.EVENTS.getLast();
        assertEquals("{\"a\":1}", json.getBody());
        assertFalse(json.getIsBase64Encoded());
        assertEquals("ANY /public/{proxy+}", json.getRouteKey());
        assertEquals(Map.of("proxy", "json"), json.getPathParameters());
        assertNull(json.getRequestContext().getAuthorizer(), "an Auth NONE route has no authorizer context");

        byte[] bin = {0, 1, 2, (byte) 200};
        send(api("/public/bin").header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(bin)));
        APIGatewayV2HTTPEvent b = EchoApiHandler.EVENTS.getLast();
        assertTrue(b.getIsBase64Encoded());
        assertArrayEquals(bin, Base64.getDecoder().decode(b.getBody()));

        HttpResponse<byte[]> r = send(api("/public/binary-response"));
        assertEquals(200, r.statusCode());
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 255}, r.body());
    }

    @Test
    @Order(3)
    void routesExactPathsBeforeGreedyOnesAndAnswers404Otherwise() throws Exception {
        String auth = "Bearer " + token("org-1", "member");
        assertEquals(201, send(api("/items").header("Authorization", auth)).statusCode(), "/items belongs to ApiFunction");
        HttpResponse<byte[]> greedy = send(api("/items/a/b%20c").header("Authorization", auth));
        assertEquals(200, greedy.statusCode());
        assertEquals("application/json", greedy.headers().firstValue("content-type").orElse(null));
        JsonNode body = JSON.readTree(greedy.body());
        assertEquals("items", body.get("handler").asText(), "a result without statusCode is answered 200 as JSON");
        assertEquals("a/b c", body.get("proxy").asText());
        assertEquals("ANY /items/{proxy+}", ItemsHandler.EVENTS.getLast().getRouteKey());
        assertEquals(404, send(api("/echo/42").header("Authorization", auth).POST(HttpRequest.BodyPublishers.noBody())).statusCode());
        assertEquals(404, send(api("/nowhere").header("Authorization", auth)).statusCode());
        assertEquals(404, send(api("/items/").header("Authorization", auth)).statusCode(), "{proxy+} needs a segment");
    }

    @Test
    @Order(4)
    void corsAsHttpApiAnswersIt() throws Exception {
        String origin = "http://dashboard.test";
        // No route takes OPTIONS /echo/{id} (GET only): the API answers the preflight from CorsConfiguration, no token needed.
        HttpResponse<byte[]> preflight = send(api("/echo/1").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization"));
        assertEquals(204, preflight.statusCode());
        assertEquals(origin, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertEquals("GET,POST", preflight.headers().firstValue("Access-Control-Allow-Methods").orElse(null));
        assertEquals("authorization,content-type", preflight.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
        assertEquals("300", preflight.headers().firstValue("Access-Control-Max-Age").orElse(null));
        assertEquals(0, preflight.body().length);

        // Another origin gets the 204 without any allowance, so the browser stops there.
        HttpResponse<byte[]> stranger = send(api("/echo/1").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://elsewhere.test").header("Access-Control-Request-Method", "GET"));
        assertEquals(204, stranger.statusCode());
        assertTrue(stranger.headers().firstValue("Access-Control-Allow-Origin").isEmpty());

        // An ANY route matches OPTIONS too: behind the JWT authorizer the preflight gets 401, as in AWS ...
        HttpResponse<byte[]> caught = send(api("/items").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "GET"));
        assertEquals(401, caught.statusCode());
        assertEquals("{\"message\":\"Unauthorized\"}", text(caught));
        // ... and without an authorizer the function gets it.
        EchoApiHandler.EVENTS.clear();
        HttpResponse<byte[]> toFunction = send(api("/public/x").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "GET"));
        assertEquals(201, toFunction.statusCode());
        assertEquals("OPTIONS", EchoApiHandler.EVENTS.getLast().getRequestContext().getHttp().getMethod());

        // Actual answers carry the allowance for an allowed origin: the function's, and the authorizer's 401.
        HttpResponse<byte[]> call = send(api("/echo/1").header("Origin", origin)
                .header("Authorization", "Bearer " + token("org-1", "admin")));
        assertEquals(201, call.statusCode());
        assertEquals(origin, call.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertEquals("x-request-id", call.headers().firstValue("Access-Control-Expose-Headers").orElse(null));
        HttpResponse<byte[]> refused = send(api("/echo/1").header("Origin", origin));
        assertEquals(401, refused.statusCode());
        assertEquals(origin, refused.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        HttpResponse<byte[]> sameOrigin = send(api("/echo/1").header("Authorization", "Bearer " + token("org-1", "admin")));
        assertTrue(sameOrigin.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), "no Origin, no allowance");
    }

    @Test
    @Order(4)
    void rejectsMissingForgedExpiredAndUnsignedTokensAsTheJwtAuthorizerDoes() throws Exception {
        // HTTP API's JWT authorizer answers before any function runs: its own body, no tRPC envelope.
        HttpResponse<byte[]> none = send(api("/trpc/mailchimp.segments.get?input=%7B%7D"));
        assertEquals(401, none.statusCode());
        assertEquals("{\"message\":\"Unauthorized\"}", text(none));
        HttpResponse<byte[]> nonTrpc = send(api("/echo/1"));
        assertEquals(401, nonTrpc.statusCode());
        assertEquals("{\"message\":\"Unauthorized\"}", text(nonTrpc));

        String forged = new LocalJwt("another-secret").token("u", "org-1", "admin", Instant.now().plusSeconds(600));
        String expired = jwt.token("u", "org-1", "admin", Instant.now().minusSeconds(5));
        String[] good = token("org-1", "admin").split("\\.");
        String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "." + good[1] + ".";
        for (String bad : List.of(forged, expired, unsigned, "garbage")) {
            assertEquals(401, send(api("/echo/1").header("Authorization", "Bearer " + bad)).statusCode(), bad);
        }
        assertEquals(401, send(api("/echo/1").header("Authorization", "Basic " + good[1])).statusCode());
        assertEquals(201, send(api("/echo/1").header("Authorization", "Bearer " + String.join(".", good))).statusCode());
    }

    @Test
    @Order(5)
    void aThrowingHandlerIsA502() throws Exception {
        HttpResponse<byte[]> r = send(api("/boom").POST(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(502, r.statusCode());
        assertEquals("{\"message\":\"Internal Server Error\"}", text(r));
    }

    // ------------------------------------------------------------------ Invoke API, configuration

    static HttpResponse<byte[]> invoke(String function, String event) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(cloud.invokeUrl() + "/2015-03-31/functions/" + function + "/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString(event)));
    }

    @Test
    @Order(6)
    void invokeApiRunsAFunctionWithItsConfiguration() throws Exception {
        HttpResponse<byte[]> r = invoke("InvokeFunction", "{\"hello\":\"world\"}");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("X-Amz-Function-Error").isEmpty());
        JsonNode out = JSON.readTree(r.body());
        assertEquals("world", out.at("/input/hello").asText());
        assertEquals("InvokeFunction", out.get("functionName").asText());
        assertEquals(36, out.get("requestId").asText().length());
        int remaining = out.get("remainingMillis").asInt();
        assertTrue(remaining > 0 && remaining <= 3000, "remaining time comes from the template Timeout: " + remaining);
        assertEquals(256, out.get("memory").asInt());
        assertEquals("TestTable", out.get("TEST_TABLE").asText());
        assertEquals(cloud.queueUrl("WorkQueue"), out.get("TEST_QUEUE_URL").asText());
        assertEquals(cloud.kmsKeyId("TestKey"), out.get("TEST_KEY_ID").asText());
        assertEquals("hello, us-east-1 ${Literal}", out.get("TEST_GREETING").asText());
        assertEquals("local-mode", out.get("TEST_MODE").asText());
        assertEquals(cloud.sandboxUrl(), out.get("MAILCHIMP_BASE_URL").asText(), "functions call the sandbox");
        assertEquals("yes-only-here", out.get("ONLY_INVOKE").asText());
    }

    @Test
    @Order(7)
    void invokeApiReportsUnknownFunctionsAndHandlerErrors() throws Exception {
        HttpResponse<byte[]> missing = invoke("NoSuchFunction", "{}");
        assertEquals(404, missing.statusCode());
        assertEquals("{\"Type\":\"User\",\"Message\":\"Function not found: arn:aws:lambda:us-east-1:000000000000:function:NoSuchFunction\"}",
                text(missing));
        HttpResponse<byte[]> failed = invoke("InvokeFunction", "{\"throw\":true}");
        assertEquals(200, failed.statusCode());
        assertEquals("Unhandled", failed.headers().firstValue("X-Amz-Function-Error").orElse(null));
        assertEquals("{\"errorMessage\":\"asked to fail\",\"errorType\":\"java.lang.IllegalArgumentException\"}", text(failed));
    }

    @Test
    @Order(8)
    void sdkClientsWithoutEndpointOverrideReachTheLocalEmulators() {
        // Only the system properties set by the runner tell these clients where to go.
        try (DynamoDbClient ddb = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
             KmsClient kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            assertEquals(TableStatus.ACTIVE, ddb.describeTable(b -> b.tableName("TestTable")).table().tableStatus());
            assertEquals("ByGsiPk", ddb.describeTable(b -> b.tableName("TestTable")).table().globalSecondaryIndexes().get(0).indexName());
            ddb.putItem(b -> b.tableName("TestTable").item(Map.of("pk", AttributeValue.fromS("p"), "sk", AttributeValue.fromS("s"))));
            assertEquals("p", ddb.getItem(b -> b.tableName("TestTable").key(Map.of("pk", AttributeValue.fromS("p"),
                    "sk", AttributeValue.fromS("s")))).item().get("pk").s());
            assertEquals(cloud.queueUrl("WorkQueue"), sqs.getQueueUrl(b -> b.queueName("WorkQueue.fifo")).queueUrl());
            SdkBytes blob = kms.encrypt(b -> b.keyId("alias/local-test").plaintext(SdkBytes.fromUtf8String("k"))
                    .encryptionContext(Map.of("orgId", "o"))).ciphertextBlob();
            assertEquals("k", kms.decrypt(b -> b.ciphertextBlob(blob).encryptionContext(Map.of("orgId", "o"))).plaintext().asUtf8String());
        }
        assertEquals(cloud.dynamoEndpoint(), System.getProperty(LocalCloud.DYNAMODB_ENDPOINT_PROPERTY));
    }

    // ------------------------------------------------------------------ schedules, events

    @Test
    @Order(9)
    void firesASchedulesFunctionOnRequest() throws Exception {
        HttpResponse<byte[]> r = send(api("/_local/schedules/ScheduledFunction").POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, r.statusCode());
        assertEquals("\"fired aws.scheduler\"", text(r));
        ScheduledEvent e = ScheduledHandler.EVENTS.getLast();
        assertEquals("Scheduled Event", e.getDetailType());
        assertEquals("aws.scheduler", e.getSource());
        assertEquals(List.of("arn:aws:scheduler:us-east-1:000000000000:schedule/default/ScheduledFunctionNightly"), e.getResources());
        assertEquals("us-east-1", e.getRegion());
        assertNotNull(e.getTime());
        assertEquals(404, send(api("/_local/schedules/ApiFunction").POST(HttpRequest.BodyPublishers.noBody())).statusCode());
    }

    @Test
    @Order(10)
    void deliversEventsToRulesWhosePatternMatches() throws Exception {
        ContactEventsHandler.EVENTS.clear();
        String body = "{\"Entries\":["
                + "{\"Source\":\"platform.directory\",\"DetailType\":\"Contact Upserted\",\"Detail\":\"{\\\"orgId\\\":\\\"o1\\\",\\\"entityType\\\":\\\"employee\\\",\\\"entityId\\\":\\\"e1\\\"}\"},"
                + "{\"Source\":\"platform.directory\",\"DetailType\":\"Contact Upserted\",\"Detail\":\"{\\\"orgId\\\":\\\"o1\\\",\\\"entityType\\\":\\\"vendor\\\",\\\"entityId\\\":\\\"v1\\\"}\"},"
                + "{\"Source\":\"somebody.else\",\"DetailType\":\"Contact Upserted\",\"Detail\":\"{\\\"entityType\\\":\\\"employee\\\"}\"}]}";
        HttpResponse<byte[]> r = send(api("/_local/events").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertEquals(200, r.statusCode());
        JsonNode out = JSON.readTree(r.body());
        assertEquals(0, out.get("FailedEntryCount").asInt());
        assertEquals(3, out.get("Entries").size());
        assertEquals(36, out.at("/Entries/0/EventId").asText().length());
        assertEquals(1, ContactEventsHandler.EVENTS.size());
        ScheduledEvent e = ContactEventsHandler.EVENTS.getFirst();
        assertEquals("platform.directory", e.getSource());
        assertEquals("Contact Upserted", e.getDetailType());
        assertEquals("e1", e.getDetail().get("entityId"));

        // The SDK's EventBridge client reaches the same router through aws.endpointUrlEventBridge.
        try (EventBridgeClient eb = EventBridgeClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            var resp = eb.putEvents(b -> b.entries(en -> en.source("platform.directory").detailType("Contact Upserted")
                    .detail("{\"orgId\":\"o1\",\"entityType\":\"employee\",\"entityId\":\"e2\"}")));
            assertEquals(0, resp.failedEntryCount());
        }
        assertEquals("e2", ContactEventsHandler.EVENTS.getLast().getDetail().get("entityId"));
    }

    // ------------------------------------------------------------------ SQS

    static SqsClient sqs() {
        return SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }

    static long deliveries(String body) {
        return QueueWorkerHandler.RECEIVED.stream().filter(m -> m.getBody().equals(body)).count();
    }

    /**
     * Waits until the work queue is idle (every failed record has been moved to the DLQ), then takes the DLQ's
     * records. Not sooner: ElasticMQ 1.7.1 gives the moved copy the same list of receipts as the original, so a
     * receive from the DLQ while the work queue is still moving a record there can stop the work queue from
     * deleting its original, which then stays visible but is never delivered again.
     */
    static void awaitRedriveThenCollectDeadLetters(SqsClient sqs, String... expected) throws InterruptedException {
        assertTrue(cloud.awaitQueuesIdle(Duration.ofSeconds(30)), cloud::queuesBusyState);
        // The move itself is a message between ElasticMQ's queues: it may land a moment after the work queue is idle.
        await("the failed records in the DLQ", Duration.ofSeconds(10), () -> {
            collectDeadLetters(sqs);
            return deadLettered.containsAll(List.of(expected));
        });
    }

    static void collectDeadLetters(SqsClient sqs) {
        List<Message> ms = sqs.receiveMessage(b -> b.queueUrl(cloud.queueUrl("WorkDeadLetterQueue")).maxNumberOfMessages(10)
                .waitTimeSeconds(0)).messages();
        for (Message m : ms) {
            deadLettered.add(m.body());
            sqs.deleteMessage(b -> b.queueUrl(cloud.queueUrl("WorkDeadLetterQueue")).receiptHandle(m.receiptHandle()));
        }
    }

    static void send(SqsClient sqs, String group, String... bodies) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (String b : bodies) {
            entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(entries.size())).messageBody(b)
                    .messageGroupId(group).build());
        }
        sqs.sendMessageBatch(b -> b.queueUrl(cloud.queueUrl("WorkQueue")).entries(entries));
    }

    @Test
    @Order(11)
    void partialBatchFailuresRetryOnlyTheFailedRecordsUntilTheDeadLetterQueue() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (SqsClient sqs = sqs()) {
            sqs.sendMessageBatch(b -> b.queueUrl(cloud.queueUrl("WorkQueue")).entries(
                    SendMessageBatchRequestEntry.builder().id("1").messageBody("ok-a-" + run).messageGroupId("A" + run)
                            .messageAttributes(Map.of("kind", software.amazon.awssdk.services.sqs.model.MessageAttributeValue.builder()
                                    .dataType("String").stringValue("test").build())).build(),
                    SendMessageBatchRequestEntry.builder().id("2").messageBody("fail-b-" + run).messageGroupId("B" + run).build(),
                    SendMessageBatchRequestEntry.builder().id("3").messageBody("ok-c-" + run).messageGroupId("C" + run).build()));
            awaitRedriveThenCollectDeadLetters(sqs, "fail-b-" + run);
            assertEquals(1, deliveries("ok-a-" + run), "a successful record is deleted, not redelivered");
            assertEquals(1, deliveries("ok-c-" + run));
            assertEquals(2, deliveries("fail-b-" + run), "maxReceiveCount 2, then the DLQ");
            assertFalse(deadLettered.contains("ok-a-" + run));

            SQSEvent.SQSMessage a = QueueWorkerHandler.RECEIVED.stream().filter(m -> m.getBody().equals("ok-a-" + run)).findFirst().orElseThrow();
            assertEquals("aws:sqs", a.getEventSource());
            assertEquals("arn:aws:sqs:us-east-1:000000000000:WorkQueue.fifo", a.getEventSourceArn());
            assertEquals("A" + run, a.getAttributes().get("MessageGroupId"));
            assertEquals("1", a.getAttributes().get("ApproximateReceiveCount"));
            assertNotNull(a.getAttributes().get("SequenceNumber"));
            assertNotNull(a.getReceiptHandle());
            assertEquals("test", a.getMessageAttributes().get("kind").getStringValue());
            assertEquals("String", a.getMessageAttributes().get("kind").getDataType());
        }
    }

    @Test
    @Order(12)
    void inAFifoGroupRecordsAfterAFailureAreNotDeletedAndAThrowRetriesTheBatch() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String fail = "fail-g-" + run;
        String after = "ok-g-" + run;
        try (SqsClient sqs = sqs()) {
            send(sqs, "G" + run, fail, after);
            send(sqs, "T" + run, "throw-t-" + run);
            awaitRedriveThenCollectDeadLetters(sqs, fail, "throw-t-" + run);
            assertEquals(2, deliveries("throw-t-" + run), "a thrown error leaves the batch for redelivery");
            // Whenever the later record shared a batch with the failed one, it was not deleted: it came back.
            List<List<String>> batches = new ArrayList<>(QueueWorkerHandler.BATCHES);
            int together = 0;
            for (int i = 0; i < batches.size(); i++) {
                List<String> b = batches.get(i);
                if (b.contains(fail) && b.contains(after)) {
                    together++;
                    assertTrue(b.indexOf(fail) < b.indexOf(after), "FIFO order within the group");
                    boolean cameBack = deadLettered.contains(after);
                    for (int j = i + 1; j < batches.size(); j++) {
                        cameBack |= batches.get(j).contains(after);
                    }
                    assertTrue(cameBack, "the record after the failure was kept for retry: " + batches);
                }
            }
            assertTrue(together > 0, "ElasticMQ delivered the group's records together at least once: " + batches);
            assertTrue(deadLettered.contains(after) || batches.get(batches.size() - 1).contains(after)
                    || batches.stream().filter(b -> b.contains(after) && !b.contains(fail)).count() == 1,
                    "the later record ends processed once alone or in the DLQ: " + batches);
        }
    }

    @Test
    @Order(20)
    void firesScheduleExpressionsOnTime() throws Exception {
        await("the at(...) schedule", Duration.ofSeconds(30), () -> ScheduledHandler.EVENTS.stream()
                .anyMatch(e -> e.getTime() != null && e.getTime().getMillis() == oneTimeSchedule.toEpochMilli()));
        assertTrue(Instant.now().isAfter(oneTimeSchedule), "not before its time");
    }
}
