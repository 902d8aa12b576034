package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.contact.AddressHistory;
import com.hrplatform.mailchimp.contact.Contact;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every address we ever held for a person ({@code addr#<type>#<id>#<keyed address>} in the locks table, the address
 * sealed), kept after they leave the directory: an erasure must reach each of them, even for someone who left long
 * ago or changed address. Written when a person is created or their address changes; deleted by their erasure.
 */
public class AddressLedger implements AddressHistory {
    private static final String PREFIX = "addr#";

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final HashSealer sealer;

    public AddressLedger(DynamoDbClient dynamoDb, String locksTable, HashSealer sealer) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.sealer = sealer;
    }

    private static String prefix(String entityType, String entityId) {
        return PREFIX + entityType + "#" + entityId + "#";
    }

    /** Notes that we hold {@code email} for the person (the same address twice is one item). */
    @Override
    public void record(String orgId, String entityType, String entityId, String email) {
        String normalised = Contact.normaliseEmail(email);
        dynamoDb.putItem(request -> request.tableName(locksTable).item(Map.of("orgId", Items.s(orgId),
                "sk", Items.s(prefix(entityType, entityId) + sealer.keyed(orgId, normalised)),
                "sealedEmail", AttributeValue.fromB(SdkBytes.fromByteArray(sealer.seal(orgId, normalised))))));
    }

    /** Every address we held for the person. */
    public List<String> addresses(String orgId, String entityType, String entityId) {
        List<String> emails = new ArrayList<>();
        for (var item : items(orgId, entityType, entityId)) {
            emails.add(sealer.open(orgId, item.get("sealedEmail").b().asByteArray()));
        }
        return emails;
    }

    public void deleteAll(String orgId, String entityType, String entityId) {
        for (var item : items(orgId, entityType, entityId)) {
            dynamoDb.deleteItem(request -> request.tableName(locksTable)
                    .key(Map.of("orgId", item.get("orgId"), "sk", item.get("sk"))));
        }
    }

    private List<Map<String, AttributeValue>> items(String orgId, String entityType, String entityId) {
        return dynamoDb.query(QueryRequest.builder().tableName(locksTable).consistentRead(true)
                .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":prefix", Items.s(prefix(entityType, entityId))))
                .build()).items();
    }
}
