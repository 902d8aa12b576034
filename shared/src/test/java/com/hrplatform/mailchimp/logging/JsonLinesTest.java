package com.hrplatform.mailchimp.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

class JsonLinesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aLineHasTheLayoutsFieldsTypedAndTheStructuredArgumentsAtTopLevel() throws Exception {
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put("function_name", "ConnectionFunction");
        mdc.put("cold_start", "true");
        mdc.put("function_memory_size", "1024");
        mdc.put("correlation_id", "req-1");
        mdc.put("orgId", "org-1");
        String line = JsonLines.line(Level.WARN, "Retry {} of {}", new Object[]{2, 5, entry("status", 429),
                entry("path", "/lists/{id}")}, null, mdc, "mailchimp-integration", Instant.parse("2026-12-07T02:30:00.123Z"));
        assertFalse(line.contains("\n"), "one line");
        JsonNode node = JSON.readTree(line);
        assertEquals(List.of("level", "message", "cold_start", "function_memory_size", "function_name", "service",
                "timestamp", "correlation_id", "orgId", "status", "path"), fieldNames(node));
        assertEquals("WARN", node.path("level").asText());
        assertEquals("Retry 2 of 5", node.path("message").asText());
        assertTrue(node.path("cold_start").isBoolean());
        assertTrue(node.path("function_memory_size").isNumber());
        assertEquals("mailchimp-integration", node.path("service").asText());
        assertEquals("2026-12-07T02:30:00.123Z", node.path("timestamp").asText());
        assertEquals(429, node.path("status").asInt());
        assertTrue(node.path("status").isNumber());
    }

    @Test
    void anErrorShowsItsTypeAndMessageNeverItsStack() throws Exception {
        JsonNode node = JSON.readTree(JsonLines.line(Level.ERROR, "Unexpected \"error\"\n", null,
                new IllegalStateException("table gone"), Map.of(), "svc", Instant.EPOCH));
        assertEquals("Unexpected \"error\"\n", node.path("message").asText(), "escaped");
        assertEquals("java.lang.IllegalStateException", node.path("error").path("name").asText());
        assertEquals("table gone", node.path("error").path("message").asText());
        assertFalse(node.path("error").has("stack"));
    }

    @Test
    void slf4jFindsThisBackEndWhichWritesToTheCurrentStdoutAtTheConfiguredLevels() throws Exception {
        Logger product = LoggerFactory.getLogger("com.hrplatform.mailchimp.Example");
        Logger library = LoggerFactory.getLogger("software.amazon.awssdk.Example");
        assertInstanceOf(JsonLinesLogger.class, product);
        assertEquals(Level.INFO, new JsonLinesLoggingManager().getLogLevel(product), "Powertools reads our levels");
        assertEquals(Level.WARN, new JsonLinesLoggingManager().getLogLevel(library));
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        MDC.put("orgId", "org-9");
        try {
            product.info("kept", entry("count", 3));
            product.debug("below INFO");
            library.info("below WARN for libraries");
            library.warn("library warning");
        } finally {
            MDC.remove("orgId");
            System.setOut(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), () -> "lines: " + lines);
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("kept", first.path("message").asText());
        assertEquals("org-9", first.path("orgId").asText());
        assertEquals(3, first.path("count").asInt());
        assertEquals("library warning", JSON.readTree(lines.get(1)).path("message").asText());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
