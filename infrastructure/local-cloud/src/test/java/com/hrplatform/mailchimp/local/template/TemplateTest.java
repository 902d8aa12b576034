package com.hrplatform.mailchimp.local.template;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TemplateTest {

    public static Path fixture() {
        try {
            return Path.of(TemplateTest.class.getResource("/local-cloud-test-template.yaml").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static LocalTemplate resolve(Template t) {
        return LocalTemplate.resolve(t, new LocalAddresses(t, "http://127.0.0.1:9324/", "http://127.0.0.1:3000"));
    }

    private static LocalTemplate resolveYaml(String yaml) {
        return resolve(Template.parse(Path.of("inline.yaml"), yaml, Map.of()));
    }

    @Test
    void resolvesEnvironmentWithGlobalsRefSubAndIf() {
        LocalTemplate t = resolve(Template.load(fixture()));
        Map<String, String> env = t.functions().get("InvokeFunction").environment();
        assertEquals("TestTable", env.get("TEST_TABLE"));
        assertEquals("http://127.0.0.1:9324/000000000000/WorkQueue.fifo", env.get("TEST_QUEUE_URL"));
        assertEquals(LocalAddresses.keyId("TestKey"), env.get("TEST_KEY_ID"));
        assertEquals("hello, us-east-1 ${Literal}", env.get("TEST_GREETING"));
        assertEquals("local-mode", env.get("TEST_MODE"));
        assertEquals("", env.get("MAILCHIMP_BASE_URL"));
        assertEquals("yes-only-here", env.get("ONLY_INVOKE"), "function variables merge with Globals");
        assertFalse(t.functions().get("ApiFunction").environment().containsKey("ONLY_INVOKE"));
        assertEquals(3, t.functions().get("InvokeFunction").timeoutSeconds(), "the function's Timeout beats Globals");
        assertEquals(10, t.functions().get("ApiFunction").timeoutSeconds());
        assertEquals(256, t.functions().get("ApiFunction").memoryMb());
        assertEquals("handleRequest", t.functions().get("InvokeFunction").handlerMethod());
    }

    @Test
    void parameterOverridesAndConditionsApply() {
        Template raw = Template.load(fixture(), Map.of("Greeting", "hi", "Stage", "prod", "NoDefault", "named"));
        LocalTemplate t = resolve(raw);
        assertEquals("hi, us-east-1 ${Literal}", t.functions().get("ApiFunction").environment().get("TEST_GREETING"));
        assertEquals("cloud-mode", t.functions().get("ApiFunction").environment().get("TEST_MODE"));
        assertEquals(3, t.queues().size(), "the IsCloud queue exists once Stage is not local");
        assertEquals(2, resolve(Template.load(fixture())).queues().size(), "and is skipped by default");
        assertThrows(TemplateException.class, () -> Template.load(fixture(), Map.of("Unknown", "x")));
    }

    @Test
    void readsTablesQueuesKeysAndEvents() {
        LocalTemplate t = resolve(Template.load(fixture()));
        assertEquals(1, t.tables().size());
        assertEquals("ByGsiPk", t.tables().get(0).properties().path("GlobalSecondaryIndexes").get(0).path("IndexName").asText());

        LocalTemplate.Queue work = t.queues().stream().filter(q -> q.logicalId().equals("WorkQueue")).findFirst().orElseThrow();
        assertEquals("WorkQueue.fifo", work.name());
        assertTrue(work.fifo());
        assertEquals("true", work.attributes().get("ContentBasedDeduplication"));
        assertEquals("1", work.attributes().get("VisibilityTimeout"));
        assertEquals("arn:aws:sqs:us-east-1:000000000000:WorkDeadLetterQueue.fifo", work.deadLetterTargetArn());
        assertEquals("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:WorkDeadLetterQueue.fifo\",\"maxReceiveCount\":2}",
                work.attributes().get("RedrivePolicy"));

        assertEquals(LocalAddresses.keyId("TestKey"), t.keys().get(0).keyId());
        assertEquals("alias/local-test", t.aliases().get(0).aliasName());

        var api = t.functions().get("ApiFunction");
        assertEquals(4, api.routes().size());
        var echo = api.routes().stream().filter(r -> r.eventName().equals("Echo")).findFirst().orElseThrow();
        assertEquals("GET /echo/{id}", echo.routeKey());
        assertTrue(echo.authorized());
        assertFalse(api.routes().stream().filter(r -> r.eventName().equals("Public")).findFirst().orElseThrow().authorized());

        var sqs = t.functions().get("WorkerFunction").sqsSources().get(0);
        assertEquals("arn:aws:sqs:us-east-1:000000000000:WorkQueue.fifo", sqs.queueArn());
        assertEquals(10, sqs.batchSize());
        assertTrue(sqs.reportBatchItemFailures());

        var schedule = t.functions().get("ScheduledFunction").schedules().get(0);
        assertEquals("ScheduleV2", schedule.type());
        assertEquals("cron(0 5 * * ? *)", schedule.expression());

        var rule = t.functions().get("ContactFunction").rules().get(0);
        assertEquals("platform.directory", rule.pattern().path("source").get(0).asText());
        assertEquals("default", rule.eventBusName());
    }

    @Test
    void failsLoudlyOnWhatItDoesNotKnow() {
        String head = "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.B\n"
                + "      Environment:\n        Variables:\n          X:\n";
        TemplateException unknownFn = assertThrows(TemplateException.class,
                () -> resolveYaml(head + "            Fn::ImportValue: other-stack-export\n"));
        assertTrue(unknownFn.getMessage().contains("Fn::ImportValue"), unknownFn.getMessage());
        assertThrows(TemplateException.class, () -> resolveYaml(head + "            Ref: Nowhere\n"));
        assertThrows(TemplateException.class, () -> resolveYaml(head + "            Fn::GetAtt: [F, Nonsense]\n"));
        assertThrows(TemplateException.class, () -> resolveYaml("Parameters:\n  P:\n    Type: String\n" + head + "            Ref: P\n"));
        assertThrows(TemplateException.class, () -> Template.parse(Path.of("short.yaml"),
                "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref X\n", Map.of()));
        assertThrows(TemplateException.class, () -> resolveYaml(
                "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.B\n"
                        + "      Events:\n        E:\n          Type: Api\n          Properties:\n            Path: /x\n            Method: get\n"));
        assertThrows(TemplateException.class, () -> resolveYaml(
                "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.B\n"
                        + "      Events:\n        E:\n          Type: ScheduleV2\n          Properties:\n            ScheduleExpression: every day\n"));
    }

    @Test
    void readsTheRepositoryTemplate() {
        Path repoTemplate = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("template.yaml")) && Files.isRegularFile(d.resolve("mvnw"))) {
                repoTemplate = d.resolve("template.yaml");
                break;
            }
        }
        assertTrue(repoTemplate != null, "template.yaml at the repository root");
        LocalTemplate t = resolve(Template.load(repoTemplate));
        assertTrue(t.functions().containsKey("ConnectionFunction"));
        assertTrue(t.functions().get("ConnectionFunction").routes().stream()
                .anyMatch(r -> r.path().equals("/trpc/mailchimp.connection.get") && r.authorized()));
        assertTrue(t.tables().stream().anyMatch(x -> x.name().equals("ConnectionsTable")));
        assertTrue(t.queues().stream().anyMatch(q -> q.name().equals("SegmentSyncQueue.fifo")));
        assertEquals("SegmentSyncQueue.fifo", t.functions().get("ConnectionFunction").environment()
                .get("SEGMENT_SYNC_QUEUE_URL").replaceAll(".*/", ""));
    }
}
