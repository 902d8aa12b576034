package com.hrplatform.mailchimp.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.json.Json;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Opaque page cursors: DynamoDB's LastEvaluatedKey as base64url JSON of its string and number
 * attributes. On the way back in, the partition key is forced to the caller's own partition, so a
 * cursor made up or taken from another org can only page through the caller's data.
 */
public final class DynamoCursor {
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
     * @param partitionKeyName the table's (or index's) partition key attribute
     * @param partitionKeyValue the caller's own partition, which the cursor cannot change
     */
    public static Map<String, AttributeValue> decode(String cursor, String partitionKeyName, String partitionKeyValue) {
        if (cursor == null) {
            return null;
        }
        try {
            JsonNode node = Json.read(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            Map<String, AttributeValue> key = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String text = field.getValue().asText();
                if (text.length() < 2) {
                    throw new IllegalArgumentException();
                }
                String value = text.substring(1);
                key.put(field.getKey(), text.charAt(0) == 'N'
                        ? AttributeValue.fromN(String.valueOf(Long.parseLong(value)))
                        : AttributeValue.fromS(value));
            }
            if (!key.containsKey(partitionKeyName) || key.size() < 2) {
                throw new IllegalArgumentException();
            }
            key.put(partitionKeyName, AttributeValue.fromS(partitionKeyValue));
            return key;
        } catch (Exception e) {
            throw new DomainException.InvalidInput("cursor", "not a cursor this list returned");
        }
    }
}
