package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.hrplatform.mailchimp.local.TemplateChecksTestSupport.environmentReferenceProblems;
import static com.hrplatform.mailchimp.local.TemplateChecksTestSupport.fixture;
import static com.hrplatform.mailchimp.local.TemplateChecksTestSupport.handlerProblems;
import static com.hrplatform.mailchimp.local.TemplateChecksTestSupport.projectTemplate;
import static com.hrplatform.mailchimp.local.TemplateChecksTestSupport.routeProblems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Static checks of template.yaml against the code and the cfn-guard rules. Every check is a function of a
 * template file and is shown to fail on a small broken fixture (src/test/resources/template-checks/ and
 * infrastructure/guard/tests/), so a check that silently passes everything cannot go unnoticed.
 */
class TemplateChecksTest {

    private static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> projectTemplate() + ":\n  " + String.join("\n  ", problems));
    }

    private static void assertProblemsMention(List<String> problems, String... fragments) {
        assertFalse(problems.isEmpty(), "the check found nothing wrong with a broken template");
        for (String fragment : fragments) {
            assertTrue(problems.stream().anyMatch(p -> p.contains(fragment)),
                    () -> "no problem mentions \"" + fragment + "\": " + problems);
        }
    }

    @Test
    @DisplayName("template.yaml uses long-form intrinsics only (plain YAML parsers must read it)")
    void noShortFormTags() throws IOException {
        String text = Files.readString(projectTemplate());
        assertFalse(Pattern.compile("(?m)(^|[\\s:\\[,-])!(Ref|GetAtt|Sub|If|Join|Select|Split|Equals|Not|And|Or|"
                + "FindInMap|ImportValue|GetAZs|Base64|Cidr|Condition)\\b").matcher(text).find(), "short-form tag in template.yaml");
        assertFalse(text.contains("!Ref") || text.contains("!GetAtt") || text.contains("!Sub") || text.contains("!If"),
                "the local runner refuses any template text containing !Ref/!GetAtt/!Sub/!If, comments included");
    }

    static Stream<Path> sampleEvents() throws IOException {
        try (Stream<Path> files = Files.list(TemplateChecksTestSupport.repoRoot().resolve("events"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "events/{0} loads as an HTTP API v2 event for a route of template.yaml")
    @MethodSource("sampleEvents")
    void sampleEventMatchesARoute(Path event) {
        JsonNode template = TemplateChecksTestSupport.read(projectTemplate());
        Set<String> routeKeys = new HashSet<>();
        TemplateChecksTestSupport.resourcesOfType(template, TemplateChecksTestSupport.SERVERLESS_FUNCTION).values()
                .forEach(f -> f.path("Properties").path("Events").forEach(e -> routeKeys.add(
                        e.path("Properties").path("Method").asText() + " " + e.path("Properties").path("Path").asText())));
        APIGatewayV2HTTPEvent loaded = EventLoader.loadApiGatewayHttpEvent(event.toString());
        assertEquals("2.0", loaded.getVersion());
        assertTrue(routeKeys.contains(loaded.getRouteKey()), () -> loaded.getRouteKey() + " is not a route of " + routeKeys);
        assertEquals(loaded.getRawPath(), loaded.getRequestContext().getHttp().getPath());
        Map<String, String> claims = loaded.getRequestContext().getAuthorizer().getJwt().getClaims();
        assertTrue(claims.keySet().containsAll(Set.of("sub", "org_id", "role")), () -> "claims " + claims);
    }

    @Nested
    @DisplayName("(a) every Handler names an existing class and method")
    class Handlers {
        @Test
        void projectTemplate_handlersExist() {
            assertNoProblems(handlerProblems(projectTemplate()));
        }

        @Test
        void failsOnUnknownHandlerClass() {
            assertProblemsMention(handlerProblems(fixture("bad-handler-class.yaml")),
                    "MissingFunction: handler class com.hrplatform.mailchimp.functions.NoSuchApiHandler is not on the classpath");
        }

        @Test
        void failsOnUnknownHandlerMethod() {
            assertProblemsMention(handlerProblems(fixture("bad-handler-method.yaml")),
                    "WrongMethodFunction: handler class com.hrplatform.mailchimp.functions.AuditApiHandler has no public method handle");
        }
    }

    @Nested
    @DisplayName("(b) environment Ref / Fn::GetAtt / Fn::Sub name defined parameters and resources")
    class EnvironmentReferences {
        @Test
        void projectTemplate_referencesResolve() {
            assertNoProblems(environmentReferenceProblems(projectTemplate()));
        }

        @Test
        void failsOnUndefinedReferences() {
            List<String> problems = environmentReferenceProblems(fixture("bad-environment-references.yaml"));
            assertProblemsMention(problems,
                    "Globals.Function.CONNECTIONS_TABLE: Ref ConnectionTable",
                    "Globals.Function.SEGMENT_SYNC_QUEUE_URL: Fn::GetAtt SegmentQueue",
                    "AuditFunction.AUDIT_TABLE: Fn::Sub ${AuditTabel}",
                    "AuditFunction.MAILCHIMP_BASE_URL: Ref MailchimpUrl");
            assertEquals(4, problems.size(), () -> "only the four broken references: " + problems);
        }
    }

    @Nested
    @DisplayName("(c) HttpApi routes /trpc/<procedure> match the handlers' routers")
    class Routes {
        @Test
        void projectTemplate_routesMatchProcedures() {
            assertNoProblems(routeProblems(projectTemplate()));
        }

        @Test
        void failsOnRouteWithoutProcedure() {
            assertProblemsMention(routeProblems(fixture("bad-route-without-procedure.yaml")),
                    "ConnectionFunction: route /trpc/mailchimp.connection.reconnect has no procedure mailchimp.connection.reconnect");
        }

        @Test
        void failsOnProcedureWithoutRoute() {
            List<String> problems = routeProblems(fixture("bad-procedure-without-route.yaml"));
            assertProblemsMention(problems,
                    "ConnectionFunction: procedure mailchimp.connection.listAudiences of com.hrplatform.mailchimp.functions.ConnectionApiHandler has no route",
                    "AuditFunction: procedure mailchimp.audit.list of com.hrplatform.mailchimp.functions.AuditApiHandler has no route");
        }
    }

    @Nested
    @DisplayName("(d) cfn-guard rules of infrastructure/guard")
    class Guard {
        @Test
        void projectTemplate_passesEveryRule() throws Exception {
            Map<String, String> statuses = TemplateChecksTestGuard.validate(projectTemplate());
            Map<String, String> expected = new TreeMap<>();
            TemplateChecksTestGuard.declaredRules().keySet().forEach(rule -> expected.put(rule, "PASS"));
            // PASS, not SKIP: every rule has something to check in template.yaml.
            assertEquals(expected, new TreeMap<>(statuses));
        }

        @Test
        void guardUnitTestsPass_andEveryRuleHasACaseItMustFail() throws Exception {
            TemplateChecksTestGuard.Result result = TemplateChecksTestGuard.unitTests();
            assertEquals(0, result.exitCode(), result::output);
            JsonNode expectations;
            for (Map.Entry<String, String> rule : TemplateChecksTestGuard.declaredRules().entrySet()) {
                Path tests = TemplateChecksTestGuard.guardDir().resolve("tests/" + rule.getValue() + "_tests.yaml");
                assertTrue(Files.isRegularFile(tests), "no cfn-guard tests for " + rule.getValue() + ".guard: " + tests);
                expectations = new YAMLMapper().readTree(tests.toFile());
                boolean hasFailCase = false;
                for (JsonNode testCase : expectations) {
                    hasFailCase |= "FAIL".equals(testCase.path("expectations").path("rules").path(rule.getKey()).asText());
                }
                assertTrue(hasFailCase, "no test case in " + tests + " expects " + rule.getKey() + " to FAIL");
            }
        }

        static Stream<Arguments> brokenCopies() {
            return Stream.of(
                    broken("sqs_queues_have_redrive_policy", "SegmentSyncQueue without RedrivePolicy",
                            t -> properties(t, "SegmentSyncQueue").remove("RedrivePolicy")),
                    broken("dynamodb_tables_have_point_in_time_recovery", "ConnectionsTable with PITR off",
                            t -> ((ObjectNode) properties(t, "ConnectionsTable").path("PointInTimeRecoverySpecification"))
                                    .put("PointInTimeRecoveryEnabled", false)),
                    broken("dynamodb_tables_have_sse", "AuditTable without SSESpecification",
                            t -> properties(t, "AuditTable").remove("SSESpecification")),
                    broken("kms_keys_have_rotation", "ApiKeyEncryptionKey without rotation",
                            t -> properties(t, "ApiKeyEncryptionKey").put("EnableKeyRotation", false)),
                    broken("serverless_functions_have_log_group_with_retention", "AuditFunctionLogGroup without RetentionInDays",
                            t -> properties(t, "AuditFunctionLogGroup").remove("RetentionInDays")),
                    broken("serverless_functions_have_log_group_with_retention", "ConnectionFunction without LoggingConfig",
                            t -> properties(t, "ConnectionFunction").remove("LoggingConfig")),
                    broken("dynamodb_tables_have_deletion_protection", "LocksTable without DeletionProtectionEnabled",
                            t -> properties(t, "LocksTable").remove("DeletionProtectionEnabled")),
                    broken("dynamodb_indexes_exclude_encrypted_api_key", "ActiveConnectionsIndex projecting ALL",
                            t -> ((ObjectNode) properties(t, "ConnectionsTable").path("GlobalSecondaryIndexes").path(0)
                                    .path("Projection")).put("ProjectionType", "ALL")),
                    broken("sqs_event_sources_have_maximum_concurrency", "the consent queue source without ScalingConfig",
                            t -> ((ObjectNode) properties(t, "ConsentWorkerFunction").path("Events").path("ConsentQueue")
                                    .path("Properties")).remove("ScalingConfig")),
                    broken("dead_letter_queues_have_depth_alarm", "no alarm on ConsentDeadLetterQueue",
                            t -> ((ObjectNode) t.path("Resources")).remove("ConsentDeadLetterQueueDepthAlarm")),
                    broken("dead_letter_queues_have_depth_alarm", "no alarm on the events' dead-letter queue",
                            t -> ((ObjectNode) t.path("Resources")).remove("EventDeliveryDeadLetterQueueDepthAlarm")));
        }

        private static Arguments broken(String rule, String change, Consumer<ObjectNode> mutation) {
            return Arguments.of(rule, change, mutation);
        }

        private static ObjectNode properties(ObjectNode template, String logicalId) {
            return (ObjectNode) template.path("Resources").path(logicalId).path("Properties");
        }

        @ParameterizedTest(name = "{0} fails on template.yaml with {1}")
        @MethodSource("brokenCopies")
        void ruleFailsOnBrokenCopyOfTemplate(String rule, String change, Consumer<ObjectNode> mutation,
                                             @TempDir Path dir) throws Exception {
            ObjectNode template = TemplateChecksTestSupport.copy(TemplateChecksTestSupport.read(projectTemplate()));
            mutation.accept(template);
            Path copy = dir.resolve("template.yaml");
            new YAMLMapper().writeValue(copy.toFile(), template);

            Map<String, String> statuses = TemplateChecksTestGuard.validate(copy);
            assertEquals("FAIL", statuses.get(rule), () -> rule + " on " + change + ": " + statuses);
            statuses.forEach((other, status) -> {
                if (!other.equals(rule)) {
                    assertEquals("PASS", status, () -> other + " should be untouched by " + change);
                }
            });
        }
    }
}
