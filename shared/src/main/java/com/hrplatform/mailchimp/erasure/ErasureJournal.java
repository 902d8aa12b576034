package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.domain.Timestamps;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Instant;
import java.util.Map;

/**
 * {@code erased#type#id} in the locks table: this person was erased (ids only), so erasing again is answered,
 * not refused. What a sync in flight must know of recent erasures is in the {@link ConsentJournalTable}.
 */
public class ErasureJournal {
    private final DynamoDbClient dynamoDb;
    private final String locksTable;

    public ErasureJournal(DynamoDbClient dynamoDb, String locksTable) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
    }

    public void markErased(String orgId, String entityType, String entityId, Instant at) {
        dynamoDb.putItem(request -> request.tableName(locksTable).item(Map.of(
                "orgId", Items.s(orgId), "sk", Items.s(marker(entityType, entityId)),
                "erasedAt", Items.s(Timestamps.format(at)))));
    }

    public boolean wasErased(String orgId, String entityType, String entityId) {
        var item = dynamoDb.getItem(request -> request.tableName(locksTable).consistentRead(true)
                .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(marker(entityType, entityId))))).item();
        return item != null && !item.isEmpty();
    }

    private static String marker(String entityType, String entityId) {
        return "erased#" + entityType + "#" + entityId;
    }
}
