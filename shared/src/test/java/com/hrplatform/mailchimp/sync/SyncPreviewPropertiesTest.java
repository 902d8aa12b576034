package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.sync.SyncPropertiesTest.Step;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 13, preview: over the random histories of {@link SyncPropertiesTest} (shared addresses, opt-outs, erasures,
 * what people do in Mailchimp, segments changed, moved and deleted), then changes not synced yet, sometimes followed by
 * a slice that crashed and left its batch open, a preview of a segment writes nothing (Mailchimp, our records, intents, the directory), says
 * the same twice, and predicts the counts the sync that follows reports, field by field.
 */
class SyncPreviewPropertiesTest {
    private final SyncPropertiesTest histories = new SyncPropertiesTest();

    @Provide
    Arbitrary<List<Step>> preludes() {
        return histories.preludes();
    }

    @Provide
    Arbitrary<List<Step>> histories() {
        return histories.histories();
    }

    @Property(tries = 400)
    void aPreviewWritesNothingAndPredictsTheSyncThatFollows(@ForAll("preludes") List<Step> prelude,
                                                            @ForAll("histories") @Size(max = 15) List<Step> steps,
                                                            @ForAll("histories") @Size(max = 8) List<Step> unsynced,
                                                            @ForAll @IntRange(min = 0, max = 3) int pick,
                                                            @ForAll @IntRange(min = -1, max = 14) int crashAt,
                                                            @ForAll boolean crashAfterApplying) {
        SyncWorld world = new SyncWorld();
        List<Step> history = new ArrayList<>(prelude);
        history.addAll(steps);
        for (Step step : history) {
            world.nextStep();
            histories.apply(world, step);
            world.drainConsentQueue();
        }
        // Changes since the last sync: what a preview is for.
        for (Step step : unsynced) {
            if (step.kind() < 9) {
                world.nextStep();
                histories.apply(world, step);
                world.drainConsentQueue();
            }
        }
        List<SyncWorld.Seg> live = world.segments.stream().filter(s -> !s.deleted).toList();
        if (live.isEmpty()) {
            return;
        }
        SyncWorld.Seg segment = live.get(pick % live.size());
        if (crashAt >= 0) {
            world.interrupted(segment, crashAt, crashAfterApplying);
        }
        world.nextStep();
        int writes = world.mailchimp.writes.size();
        Map<String, Object> memberships = new TreeMap<>(world.org.memberships);
        Map<String, Object> intents = new HashMap<>(world.org.intents);
        Map<String, Object> directory = new TreeMap<>(world.org.directory);
        int journal = world.org.journal.size();
        int queued = world.org.unsubscribeQueue.size();

        SyncPreview.Tally preview = world.preview(segment);
        SyncPreview.Tally again = world.preview(segment);

        assertEquals(List.of(), world.mailchimp.writes.subList(writes, world.mailchimp.writes.size()), "the preview wrote to Mailchimp");
        assertEquals(memberships, new TreeMap<>(world.org.memberships), "the preview changed our records");
        assertEquals(intents, new HashMap<>(world.org.intents), "the preview opened or closed an intent");
        assertEquals(directory, new TreeMap<>(world.org.directory), "the preview changed the directory");
        assertEquals(journal, world.org.journal.size(), "the preview recorded a consent change");
        assertEquals(queued, world.org.unsubscribeQueue.size(), "the preview queued an unsubscribe");
        assertEquals(counts(List.of(preview.counts())), counts(List.of(again.counts())), "a second preview says the same");

        world.counted.clear();
        world.sync(segment, false);
        Map<String, Object> predicted = counts(List.of(preview.counts()));
        Map<String, Object> reported = counts(world.counted);
        assertEquals(predicted, reported, "the sync did what the preview said");
        Statistics.label("interrupted batch rechecked").collect(preview.recheckedAfterInterruption() > 0);
        Statistics.label("predicts a change").collect((int) predicted.get("added") + (int) predicted.get("updated")
                + (int) predicted.get("archived") + (int) predicted.get("unsubscribed") > 0);
        Statistics.label("predicts a skip").collect(!((Map<?, ?>) predicted.get("skipped")).isEmpty());
    }

    /** The counts a run reports, added up over its slices. */
    private static Map<String, Object> counts(List<RunCounts> slices) {
        Map<String, Object> sum = new LinkedHashMap<>();
        sum.put("added", slices.stream().mapToInt(RunCounts::added).sum());
        sum.put("updated", slices.stream().mapToInt(RunCounts::updated).sum());
        sum.put("unchanged", slices.stream().mapToInt(RunCounts::unchanged).sum());
        sum.put("archived", slices.stream().mapToInt(RunCounts::archived).sum());
        sum.put("unsubscribed", slices.stream().mapToInt(RunCounts::unsubscribed).sum());
        sum.put("pendingConfirmation", slices.stream().mapToInt(RunCounts::pendingConfirmation).sum());
        sum.put("failed", slices.stream().mapToInt(RunCounts::failed).sum());
        sum.put("inSegment", slices.stream().mapToInt(RunCounts::inSegment).sum());
        Map<String, Integer> skipped = new TreeMap<>();
        slices.forEach(slice -> slice.skipped().forEach((reason, n) -> skipped.merge(reason, n, Integer::sum)));
        sum.put("skipped", skipped);
        return sum;
    }
}
