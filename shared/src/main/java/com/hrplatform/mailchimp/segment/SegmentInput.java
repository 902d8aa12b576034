package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.api.Input;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Validation of segment inputs that {@link Input} alone cannot express: the filter criteria object. */
public final class SegmentInput {
    public static final Set<String> TYPES = Set.of("employee", "vendor", Segment.MIXED);
    private static final int MAX_VALUES = 50;
    private static final int MAX_VALUE_LENGTH = 100;

    private SegmentInput() {
    }

    /** Reads {@code filterCriteria}, reporting each bad key or value to the input's problems. */
    public static FilterCriteria readCriteria(Input input, JsonNode node) {
        Map<String, List<String>> criteria = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return new FilterCriteria(criteria);
        }
        if (!node.isObject()) {
            input.problem("filterCriteria", "expected an object");
            return new FilterCriteria(criteria);
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = "filterCriteria." + field.getKey();
            if (!FilterCriteria.KEYS.containsKey(field.getKey())) {
                input.problem(name, "unknown filter; use department, location, employmentType or employmentStatus");
                continue;
            }
            List<String> values = values(field.getValue());
            if (values == null) {
                input.problem(name, "expected a string or an array of 1 to " + MAX_VALUES + " non-empty strings of at most "
                        + MAX_VALUE_LENGTH + " characters");
                continue;
            }
            criteria.put(field.getKey(), values);
        }
        return new FilterCriteria(criteria);
    }

    /** Criteria as stored (already validated); anything unreadable selects nobody rather than everybody. */
    static FilterCriteria criteria(JsonNode node) {
        Map<String, List<String>> criteria = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            List<String> values = values(field.getValue());
            criteria.put(field.getKey(), values == null || !FilterCriteria.KEYS.containsKey(field.getKey()) ? List.of() : values);
        }
        return new FilterCriteria(criteria);
    }

    private static List<String> values(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isTextual()) {
            values.add(node.asText().trim());
        } else if (node.isArray() && node.size() >= 1 && node.size() <= MAX_VALUES) {
            for (JsonNode value : node) {
                if (!value.isTextual()) {
                    return null;
                }
                values.add(value.asText().trim());
            }
        } else {
            return null;
        }
        return values.stream().allMatch(v -> !v.isEmpty() && v.length() <= MAX_VALUE_LENGTH) ? values : null;
    }
}
