package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hrplatform.mailchimp.local.kms.LocalKms;
import com.hrplatform.mailchimp.local.template.LocalAddresses;
import com.hrplatform.mailchimp.local.template.TemplateTest;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LocalCloudConfig#withAwsEndpoint} without Docker: one endpoint standing in for LocalStack, which routes
 * each request by its {@code X-Amz-Target} to a dynalite, an ElasticMQ and a {@link LocalKms} started here (and
 * answers CreateKey / CreateAlias / UpdateAlias, which LocalKms does not serve, through LocalKms's Java API).
 * The cloud must start none of its own emulators, create the tables, queues and keys at the endpoint, and resolve
 * the key's {@code Ref} to the id the endpoint chose.
 */
class LocalCloudExternalAwsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static Dynalite dynalite;
    static ElasticMq elasticMq;
    static LocalKms kms;
    static HttpServer endpoint;
    static URI endpointUri;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startServices() throws IOException {
        Path infra = LocalCloudConfig.defaults().withTemplate(TemplateTest.fixture()).resolvedInfrastructureDir();
        dynalite = Dynalite.start(NodeModules.ensureInstalled(infra), 0, null, Duration.ofSeconds(30));
        elasticMq = ElasticMq.start(0);
        kms = LocalKms.start(0);
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/", LocalCloudExternalAwsTest::route);
        endpoint.setExecutor(Executors.newCachedThreadPool()); // SQS long polls must not block everything else
        endpoint.start();
        endpointUri = URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort());
    }

    @AfterAll
    static void stopServices() {
        if (endpoint != null) {
            endpoint.stop(0);
        }
        for (AutoCloseable c : new AutoCloseable[] {kms, elasticMq, dynalite}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static LocalCloudConfig config() {
        return LocalCloudConfig.forTests().withTemplate(TemplateTest.fixture()).withAwsEndpoint(endpointUri);
    }

    @Test
    void createsEverythingAtTheExternalEndpointAndStartsNoEmulator() throws Exception {
        String keyId;
        try (LocalCloud cloud = LocalCloud.start(config())) {
            assertEquals(List.of(), cloud.childProcessIds(), "no dynalite of its own");
            assertNull(cloud.kms(), "no LocalKms of its own");
            for (String property : List.of(LocalCloud.DYNAMODB_ENDPOINT_PROPERTY, LocalCloud.SQS_ENDPOINT_PROPERTY,
                    LocalCloud.KMS_ENDPOINT_PROPERTY)) {
                assertEquals(endpointUri.toString(), System.getProperty(property), property);
            }

            try (DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(URI.create(dynalite.endpoint()))
                    .region(Region.US_EAST_1).credentialsProvider(local()).httpClient(UrlConnectionHttpClient.create()).build();
                 SqsClient sqs = SqsClient.builder().endpointOverride(URI.create(elasticMq.endpoint()))
                    .region(Region.US_EAST_1).credentialsProvider(local()).httpClient(UrlConnectionHttpClient.create()).build()) {
                List<String> tables = ddb.listTables().tableNames();
                cloud.template().tables().forEach(t -> assertTrue(tables.contains(t.name()), t.name() + " in " + tables));
                List<String> queues = sqs.listQueues().queueUrls();
                cloud.template().queues().forEach(q ->
                        assertTrue(queues.stream().anyMatch(u -> u.endsWith("/" + q.name())), q.name() + " in " + queues));
            }

            keyId = cloud.kmsKeyId("TestKey");
            assertNotEquals(LocalAddresses.keyId("TestKey"), keyId, "the endpoint's key id, not the derived one");
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(cloud.invokeUrl()
                    + "/2015-03-31/functions/InvokeFunction/invocations")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertEquals(keyId, JSON.readTree(r.body()).get("TEST_KEY_ID").asText(), "Ref of the key in a function's environment");

            // the template's alias points at it, through the SDK's own endpoint settings
            try (KmsClient client = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
                SdkBytes blob = client.encrypt(b -> b.keyId("alias/local-test").plaintext(SdkBytes.fromUtf8String("k"))
                        .encryptionContext(Map.of("orgId", "o"))).ciphertextBlob();
                assertEquals("k", client.decrypt(b -> b.ciphertextBlob(blob).encryptionContext(Map.of("orgId", "o")))
                        .plaintext().asUtf8String());
                assertEquals(keyId, client.describeKey(b -> b.keyId("alias/local-test")).keyMetadata().keyId());
            }
        }
        assertNotEquals(endpointUri.toString(), System.getProperty(LocalCloud.DYNAMODB_ENDPOINT_PROPERTY), "restored");

        try (LocalCloud again = LocalCloud.start(config())) {
            assertEquals(keyId, again.kmsKeyId("TestKey"), "a restart finds its key again");
        }
    }

    private static StaticCredentialsProvider local() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    // ------------------------------------------------------------------ the stand-in for LocalStack

    private static void route(HttpExchange ex) throws IOException {
        try (ex) {
            String target = String.valueOf(ex.getRequestHeaders().getFirst("X-Amz-Target"));
            byte[] body = ex.getRequestBody().readAllBytes();
            int status = 200;
            byte[] out;
            String contentType = "application/x-amz-json-1.1";
            switch (target) {
                case "TrentService.CreateKey" -> {
                    String id = kms.createKey();
                    ObjectNode meta = JSON.createObjectNode().put("KeyId", id).put("Arn", LocalKms.keyArn(id));
                    out = JSON.writeValueAsBytes(JSON.createObjectNode().set("KeyMetadata", meta));
                }
                case "TrentService.CreateAlias", "TrentService.UpdateAlias" -> {
                    JsonNode req = JSON.readTree(body);
                    String target0 = req.path("TargetKeyId").asText();
                    kms.addAlias(req.path("AliasName").asText(),
                            target0.contains("key/") ? target0.substring(target0.indexOf("key/") + 4) : target0);
                    out = "{}".getBytes();
                }
                default -> {
                    String to = target.startsWith("DynamoDB_") ? dynalite.endpoint()
                            : target.startsWith("AmazonSQS.") ? elasticMq.endpoint()
                            : target.startsWith("TrentService.") ? kms.endpoint() : null;
                    if (to == null) {
                        ex.sendResponseHeaders(400, -1);
                        return;
                    }
                    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(to + ex.getRequestURI()))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                    for (String h : List.of("Content-Type", "X-Amz-Target", "Authorization", "X-Amz-Date")) {
                        String v = ex.getRequestHeaders().getFirst(h);
                        if (v != null) {
                            req.header(h, v);
                        }
                    }
                    HttpResponse<byte[]> r;
                    try {
                        r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                    status = r.statusCode();
                    out = r.body();
                    contentType = r.headers().firstValue("Content-Type").orElse(contentType);
                    r.headers().firstValue("x-amzn-ErrorType").ifPresent(v -> ex.getResponseHeaders().set("x-amzn-ErrorType", v));
                    r.headers().firstValue("x-amzn-query-error").ifPresent(v -> ex.getResponseHeaders().set("x-amzn-query-error", v));
                }
            }
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        }
    }
}
