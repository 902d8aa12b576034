package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.segment.SegmentRunHistory;
import com.hrplatform.mailchimp.sync.RunCounts;
import com.hrplatform.mailchimp.sync.RunCounts.MemberIssue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run history's skips and failures (many slices, many people), against dynalite with the table template.yaml
 * declares: chunks within DynamoDB's item limit, the run's cap, a redelivered slice replacing its own chunks, pages.
 */
class SegmentRunHistoryTest {
    private static final String STARTED = "2026-12-07T05:00:00.000Z";
    private static DynamoDbClient dynamo;
    private static SegmentRunHistory history;

    @BeforeAll
    static void cloud() {
        PreferencesTestSupport.cloud();
        dynamo = PreferencesTestSupport.dynamo();
        // The clock is the run's start: nothing has expired yet.
        history = new SegmentRunHistory(dynamo, "SegmentRunsTable", Duration.ofDays(90),
                Clock.fixed(Instant.parse(STARTED), java.time.ZoneOffset.UTC));
    }

    private static List<MemberIssue> issues(int from, int count, String message) {
        List<MemberIssue> issues = new ArrayList<>();
        for (int n = from; n < from + count; n++) {
            issues.add(message == null
                    ? new MemberIssue(MemberIssue.SKIPPED, "employee#e" + n, String.format("%08x", n), "no_consent", null)
                    : new MemberIssue(MemberIssue.FAILED, "employee#e" + n, String.format("%08x", n), "refused", message));
        }
        return issues;
    }

    private static List<MemberIssue> readAll(String org, String segment, String runId, List<Integer> pageSizes) {
        List<MemberIssue> all = new ArrayList<>();
        String cursor = null;
        do {
            SegmentRunHistory.IssuePage page = history.issues(org, segment, runId, cursor);
            pageSizes.add(page.issues().size());
            all.addAll(page.issues());
            cursor = page.nextCursor();
        } while (cursor != null);
        return all;
    }

    @Test
    @DisplayName("a slice's skips and failures in chunks under the item limit, paged; a redelivered slice replaces them")
    void chunksPagesAndRedelivery() {
        String org = PreferencesTestSupport.unique("org-hist");
        List<MemberIssue> slice0 = issues(0, 2500, null);
        // Long explanations: the chunks split by size too (1,000 of these would be over 400 KB).
        List<MemberIssue> slice1 = issues(2500, 1000, "Mailchimp refused this member (field X: " + "y".repeat(900) + ")");
        assertEquals(2500, history.saveIssues(org, "seg", "run-1", STARTED, 0, slice0, 0));
        assertEquals(1000, history.saveIssues(org, "seg", "run-1", STARTED, 1, slice1, 2500));

        List<Integer> sizes = new ArrayList<>();
        List<MemberIssue> read = readAll(org, "seg", "run-1", sizes);
        List<MemberIssue> expected = new ArrayList<>(slice0);
        expected.addAll(slice1);
        assertEquals(expected, read, "every entry once, in slice order");
        assertEquals(List.of(1000, 1000, 500), sizes.subList(0, 3), "slice 0: chunks of 1,000");
        assertTrue(sizes.size() >= 7, () -> "slice 1 split by size: " + sizes);
        for (Map<String, AttributeValue> item : items(org, "seg")) {
            assertTrue(item.get("entries").s().getBytes(StandardCharsets.UTF_8).length <= 300_000, "well under 400 KB");
            assertEquals(Long.parseLong(item.get("expiresAt").n()), Instant.parse(STARTED).plus(Duration.ofDays(90))
                    .getEpochSecond(), "expires with its run");
        }
        assertEquals(3500, history.issuesKept(org, "seg", "run-1"));

        // Slice 0 again (a redelivery that found less to do): its own chunks replaced, slice 1's untouched.
        assertEquals(300, history.saveIssues(org, "seg", "run-1", STARTED, 0, issues(0, 300, null), 0));
        List<MemberIssue> again = readAll(org, "seg", "run-1", new ArrayList<>());
        assertEquals(1300, again.size());
        assertEquals(issues(0, 300, null), again.subList(0, 300));
        assertEquals(1300, history.issuesKept(org, "seg", "run-1"));

        // Another run and another segment are apart.
        assertEquals(List.of(), history.issues(org, "seg", "run-2", null).issues());
        assertEquals(List.of(), history.issues(org, "other", "run-1", null).issues());
        assertNull(history.issues(org, "seg", "run-2", null).nextCursor());
    }

    @Test
    @DisplayName("a change run applied again after a crash (its claim's id, a later start) stays one entry, with its first start")
    void aRunToldAgainWithALaterStartIsOneRun() {
        String org = PreferencesTestSupport.unique("org-again");
        String later = Instant.parse(STARTED).plusSeconds(300).toString();
        history.saveRun(org, "seg", new SegmentRunHistory.StoredRun("change-c1", "change", STARTED, STARTED, "succeeded",
                null, 1, 0, 0, 0, 0, 0, Map.of(), 0, 0, false));
        history.saveRun(org, "seg", new SegmentRunHistory.StoredRun("change-c1", "change", later, later, "succeeded",
                null, 1, 2, 0, 0, 0, 0, Map.of(), 0, 0, false));
        history.saveRun(org, "seg", new SegmentRunHistory.StoredRun("change-c2", "change", later, later, "succeeded",
                null, 0, 1, 0, 0, 0, 0, Map.of(), 0, 0, false));

        List<SegmentRunHistory.StoredRun> runs = history.list(org, "seg", new PageRequest(10, null)).items();
        assertEquals(List.of("change-c2", "change-c1"), runs.stream().map(SegmentRunHistory.StoredRun::runId).toList());
        SegmentRunHistory.StoredRun again = runs.get(1);
        assertEquals(STARTED, again.startedAt(), "its first start");
        assertEquals(later, again.finishedAt(), "its last end");
        assertEquals(2, again.updated(), "what the last telling counted");
    }

    @Test
    @DisplayName("a run keeps at most 10,000 skips and failures across its slices")
    void theRunsCap() {
        String org = PreferencesTestSupport.unique("org-cap");
        assertEquals(6000, history.saveIssues(org, "seg", "run-1", STARTED, 0, issues(0, 6000, null), 0));
        assertEquals(RunCounts.MAX_ISSUES - 6000, history.saveIssues(org, "seg", "run-1", STARTED, 1,
                issues(6000, 6000, null), 6000), "the rest of the room");
        assertEquals(0, history.saveIssues(org, "seg", "run-1", STARTED, 2, issues(12000, 10, null), RunCounts.MAX_ISSUES));
        assertEquals(RunCounts.MAX_ISSUES, history.issuesKept(org, "seg", "run-1"));
    }

    private static List<Map<String, AttributeValue>> items(String org, String segment) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var response = dynamo.query(QueryRequest.builder().tableName("SegmentRunsTable")
                    .keyConditionExpression("orgSegment = :p")
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(org + "#" + segment)))
                    .exclusiveStartKey(start).build());
            items.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }
}
