package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.local.template.TemplateTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start, stop and restart with a data directory: no child process survives, data does. */
class LocalCloudLifecycleTest {

    private static Map<String, AttributeValue> key() {
        return Map.of("pk", AttributeValue.fromS("kept"), "sk", AttributeValue.fromS("1"));
    }

    @Test
    void closeStopsEveryChildAndDataSurvivesARestart(@TempDir Path dir) throws Exception {
        String before = System.getProperty(LocalCloud.DYNAMODB_ENDPOINT_PROPERTY);
        LocalCloudConfig config = LocalCloudConfig.forTests().withTemplate(TemplateTest.fixture())
                .withDynaliteDataDir(dir.resolve("dynalite")).withKmsKeyStore(dir.resolve("kms.txt"));
        List<Long> children;
        String apiUrl;
        try (LocalCloud first = LocalCloud.start(config)) {
            children = first.childProcessIds();
            apiUrl = first.apiUrl();
            assertFalse(children.isEmpty());
            assertTrue(children.stream().allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
            try (DynamoDbClient ddb = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
                ddb.putItem(b -> b.tableName("TestTable").item(Map.of("pk", AttributeValue.fromS("kept"),
                        "sk", AttributeValue.fromS("1"), "v", AttributeValue.fromS("survives"))));
            }
        }
        for (Long pid : children) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child " + pid + " still running");
        }
        assertEquals(before, System.getProperty(LocalCloud.DYNAMODB_ENDPOINT_PROPERTY), "system properties restored");
        assertNull(System.getProperty("TEST_TABLE"));
        HttpClient http = HttpClient.newHttpClient();
        assertThrows(ConnectException.class, () -> http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/echo/1")).build(),
                HttpResponse.BodyHandlers.discarding()));

        try (LocalCloud second = LocalCloud.start(config);
             DynamoDbClient ddb = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            assertEquals("survives", ddb.getItem(b -> b.tableName("TestTable").key(key())).item().get("v").s(),
                    "tables are created only if absent");
        }
    }
}
