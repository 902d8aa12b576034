package com.hrplatform.mailchimp.logging;

import com.hrplatform.mailchimp.domain.Timestamps;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;
import software.amazon.lambda.powertools.logging.argument.StructuredArgument;
import software.amazon.lambda.powertools.logging.internal.JsonSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One log event as one JSON line, in the shape of Powertools' {@code LambdaJsonLayout}: level, message, error,
 * the Lambda context fields Powertools puts in the MDC (typed as Powertools types them), timestamp, the rest of
 * the MDC, then each {@link StructuredArgument} as top-level fields. An error shows its type and message, never
 * its stack. Pure: the logger hands it everything.
 */
public final class JsonLines {
    /** Powertools' context fields, in the layout's order. */
    private static final String[] CONTEXT_FIELDS = {"cold_start", "function_arn", "function_memory_size",
            "function_name", "function_request_id", "function_version", "sampling_rate"};
    private static final String[] TRACE_FIELDS = {"xray_trace_id", "correlation_id"};
    private static final Set<String> NOT_STRINGS = Set.of("cold_start", "function_memory_size", "sampling_rate");
    private static final Set<String> LAYOUT_FIELDS = Set.of("cold_start", "function_arn", "function_memory_size",
            "function_name", "function_request_id", "function_version", "sampling_rate", "service", "xray_trace_id",
            "correlation_id");

    private JsonLines() {
    }

    public static String line(Level level, String pattern, Object[] arguments, Throwable error, Map<String, String> mdc,
                              String service, Instant time) {
        StringBuilder out = new StringBuilder(256);
        try (JsonSerializer json = new JsonSerializer(out)) {
            json.writeStartObject();
            json.writeStringField("level", level.name());
            json.writeSeparator();
            json.writeStringField("message", MessageFormatter.basicArrayFormat(pattern, arguments));
            if (error != null) {
                json.writeSeparator();
                json.writeFieldName("error");
                json.writeStartObject();
                json.writeStringField("name", error.getClass().getName());
                if (error.getMessage() != null) {
                    json.writeSeparator();
                    json.writeStringField("message", error.getMessage());
                }
                json.writeEndObject();
            }
            for (String field : CONTEXT_FIELDS) {
                field(json, field, mdc.get(field));
            }
            field(json, "service", mdc.getOrDefault("service", service));
            json.writeSeparator();
            json.writeStringField("timestamp", Timestamps.format(time));
            for (String field : TRACE_FIELDS) {
                field(json, field, mdc.get(field));
            }
            for (Map.Entry<String, String> entry : mdc.entrySet()) {
                if (!LAYOUT_FIELDS.contains(entry.getKey())) {
                    field(json, entry.getKey(), entry.getValue());
                }
            }
            if (arguments != null) {
                for (Object argument : arguments) {
                    if (argument instanceof StructuredArgument structured) {
                        json.writeSeparator();
                        structured.writeTo(json);
                    }
                }
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void field(JsonSerializer json, String name, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        json.writeSeparator();
        json.writeFieldName(name);
        if (NOT_STRINGS.contains(name) && isNumberOrBoolean(value)) {
            json.writeRaw(value);
        } else {
            json.writeString(value);
        }
    }

    private static boolean isNumberOrBoolean(String value) {
        return value.equals("true") || value.equals("false") || value.matches("-?\\d+(\\.\\d+)?");
    }
}
