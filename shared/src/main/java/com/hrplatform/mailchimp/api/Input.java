package com.hrplatform.mailchimp.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a procedure's input. Every problem is collected with the name of its field, and
 * {@link #validate()} reports them all at once as BAD_REQUEST, so a caller can fix its input in one go.
 * Fields that are not read are reported as unknown: a typo must not be ignored silently.
 */
public final class Input {
    private final JsonNode node;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> readFields = new LinkedHashSet<>();

    private Input(JsonNode node) {
        this.node = node;
    }

    /** Input that must be a JSON object. */
    public static Input of(JsonNode input) {
        Input reader = new Input(input);
        if (input == null || input.isNull() || input.isMissingNode()) {
            reader.problems.add("input: required, expected an object");
        } else if (!input.isObject()) {
            reader.problems.add("input: expected an object");
        }
        return reader;
    }

    /** Input that may be absent (procedures whose fields are all optional). */
    public static Input optional(JsonNode input) {
        if (input == null || input.isNull() || input.isMissingNode()) {
            return new Input(null);
        }
        return of(input);
    }

    private JsonNode field(String name) {
        readFields.add(name);
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    public String requiredString(String name, int maxLength) {
        JsonNode value = field(name);
        if (value == null) {
            if (node != null && node.isObject()) {
                problems.add(name + ": required");
            }
            return null;
        }
        return checkString(name, value, maxLength);
    }

    public Optional<String> optionalString(String name, int maxLength) {
        JsonNode value = field(name);
        return value == null ? Optional.empty() : Optional.ofNullable(checkString(name, value, maxLength));
    }

    private String checkString(String name, JsonNode value, int maxLength) {
        if (!value.isTextual()) {
            problems.add(name + ": expected a string");
            return null;
        }
        String text = value.asText().trim();
        if (text.isEmpty()) {
            problems.add(name + ": must not be empty");
            return null;
        }
        if (text.length() > maxLength) {
            problems.add(name + ": at most " + maxLength + " characters");
            return null;
        }
        return text;
    }

    public String requiredMatching(String name, Pattern pattern, String expectation) {
        String text = requiredString(name, 200);
        if (text != null && !pattern.matcher(text).matches()) {
            problems.add(name + ": " + expectation);
            return null;
        }
        return text;
    }

    public Optional<String> optionalMatching(String name, Pattern pattern, String expectation) {
        return field(name) == null ? Optional.empty() : Optional.ofNullable(requiredMatching(name, pattern, expectation));
    }

    public String requiredOneOf(String name, Set<String> allowed) {
        String text = requiredString(name, 100);
        return checkOneOf(name, text, allowed);
    }

    public Optional<String> optionalOneOf(String name, Set<String> allowed) {
        return optionalString(name, 100).map(text -> checkOneOf(name, text, allowed));
    }

    private String checkOneOf(String name, String text, Set<String> allowed) {
        if (text != null && !allowed.contains(text)) {
            problems.add(name + ": must be one of " + String.join(", ", allowed));
            return null;
        }
        return text;
    }

    public Optional<Integer> optionalInt(String name, int min, int max) {
        JsonNode value = field(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
            problems.add(name + ": expected a whole number from " + min + " to " + max);
            return Optional.empty();
        }
        return Optional.of(value.asInt());
    }

    public Optional<Boolean> optionalBoolean(String name) {
        JsonNode value = field(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            problems.add(name + ": expected true or false");
            return Optional.empty();
        }
        return Optional.of(value.asBoolean());
    }

    public boolean requiredBoolean(String name) {
        JsonNode value = field(name);
        if (value == null) {
            if (node != null && node.isObject()) {
                problems.add(name + ": required");
            }
            return false;
        }
        return optionalBoolean(name).orElse(false);
    }

    /** A raw sub-document for the caller to validate further with {@link #problem}. */
    public Optional<JsonNode> optionalNode(String name) {
        return Optional.ofNullable(field(name));
    }

    /** Records a problem found by the caller's own checks, e.g. on a nested object. */
    public void problem(String field, String message) {
        problems.add(field + ": " + message);
    }

    public PageRequest page() {
        int limit = optionalInt("limit", 1, 100).orElse(PageRequest.DEFAULT_LIMIT);
        String cursor = optionalString("cursor", 2048).orElse(null);
        return new PageRequest(limit, cursor);
    }

    /** Throws BAD_REQUEST naming every bad field, including fields the procedure does not know. */
    public void validate() {
        if (node != null && node.isObject()) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!readFields.contains(name)) {
                    problems.add(name + ": unknown field");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw TrpcException.badRequest("Invalid input: " + String.join("; ", problems));
        }
    }
}
