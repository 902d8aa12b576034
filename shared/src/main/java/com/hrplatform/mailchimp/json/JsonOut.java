package com.hrplatform.mailchimp.json;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * Writes the API's answers as JSON without jackson-databind. Answers are records, maps, lists, strings, numbers,
 * booleans and enums; building the ObjectMapper and its serializers for them costs a fresh JVM more than the
 * DynamoDB read it answers with (issue 12's cold start), so this writes them directly, the way the ObjectMapper
 * of {@link Json} does: record components in order, an enum by its {@code @JsonValue} method or else its name,
 * doubles as {@link Double#toString}, NaN and infinities quoted. {@code JsonOutTest} holds it to the
 * ObjectMapper's output. A {@link JsonNode} is handed to the ObjectMapper.
 */
public final class JsonOut {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final ClassValue<RecordComponent[]> COMPONENTS = new ClassValue<>() {
        @Override
        protected RecordComponent[] computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            for (RecordComponent component : components) {
                component.getAccessor().setAccessible(true); // records of other packages may be package-private
            }
            return components;
        }
    };
    private static final ClassValue<Method> ENUM_VALUE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            for (Method method : type.getMethods()) {
                if (method.getParameterCount() == 0 && method.isAnnotationPresent(JsonValue.class)) {
                    return method;
                }
            }
            return null;
        }
    };

    private JsonOut() {
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        value(out, value);
        return out.toString();
    }

    static void value(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof CharSequence text) {
            string(out, text.toString());
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof Short || value instanceof Byte || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            if (Double.isNaN(number) || Double.isInfinite(number)) {
                string(out, value.toString());
            } else {
                out.append(value);
            }
        } else if (value instanceof BigDecimal decimal) {
            out.append(decimal);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, String.valueOf(entry.getKey()));
                out.append(':');
                value(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof JsonNode node) { // before Iterable: a JsonNode is one
            out.append(Json.write(node));
        } else if (value instanceof Iterable<?> items) {
            out.append('[');
            boolean first = true;
            for (Object item : items) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                value(out, item);
            }
            out.append(']');
        } else if (value instanceof Record record) {
            record(out, record);
        } else if (value instanceof Enum<?> constant) {
            Method wire = ENUM_VALUE.get(constant.getDeclaringClass());
            value(out, wire == null ? constant.name() : invoke(wire, constant));
        } else {
            throw new IllegalArgumentException("No JSON form for " + value.getClass().getName());
        }
    }

    private static void record(StringBuilder out, Record record) {
        out.append('{');
        RecordComponent[] components = COMPONENTS.get(record.getClass());
        for (int i = 0; i < components.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            string(out, components[i].getName());
            out.append(':');
            value(out, invoke(components[i].getAccessor(), record));
        }
        out.append('}');
    }

    private static Object invoke(Method accessor, Object target) {
        try {
            return accessor.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot read " + accessor.getName() + " of " + target.getClass().getName(), e);
        }
    }

    /** A JSON string, escaped as Jackson escapes it: quote, backslash and control characters. */
    static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
