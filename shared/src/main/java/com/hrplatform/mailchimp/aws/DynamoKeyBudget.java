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
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * {@link KeyBudget} in the locks table: one item per slot of a key ({@code mailchimp-key#<hash of the key>},
 * {@code slot#0..n-1}), taken by a conditional put while free or expired and deleted by its owner when the request
 * ends. A slot whose owner died frees itself when its lease (the request's timeout plus a margin) ends.
 * If DynamoDB cannot be reached the request goes ahead without a slot: Mailchimp's own 429 is still retried.
 * <p>
 * Within a {@link #session} (a sync's batches), a slot whose request ended is kept for {@link #LINGER} for this
 * container's next request, which then needs no table call: a sync of 100,000 people made 800 of them, a take and a
 * free around each of its requests. A kept slot still carries one request at a time and every request starts with at
 * least the lease a fresh take gives; such slots are taken with a lease longer by {@link #REUSE_WINDOW} and renewed
 * (one put under the same owner) once less than that is left. Kept slots are freed when unused for {@link #LINGER}
 * or when the session closes, so other containers wait for them no longer than that.
 */
public final class DynamoKeyBudget implements KeyBudget {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoKeyBudget.class);
    /** Past the request's own timeout: the answer's body is read after it, and clocks differ a little. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    /** How long past a fresh lease a slot taken in a session may be used again before it is renewed. */
    static final Duration REUSE_WINDOW = Duration.ofSeconds(10);
    /** How long a kept slot waits for this container's next request before it is freed. */
    static final Duration LINGER = Duration.ofMillis(150);
    /** A waiter's pauses between rounds grow from this to the next, with jitter. */
    private static final long FIRST_PAUSE_MS = 20;
    private static final long MAX_PAUSE_MS = 160;

    private final Supplier<DynamoDbClient> dynamoDb;
    private final String table;
    private final int slots;
    private final Duration requestTimeout;
    private final Clock clock;
    private final Duration linger;
    /** Slots this container holds now, per key: certainly busy, so not worth a conditional put that must fail. */
    private final Map<String, Set<Integer>> heldHere = new ConcurrentHashMap<>();
    /** Slots kept for this container's next request, per key, the last kept first. */
    private final Map<String, Deque<Taken>> kept = new ConcurrentHashMap<>();
    /** Open sessions per key. */
    private final Map<String, AtomicInteger> sessions = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService reaper;

    /** A slot this container took: the owner id its item carries and when its lease ends (this container's clock). */
    private static final class Taken {
        final String partition;
        final int slot;
        final String owner;
        final long leaseUntil;

        Taken(String partition, int slot, String owner, long leaseUntil) {
            this.partition = partition;
            this.slot = slot;
            this.owner = owner;
            this.leaseUntil = leaseUntil;
        }
    }

    public DynamoKeyBudget(Supplier<DynamoDbClient> dynamoDb, String table, int slots, Duration requestTimeout, Clock clock) {
        this(dynamoDb, table, slots, requestTimeout, clock, LINGER);
    }

    /** @param linger how long a kept slot waits for the next request ({@link #LINGER}; tests keep it longer) */
    public DynamoKeyBudget(Supplier<DynamoDbClient> dynamoDb, String table, int slots, Duration requestTimeout, Clock clock,
                           Duration linger) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.slots = slots;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
        this.linger = linger;
    }

    @Override
    public Optional<Slot> acquire(MailchimpApiKey key, Duration within) throws InterruptedException {
        String partition = "mailchimp-key#" + hash(key);
        String owner = UUID.randomUUID().toString();
        long giveUpAt = clock.millis() + within.toMillis();
        Set<Integer> ours = heldHere.computeIfAbsent(partition, p -> ConcurrentHashMap.newKeySet());
        long pause = FIRST_PAUSE_MS;
        try {
            Optional<Slot> reused = reuse(partition, ours);
            if (reused.isPresent()) {
                return reused;
            }
            // Uncontended, the common case: one put on a slot not held here. Contended, a waiter reads which
            // slots are free (one query) and puts only on those, pausing longer each round: waiters must not
            // flood the table the whole product shares.
            List<Integer> candidates = ours.size() >= slots ? List.of() : List.of(randomSlotNotIn(ours));
            while (true) {
                for (int slot : candidates) {
                    long leaseUntil = clock.millis() + lease(partition);
                    if (take(partition, slot, owner, leaseUntil)) {
                        ours.add(slot);
                        return Optional.of(held(new Taken(partition, slot, owner, leaseUntil)));
                    }
                }
                if (clock.millis() >= giveUpAt) {
                    return Optional.empty();
                }
                long jittered = pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1);
                Thread.sleep(Math.max(1, Math.min(jittered, giveUpAt - clock.millis())));
                pause = Math.min(pause * 2, MAX_PAUSE_MS);
                reused = reuse(partition, ours);
                if (reused.isPresent()) {
                    return reused;
                }
                candidates = freeSlots(partition, ours);
            }
        } catch (SdkException e) {
            LOG.warn("Mailchimp key budget unavailable; request sent without a slot", entry("errorType", e.getClass().getSimpleName()));
            return Optional.of(() -> { });
        }
    }

    @Override
    public Session session(MailchimpApiKey key) {
        String partition = "mailchimp-key#" + hash(key);
        AtomicInteger open = sessions.computeIfAbsent(partition, p -> new AtomicInteger());
        open.incrementAndGet();
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true) && open.decrementAndGet() == 0) {
                Deque<Taken> pool = kept.get(partition);
                for (Taken taken = pool == null ? null : pool.poll(); taken != null; taken = pool.poll()) {
                    free(taken);
                }
            }
        };
    }

    /** The lease a take gives: longer in a session, where the slot may be used again. */
    private long lease(String partition) {
        return minimumLease() + (inSession(partition) ? REUSE_WINDOW.toMillis() : 0);
    }

    /** What every request starts with: its timeout and the margin. */
    private long minimumLease() {
        return requestTimeout.plus(LEASE_MARGIN).toMillis();
    }

    private boolean inSession(String partition) {
        AtomicInteger open = sessions.get(partition);
        return open != null && open.get() > 0;
    }

    /** A slot kept for this container, its lease renewed if less than a fresh one is left; empty when none is kept. */
    private Optional<Slot> reuse(String partition, Set<Integer> ours) {
        Deque<Taken> pool = kept.get(partition);
        for (Taken taken = pool == null ? null : pool.poll(); taken != null; taken = pool.poll()) {
            long now = clock.millis();
            if (taken.leaseUntil - now >= minimumLease()) {
                return Optional.of(held(taken));
            }
            long leaseUntil = now + lease(partition);
            boolean renewed;
            try {
                // Ours unless its lease ran out and another took it: then it is not ours to use or free.
                renewed = take(partition, taken.slot, taken.owner, leaseUntil);
            } catch (SdkException e) {
                ours.remove(taken.slot);
                throw e;
            }
            if (renewed) {
                return Optional.of(held(new Taken(partition, taken.slot, taken.owner, leaseUntil)));
            }
            ours.remove(taken.slot);
        }
        return Optional.empty();
    }

    /** The slot as its request holds it: freed when the request ends, or kept a moment in a session. */
    private Slot held(Taken taken) {
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (!closed.compareAndSet(false, true)) {
                return; // closed twice, the slot would be kept twice: two requests could then share it
            }
            if (inSession(taken.partition) && taken.leaseUntil - clock.millis() >= minimumLease()) {
                Deque<Taken> pool = kept.computeIfAbsent(taken.partition, p -> new ConcurrentLinkedDeque<>());
                pool.push(taken);
                reaper().schedule(() -> {
                    if (pool.removeFirstOccurrence(taken)) {
                        free(taken);
                    }
                }, linger.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            free(taken);
        };
    }

    private void free(Taken taken) {
        free(taken.partition, taken.slot, taken.owner);
        Set<Integer> ours = heldHere.get(taken.partition);
        if (ours != null) {
            ours.remove(taken.slot);
        }
    }

    /** One daemon thread, started with the first kept slot, frees kept slots nobody used. */
    private ScheduledExecutorService reaper() {
        ScheduledExecutorService running = reaper;
        if (running == null) {
            synchronized (this) {
                if (reaper == null) {
                    reaper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                        Thread thread = new Thread(runnable, "mailchimp-io-budget");
                        thread.setDaemon(true);
                        return thread;
                    });
                }
                running = reaper;
            }
        }
        return running;
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

    private boolean take(String partition, int slot, String owner, long leaseUntil) {
        long now = clock.millis();
        try {
            dynamoDb.get().putItem(request -> request.tableName(table)
                    .item(Map.of("orgId", AttributeValue.fromS(partition), "sk", AttributeValue.fromS("slot#" + slot),
                            "owner", AttributeValue.fromS(owner), "leaseUntil", AttributeValue.fromN(Long.toString(leaseUntil)),
                            "expiresAt", AttributeValue.fromN(Long.toString(leaseUntil / 1000 + 3600))))
                    // Ours already: the SDK retried a put whose first try did land (else the slot would leak), or a
                    // kept slot's lease is renewed.
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
