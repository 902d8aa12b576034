package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.domain.Timestamps;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Erasure requests in progress, in the locks table at {@code erasurereq#<subject>} (the subject names ids or a
 * keyed hash, never an address): the first attempt writes the request's time, id and whom it erases (addresses
 * sealed); every retry finds them, so it erases the same people and addresses even after the first attempt
 * deleted the records it learned them from, and writes the audit entry under the same time and id. When the erasure
 * is done, whom it erased goes from the item; the rest answers retries for an hour.
 */
public class ErasureRequests {
    private static final String PREFIX = "erasurereq#";

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final HashSealer sealer;
    private final Clock clock;

    /** Once done, a request is kept this long, so its retries (an answer lost) write no second audit entry. */
    static final Duration DONE_KEPT = Duration.ofHours(1);

    /**
     * One erasure: when it was asked for, its id, the audiences known to hold it then, whom it erases, and whether
     * an earlier attempt finished it (then whom it erased is no longer kept: only what is found now).
     */
    public record Request(Instant requestedAt, String id, int audiences, Set<String> entityKeys, Set<String> emails,
                          boolean done) {
    }

    public ErasureRequests(DynamoDbClient dynamoDb, String locksTable, HashSealer sealer, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.sealer = sealer;
        this.clock = clock;
    }

    public boolean inProgress(String orgId, String subject) {
        var item = dynamoDb.getItem(get -> get.tableName(locksTable).key(key(orgId, subject)).consistentRead(true)).item();
        return item != null && !item.isEmpty();
    }

    /**
     * The request for {@code subject}: made now with what the caller found, or the one an earlier attempt made,
     * widened by what the caller found now.
     */
    public Request open(String orgId, String subject, Set<String> entityKeys, Set<String> emails, int audiences) {
        Map<String, AttributeValue> item = new HashMap<>(key(orgId, subject));
        item.put("requestedAt", Items.s(Timestamps.format(clock.instant())));
        item.put("requestId", Items.s(UUID.randomUUID().toString()));
        item.put("audiences", Items.n(audiences));
        if (!entityKeys.isEmpty()) {
            item.put("entityKeys", AttributeValue.fromSs(entityKeys.stream().toList()));
        }
        if (!emails.isEmpty()) {
            item.put("sealedEmails", AttributeValue.fromBs(emails.stream()
                    .map(email -> SdkBytes.fromByteArray(sealer.seal(orgId, email))).toList()));
        }
        try {
            // A done request whose time is up is replaced: that is a new request.
            dynamoDb.putItem(put -> put.tableName(locksTable).item(item)
                    .conditionExpression("attribute_not_exists(sk) OR (attribute_exists(doneAt) AND expiresAt < :now)")
                    .expressionAttributeValues(Map.of(":now", Items.n(clock.instant().getEpochSecond()))));
            return new Request(Instant.parse(Items.string(item, "requestedAt")), Items.string(item, "requestId"),
                    audiences, Set.copyOf(entityKeys), Set.copyOf(emails), false);
        } catch (ConditionalCheckFailedException retry) {
            var stored = dynamoDb.getItem(get -> get.tableName(locksTable).key(key(orgId, subject)).consistentRead(true)).item();
            Set<String> allKeys = new TreeSet<>(entityKeys);
            if (stored.containsKey("entityKeys")) {
                allKeys.addAll(stored.get("entityKeys").ss());
            }
            Set<String> allEmails = new TreeSet<>(emails);
            if (stored.containsKey("sealedEmails")) {
                stored.get("sealedEmails").bs().forEach(sealed -> allEmails.add(sealer.open(orgId, sealed.asByteArray())));
            }
            return new Request(Instant.parse(Items.string(stored, "requestedAt")), Items.string(stored, "requestId"),
                    Items.number(stored, "audiences").intValue(), allKeys, allEmails, stored.containsKey("doneAt"));
        }
    }

    /**
     * The erasure is done: whom it erased goes; its time, id and audiences stay for {@link #DONE_KEPT}, so a retry
     * of the request (or the same request made again meanwhile) is one erasure in the audit log.
     */
    public void close(String orgId, String subject) {
        Instant now = clock.instant();
        dynamoDb.updateItem(update -> update.tableName(locksTable).key(key(orgId, subject))
                .updateExpression("SET doneAt = :now, expiresAt = :expires REMOVE entityKeys, sealedEmails")
                .expressionAttributeValues(Map.of(":now", Items.s(Timestamps.format(now)),
                        ":expires", Items.n(now.plus(DONE_KEPT).getEpochSecond()))));
    }

    private static Map<String, AttributeValue> key(String orgId, String subject) {
        return Map.of("orgId", Items.s(orgId), "sk", Items.s(PREFIX + subject));
    }
}
