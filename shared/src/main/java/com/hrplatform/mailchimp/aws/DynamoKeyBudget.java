package com.hrplatform.mailchimp.aws;

import com.hrplatform.mailchimp.mailchimp.KeyBudget;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * {@link KeyBudget} in the locks table: one item per slot of a key ({@code mailchimp-key#<hash of the key>},
 * {@code slot#0..n-1}), taken by a conditional put while free or expired and deleted by its owner when the request
 * ends. A slot whose owner died frees itself when its lease (the request's timeout plus a margin) ends.
 * If DynamoDB cannot be reached the request goes ahead without a slot: Mailchimp's own 429 is still retried.
 */
public final class DynamoKeyBudget implements KeyBudget {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoKeyBudget.class);
    /** Past the request's own timeout: the answer's body is read after it, and clocks differ a little. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    /** A waiter's pauses between rounds grow from this to the next, with jitter. */
    private static final long FIRST_PAUSE_MS = 20;
    private static final long MAX_PAUSE_MS = 160;

    private final Supplier<DynamoDbClient> dynamoDb;
    private final String table;
    private final int slots;
    private final Duration requestTimeout;
    private final Clock clock;
    /** Slots this container holds now, per key: certainly busy, so not worth a conditional put that must fail. */
    private final Map<String, Set<Integer>> heldHere = new ConcurrentHashMap<>();

    public DynamoKeyBudget(Supplier<DynamoDbClient> dynamoDb, String table, int slots, Duration requestTimeout, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.slots = slots;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
    }

    @Override
    public Optional<Slot> acquire(MailchimpApiKey key, Duration within) throws InterruptedException {
        String partition = "mailchimp-key#" + hash(key);
        String owner = UUID.randomUUID().toString();
        long giveUpAt = clock.millis() + within.toMillis();
        Set<Integer> ours = heldHere.computeIfAbsent(partition, p -> ConcurrentHashMap.newKeySet());
        long pause = FIRST_PAUSE_MS;
        try {
            // Uncontended, the common case: one put on a slot not held here. Contended, a waiter reads which
            // slots are free (one query) and puts only on those, pausing longer each round: waiters must not
            // flood the table the whole product shares.
            List<Integer> candidates = ours.size() >= slots ? List.of() : List.of(randomSlotNotIn(ours));
            while (true) {
                for (int slot : candidates) {
                    if (take(partition, slot, owner)) {
                        ours.add(slot);
                        return Optional.of(() -> {
                            free(partition, slot, owner);
                            ours.remove(slot);
                        });
                    }
                }
                if (clock.millis() >= giveUpAt) {
                    return Optional.empty();
                }
                long jittered = pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1);
                Thread.sleep(Math.max(1, Math.min(jittered, giveUpAt - clock.millis())));
                pause = Math.min(pause * 2, MAX_PAUSE_MS);
                candidates = freeSlots(partition, ours);
            }
        } catch (SdkException e) {
            LOG.warn("Mailchimp key budget unavailable; request sent without a slot", entry("errorType", e.getClass().getSimpleName()));
            return Optional.of(() -> { });
        }
    }

    private int randomSlotNotIn(Set<Integer> ours) {
        while (true) {
            int slot = ThreadLocalRandom.current().nextInt(slots);
            if (!ours.contains(slot)) {
                return slot;
            }
        }
    }

    /** Up to two slots, in random order, that no one holds now (never held, freed, or past their lease). */
    private List<Integer> freeSlots(String partition, Set<Integer> ours) {
        long now = clock.millis();
        Set<Integer> busy = new HashSet<>(ours);
        dynamoDb.get().queryPaginator(request -> request.tableName(table).consistentRead(true)
                        .keyConditionExpression("orgId = :partition AND begins_with(sk, :slot)")
                        .expressionAttributeValues(Map.of(":partition", AttributeValue.fromS(partition),
                                ":slot", AttributeValue.fromS("slot#")))
                        .projectionExpression("sk, leaseUntil"))
                .items().forEach(item -> {
                    AttributeValue lease = item.get("leaseUntil");
                    if (lease != null && Long.parseLong(lease.n()) >= now) {
                        busy.add(Integer.parseInt(item.get("sk").s().substring("slot#".length())));
                    }
                });
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            if (!busy.contains(i)) {
                free.add(i);
            }
        }
        Collections.shuffle(free, ThreadLocalRandom.current());
        return free.subList(0, Math.min(2, free.size()));
    }

    private boolean take(String partition, int slot, String owner) {
        long now = clock.millis();
        long leaseUntil = now + requestTimeout.plus(LEASE_MARGIN).toMillis();
        try {
            dynamoDb.get().putItem(request -> request.tableName(table)
                    .item(Map.of("orgId", AttributeValue.fromS(partition), "sk", AttributeValue.fromS("slot#" + slot),
                            "owner", AttributeValue.fromS(owner), "leaseUntil", AttributeValue.fromN(Long.toString(leaseUntil)),
                            "expiresAt", AttributeValue.fromN(Long.toString(leaseUntil / 1000 + 3600))))
                    // Ours already: the SDK retried a put whose first try did land (else the slot would leak).
                    .conditionExpression("attribute_not_exists(sk) OR leaseUntil < :now OR #owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(Long.toString(now)),
                            ":owner", AttributeValue.fromS(owner))));
            return true;
        } catch (ConditionalCheckFailedException busy) {
            return false;
        }
    }

    private void free(String partition, int slot, String owner) {
        try {
            dynamoDb.get().deleteItem(request -> request.tableName(table)
                    .key(Map.of("orgId", AttributeValue.fromS(partition), "sk", AttributeValue.fromS("slot#" + slot)))
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner))));
        } catch (ConditionalCheckFailedException taken) {
            // The lease ran out and another request holds the slot now: nothing of ours to free.
        } catch (SdkException e) {
            LOG.warn("Mailchimp key budget slot not freed; it frees itself when its lease ends",
                    entry("errorType", e.getClass().getSimpleName()));
        }
    }

    /** The key never leaves the encrypted record except to call Mailchimp: slots are named by a digest of it. */
    static String hash(MailchimpApiKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.value().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
