package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What started a run travels with its messages into its summary; messages and summaries from before read sensibly. */
class RunTriggerTest {

    @Test
    void aMessageQueuedBeforeTriggersReadsAsManual() throws Exception {
        SyncMessage old = Json.MAPPER.readValue("{\"orgId\":\"o\",\"segmentId\":\"s\",\"runId\":\"r\",\"slice\":0,"
                + "\"progress\":{\"startedAt\":\"2026-01-01T05:00:00.000Z\",\"pass\":0},\"releaseOnly\":false,\"start\":true}",
                SyncMessage.class);
        assertEquals(SyncMessage.MANUAL, old.trigger());
        assertEquals(0, old.progress().issuesKept());
    }

    @Test
    void theTriggerTravelsThroughEverySliceOfTheRun() throws Exception {
        SyncMessage daily = SyncMessage.starting("o", "s", "r", "2026-01-01T05:00:00.000Z", SyncMessage.DAILY);
        SyncMessage next = Json.MAPPER.readValue(Json.write(daily.next(daily.progress().withIssuesKept(7))), SyncMessage.class);
        assertEquals(SyncMessage.DAILY, next.trigger());
        assertEquals(1, next.slice());
        assertEquals(7, next.progress().issuesKept());
        assertEquals(SyncMessage.CHANGE, SyncMessage.starting("o", "s", "r", "t", SyncMessage.CHANGE).trigger());
        assertEquals(SyncMessage.MANUAL, SyncMessage.starting("o", "s", "r", "t").trigger());
        assertEquals(SyncMessage.DAILY, SyncMessage.release("o", "s", "r", "t").trigger());
        assertThrows(IllegalArgumentException.class, () -> SyncMessage.starting("o", "s", "r", "t", "hourly"));
    }

    @Test
    void theRunSummaryTellsItsTriggerAndOldSummariesReadWithout() throws Exception {
        SegmentRun run = SyncProgress.start("2026-01-01T05:00:00.000Z").toRun("r", "2026-01-01T05:01:00.000Z",
                SyncMessage.DAILY);
        assertEquals(SyncMessage.DAILY, Json.MAPPER.readValue(Json.write(run), SegmentRun.class).trigger());
        SegmentRun old = Json.MAPPER.readValue("{\"runId\":\"r\",\"startedAt\":\"a\",\"finishedAt\":\"b\",\"added\":2,"
                + "\"skipped\":{\"no_consent\":1},\"errors\":[]}", SegmentRun.class);
        assertNull(old.trigger());
        assertEquals(2, old.added());
        assertEquals(Map.of("no_consent", 1), old.skipped());
        assertEquals(List.of(), old.errors());
    }

    @Test
    void membersSeeAddressesMasked() {
        assertEquals("j***@example.com", SegmentRunsService.mask("jane.doe@example.com"));
        assertEquals("a***@b.org", SegmentRunsService.mask("a@b.org"));
        assertEquals("***", SegmentRunsService.mask("not-an-address"));
    }
}
