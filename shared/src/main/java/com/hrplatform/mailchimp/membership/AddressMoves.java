package com.hrplatform.mailchimp.membership;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.erasure.HashSealer;
import com.hrplatform.mailchimp.sync.SyncStores;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Recent address changes of people ({@code move#<time>#<uuid>} in the locks table, both addresses sealed, kept a
 * week): a directory change from A to B, or Mailchimp's upemail from the directory's A to B (to be moved back, the
 * directory being the source of the address). Each sync pass moves the member in its audience rather than adding
 * B and archiving A, so the person stays in the audience once, with their history.
 */
public class AddressMoves implements SyncStores.Moves {
    static final Duration RETENTION = Duration.ofDays(7);
    private static final String PREFIX = "move#";
    private static final DateTimeFormatter SORTABLE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final HashSealer sealer;
    private final Clock clock;

    public AddressMoves(DynamoDbClient dynamoDb, String locksTable, HashSealer sealer, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.sealer = sealer;
        this.clock = clock;
    }

    public void record(String orgId, String entityKey, String fromEmail, String toEmail) {
        Instant at = clock.instant();
        dynamoDb.putItem(request -> request.tableName(locksTable).item(Map.of("orgId", Items.s(orgId),
                "sk", Items.s(PREFIX + SORTABLE.format(at) + "#" + UUID.randomUUID()), "entityKey", Items.s(entityKey),
                "from", AttributeValue.fromB(SdkBytes.fromByteArray(sealer.seal(orgId, fromEmail))),
                "to", AttributeValue.fromB(SdkBytes.fromByteArray(sealer.seal(orgId, toEmail))),
                "expiresAt", Items.n(at.plus(RETENTION).getEpochSecond()))));
    }

    @Override
    public List<Move> recent(String orgId) {
        List<Move> moves = new ArrayList<>();
        long now = clock.instant().getEpochSecond();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(locksTable).consistentRead(true)
                    .keyConditionExpression("orgId = :org AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":prefix", Items.s(PREFIX)))
                    .exclusiveStartKey(from).build());
            for (Map<String, AttributeValue> item : response.items()) {
                Long expiresAt = Items.number(item, "expiresAt");
                if (expiresAt == null || expiresAt > now) {
                    moves.add(new Move(Items.string(item, "entityKey"), sealer.open(orgId, item.get("from").b().asByteArray()),
                            sealer.open(orgId, item.get("to").b().asByteArray())));
                }
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return moves;
    }
}
