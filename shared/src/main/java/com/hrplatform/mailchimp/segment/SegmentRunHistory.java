package com.hrplatform.mailchimp.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.aws.DynamoCursor;
import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.sync.RunCounts;
import com.hrplatform.mailchimp.sync.RunCounts.MemberIssue;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The run history of each segment (table SEGMENT_RUNS_TABLE): HASH {@code orgSegment} ({@code orgId#segmentId}),
 * RANGE {@code sk}. A run is {@code run#<startedAt>#<runId>} (newest first by a descending query); its per-member
 * skips and failures are chunks {@code issues#<runId>#<slice>#<chunk>}, written as each slice ends (a redelivered
 * slice writes the same keys again and drops its leftovers). No address is stored: a record's key and 8 hex digits of
 * the subscriber hash, resolved to the address when read. Every item of a run expires with it ({@code expiresAt},
 * its start plus the retention); the run's end trims the segment to its last {@link #KEPT_RUNS} runs. Queries only.
 */
public final class SegmentRunHistory {
    public static final int KEPT_RUNS = 30;
    /** Entries of one chunk item: a page of {@code runIssues}, and far below DynamoDB's 400 KB item limit. */
    static final int ENTRIES_PER_CHUNK = 1000;
    static final int MAX_CHUNK_BYTES = 300_000;
    private static final String RUN = "run#";
    private static final String ISSUES = "issues#";
    private static final TypeReference<List<List<String>>> ENTRIES = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, Integer>> SKIPPED = new TypeReference<>() {
    };

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Duration retention;
    private final Clock clock;

    public SegmentRunHistory(DynamoDbClient dynamoDb, String tableName, Duration retention, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
        this.retention = retention;
        this.clock = clock;
    }

    /**
     * A run as the history keeps it. {@code outcome} is the run's end status ({@code synced}, {@code error}) and
     * {@code error} why it failed; {@code issuesKept} skips and failures are listed, {@code issuesCapped} when the
     * counts hold more than were kept.
     */
    public record StoredRun(String runId, String trigger, String startedAt, String finishedAt, String outcome,
                            String error, int added, int updated, int unchanged, int archived, int unsubscribed,
                            int pendingConfirmation, Map<String, Integer> skipped, int failed, int issuesKept,
                            boolean issuesCapped) {
        public StoredRun {
            skipped = skipped == null ? Map.of() : new TreeMap<>(skipped);
        }

        static StoredRun of(SegmentRun run, String trigger, String outcome, String error, int issuesKept) {
            int total = run.failed() + run.skipped().values().stream().mapToInt(Integer::intValue).sum();
            return new StoredRun(run.runId(), trigger, run.startedAt(), run.finishedAt(), outcome, error, run.added(),
                    run.updated(), run.unchanged(), run.archived(), run.unsubscribed(), run.pendingConfirmation(),
                    run.skipped(), run.failed(), issuesKept, issuesKept < total);
        }
    }

    /** One chunk of a run's skips and failures, and the cursor to the next (null after the last). */
    public record IssuePage(List<MemberIssue> issues, String nextCursor) {
    }

    // ------------------------------------------------------------------ writes

    /**
     * The skips and failures of slice {@code slice} of a run, as chunk items, as many as the run's cap
     * ({@link RunCounts#MAX_ISSUES}) leaves room for after the {@code keptBefore} its earlier slices kept; answers how
     * many it kept. The same slice written again (a redelivery) replaces its chunks, so nothing is listed twice.
     */
    public int saveIssues(String orgId, String segmentId, String runId, String runStartedAt, int slice,
                          List<MemberIssue> issues, int keptBefore) {
        List<MemberIssue> kept = issues.subList(0, Math.min(issues.size(), Math.max(0, RunCounts.MAX_ISSUES - keptBefore)));
        String partition = partition(orgId, segmentId);
        long expiresAt = expiresAt(runStartedAt);
        List<List<MemberIssue>> chunks = chunks(kept);
        String slicePrefix = ISSUES + runId + "#" + String.format("%06d", slice) + "#";
        for (int i = 0; i < chunks.size(); i++) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("orgSegment", Items.s(partition));
            item.put("sk", Items.s(slicePrefix + String.format("%04d", i)));
            item.put("runId", Items.s(runId));
            item.put("entries", Items.s(encode(chunks.get(i))));
            item.put("count", Items.n(chunks.get(i).size()));
            item.put("expiresAt", Items.n(expiresAt));
            dynamoDb.putItem(request -> request.tableName(tableName).item(item));
        }
        for (Map<String, AttributeValue> key : keys(partition, slicePrefix)) {
            int chunk = Integer.parseInt(Items.string(key, "sk").substring(slicePrefix.length()));
            if (chunk >= chunks.size()) {
                dynamoDb.deleteItem(request -> request.tableName(tableName).key(key));
            }
        }
        return kept.size();
    }

    /**
     * The run, once however often its end is told (keyed by its start and id); then older runs beyond 30 go. A run
     * told again with a later start (a change claim applied again after a crash: the same id) keeps its first start,
     * so it stays one entry.
     */
    public void saveRun(String orgId, String segmentId, StoredRun run) {
        String partition = partition(orgId, segmentId);
        String startedAt = find(orgId, segmentId, run.runId()).map(StoredRun::startedAt).orElse(run.startedAt());
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("orgSegment", Items.s(partition));
        item.put("sk", Items.s(runKey(startedAt, run.runId())));
        item.put("runId", Items.s(run.runId()));
        item.put("trigger", Items.s(run.trigger()));
        item.put("startedAt", Items.s(startedAt));
        item.put("finishedAt", Items.s(run.finishedAt()));
        item.put("outcome", Items.s(run.outcome()));
        if (run.error() != null) {
            item.put("error", Items.s(run.error()));
        }
        item.put("added", Items.n(run.added()));
        item.put("updated", Items.n(run.updated()));
        item.put("unchanged", Items.n(run.unchanged()));
        item.put("archived", Items.n(run.archived()));
        item.put("unsubscribed", Items.n(run.unsubscribed()));
        item.put("pendingConfirmation", Items.n(run.pendingConfirmation()));
        item.put("skipped", Items.s(Json.write(run.skipped())));
        item.put("failed", Items.n(run.failed()));
        item.put("issuesKept", Items.n(run.issuesKept()));
        item.put("issuesCapped", AttributeValue.fromBool(run.issuesCapped()));
        item.put("expiresAt", Items.n(expiresAt(startedAt)));
        dynamoDb.putItem(request -> request.tableName(tableName).item(item));
        trim(partition);
    }

    /** Runs beyond the newest {@link #KEPT_RUNS} go, with their skips and failures. */
    private void trim(String partition) {
        List<Map<String, AttributeValue>> runs = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(runsQuery(partition).projectionExpression("orgSegment, sk, runId")
                    .exclusiveStartKey(start).build());
            runs.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        for (Map<String, AttributeValue> old : runs.subList(Math.min(KEPT_RUNS, runs.size()), runs.size())) {
            // The chunks first: a crash in between leaves a run to trim again, never chunks without their run.
            for (Map<String, AttributeValue> key : keys(partition, ISSUES + Items.string(old, "runId") + "#")) {
                dynamoDb.deleteItem(request -> request.tableName(tableName).key(key));
            }
            dynamoDb.deleteItem(request -> request.tableName(tableName).key(Map.of("orgSegment", old.get("orgSegment"),
                    "sk", old.get("sk"))));
        }
    }

    // ------------------------------------------------------------------ reads

    /** How many skips and failures the run's chunks hold. */
    public int issuesKept(String orgId, String segmentId, String runId) {
        String partition = partition(orgId, segmentId);
        int kept = 0;
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(prefixQuery(partition, ISSUES + runId + "#")
                    .projectionExpression("#count").expressionAttributeNames(Map.of("#count", "count"))
                    .exclusiveStartKey(start).build());
            kept += response.items().stream().mapToInt(item -> number(item, "count")).sum();
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return kept;
    }

    /** The segment's runs, newest first. */
    public Page<StoredRun> list(String orgId, String segmentId, PageRequest page) {
        String partition = partition(orgId, segmentId);
        QueryResponse response = dynamoDb.query(runsQuery(partition).limit(page.limit())
                .exclusiveStartKey(DynamoCursor.decode(page.cursor(), "orgSegment", partition, "sk", RUN)).build());
        long now = clock.instant().getEpochSecond();
        List<StoredRun> runs = response.items().stream().filter(item -> live(item, now)).map(SegmentRunHistory::fromItem).toList();
        return new Page<>(runs, DynamoCursor.encode(response.lastEvaluatedKey()));
    }

    /** The run of this segment with this id, if the history still has it. */
    public Optional<StoredRun> find(String orgId, String segmentId, String runId) {
        String partition = partition(orgId, segmentId);
        long now = clock.instant().getEpochSecond();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(runsQuery(partition).exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : response.items()) {
                if (runId.equals(Items.string(item, "runId")) && live(item, now)) {
                    return Optional.of(fromItem(item));
                }
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return Optional.empty();
    }

    /** One chunk of the run's skips and failures from {@code cursor} (null: the first). */
    public IssuePage issues(String orgId, String segmentId, String runId, String cursor) {
        String partition = partition(orgId, segmentId);
        String prefix = ISSUES + runId + "#";
        long now = clock.instant().getEpochSecond();
        Map<String, AttributeValue> start = DynamoCursor.decode(cursor, "orgSegment", partition, "sk", prefix);
        while (true) {
            // Two: the second tells whether there is a next page, so the last page is never an empty one.
            QueryResponse response = dynamoDb.query(prefixQuery(partition, prefix).limit(2).exclusiveStartKey(start).build());
            List<Map<String, AttributeValue>> items = response.items().stream().filter(item -> live(item, now)).toList();
            if (items.isEmpty() && response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()) {
                start = response.lastEvaluatedKey();
                continue;
            }
            if (items.isEmpty()) {
                return new IssuePage(List.of(), null);
            }
            Map<String, AttributeValue> first = items.get(0);
            boolean more = items.size() > 1;
            String next = more ? DynamoCursor.encode(Map.of("orgSegment", first.get("orgSegment"), "sk", first.get("sk"))) : null;
            return new IssuePage(decode(Items.string(first, "entries")), next);
        }
    }

    // ------------------------------------------------------------------ mapping

    static String partition(String orgId, String segmentId) {
        return orgId + "#" + segmentId;
    }

    static String runKey(String startedAt, String runId) {
        return RUN + startedAt + "#" + runId;
    }

    private long expiresAt(String runStartedAt) {
        Instant started = runStartedAt == null ? clock.instant() : Instant.parse(runStartedAt);
        return started.plus(retention).getEpochSecond();
    }

    /** DynamoDB deletes expired items lazily (and dynalite never): they are gone for the reader. */
    private static boolean live(Map<String, AttributeValue> item, long now) {
        Long expiresAt = Items.number(item, "expiresAt");
        return expiresAt == null || expiresAt > now;
    }

    private QueryRequest.Builder runsQuery(String partition) {
        return prefixQuery(partition, RUN).scanIndexForward(false);
    }

    private QueryRequest.Builder prefixQuery(String partition, String prefix) {
        return QueryRequest.builder().tableName(tableName)
                .keyConditionExpression("orgSegment = :p AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":p", Items.s(partition), ":prefix", Items.s(prefix)));
    }

    private List<Map<String, AttributeValue>> keys(String partition, String prefix) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse response = dynamoDb.query(prefixQuery(partition, prefix).projectionExpression("orgSegment, sk")
                    .exclusiveStartKey(start).build());
            keys.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return keys;
    }

    private static StoredRun fromItem(Map<String, AttributeValue> item) {
        Map<String, Integer> skipped;
        try {
            skipped = Json.MAPPER.readValue(Items.string(item, "skipped"), SKIPPED);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            skipped = Map.of();
        }
        AttributeValue capped = item.get("issuesCapped");
        return new StoredRun(Items.string(item, "runId"), Items.string(item, "trigger"), Items.string(item, "startedAt"),
                Items.string(item, "finishedAt"), Items.string(item, "outcome"), Items.string(item, "error"),
                number(item, "added"), number(item, "updated"), number(item, "unchanged"), number(item, "archived"),
                number(item, "unsubscribed"), number(item, "pendingConfirmation"), skipped, number(item, "failed"),
                number(item, "issuesKept"), capped != null && Boolean.TRUE.equals(capped.bool()));
    }

    private static int number(Map<String, AttributeValue> item, String name) {
        Long value = Items.number(item, name);
        return value == null ? 0 : value.intValue();
    }

    /** Chunks of at most {@link #ENTRIES_PER_CHUNK} entries and {@link #MAX_CHUNK_BYTES} bytes of JSON. */
    static List<List<MemberIssue>> chunks(List<MemberIssue> issues) {
        List<List<MemberIssue>> chunks = new ArrayList<>();
        List<MemberIssue> chunk = new ArrayList<>();
        int bytes = 2;
        for (MemberIssue issue : issues) {
            int size = encode(List.of(issue)).getBytes(StandardCharsets.UTF_8).length;
            if (!chunk.isEmpty() && (chunk.size() >= ENTRIES_PER_CHUNK || bytes + size > MAX_CHUNK_BYTES)) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                bytes = 2;
            }
            chunk.add(issue);
            bytes += size;
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    /** {@code [[kind, entityKey, hashPrefix, reason, message], ...]}: compact, names written once per chunk. */
    static String encode(List<MemberIssue> issues) {
        List<List<String>> rows = new ArrayList<>(issues.size());
        for (MemberIssue issue : issues) {
            List<String> row = new ArrayList<>(5);
            row.add(issue.kind());
            row.add(issue.entityKey());
            row.add(issue.hashPrefix());
            row.add(issue.reason());
            row.add(issue.message());
            rows.add(row);
        }
        return Json.write(rows);
    }

    static List<MemberIssue> decode(String entries) {
        if (entries == null) {
            return List.of();
        }
        try {
            List<MemberIssue> issues = new ArrayList<>();
            for (List<String> row : Json.MAPPER.readValue(entries, ENTRIES)) {
                issues.add(new MemberIssue(row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)));
            }
            return issues;
        } catch (JsonProcessingException | RuntimeException e) {
            return List.of();
        }
    }
}
