package com.hrplatform.mailchimp.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.json.Json;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Opaque page cursors: DynamoDB's LastEvaluatedKey as base64url JSON of its string and number
 * attributes. On the way back in, the partition key is forced to the caller's own partition, so a
 * cursor made up or taken from another org can only page through the caller's data.
 */
public final class DynamoCursor {
    /** DynamoDB's limit for a sort key value. */
    private static final int MAX_SORT_KEY_BYTES = 1024;

    private DynamoCursor() {
    }

    public static String encode(Map<String, AttributeValue> lastEvaluatedKey) {
        if (lastEvaluatedKey == null || lastEvaluatedKey.isEmpty()) {
            return null;
        }
        ObjectNode node = Json.object();
        lastEvaluatedKey.forEach((name, value) -> {
            if (value.s() != null) {
                node.put(name, "S" + value.s());
            } else if (value.n() != null) {
                node.put(name, "N" + value.n());
            }
        });
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(node).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A cursor back into a query of one partition on a table whose key is two strings. A cursor that is not exactly
     * such a key (other attributes, a number, an empty or overlong sort key, one outside the query's prefix) is a
     * bad request here rather than a DynamoDB validation error later.
     *
     * @param partitionKeyName  the table's partition key attribute
     * @param partitionKeyValue the caller's own partition, which the cursor cannot change
     * @param sortKeyName       the table's sort key attribute
     * @param sortKeyPrefix     the prefix the query's key condition asks for ("" for none)
     */
    public static Map<String, AttributeValue> decode(String cursor, String partitionKeyName, String partitionKeyValue,
                                                     String sortKeyName, String sortKeyPrefix) {
        if (cursor == null) {
            return null;
        }
        try {
            JsonNode node = Json.read(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            JsonNode sortKey = node.path(sortKeyName);
            if (!node.isObject() || node.size() != 2 || !node.has(partitionKeyName) || !sortKey.isTextual()
                    || !sortKey.asText().startsWith("S" + sortKeyPrefix) || sortKey.asText().length() < 2
                    || sortKey.asText().substring(1).getBytes(StandardCharsets.UTF_8).length > MAX_SORT_KEY_BYTES) {
                throw new IllegalArgumentException();
            }
            return Map.of(partitionKeyName, AttributeValue.fromS(partitionKeyValue),
                    sortKeyName, AttributeValue.fromS(sortKey.asText().substring(1)));
        } catch (Exception e) {
            throw new DomainException.InvalidInput("cursor", "not a cursor this list returned");
        }
    }
}
