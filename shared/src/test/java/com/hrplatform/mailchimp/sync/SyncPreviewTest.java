package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The preview's own edges, against the in-memory org and Mailchimp: masking, the example cap, the deadline, moves. */
class SyncPreviewTest {
    private final SyncWorld world = new SyncWorld();
    private final SyncWorld.Seg sales = new SyncWorld.Seg("sales", "mixed", Set.of("A"), false, "L1");

    private void person(String id, String email) {
        world.org.put(new Contact(id, "employee", email, "First", "Last", "A", null, null, null, null, null, null));
    }

    private SyncPass pass() {
        return new SyncPass(OrgModel.ORG, "L1", "sales", List.of(sales.rule()), Map.of(), Instant.now(), null);
    }

    @Test
    void anAddressIsMaskedToItsFirstCharacterAndDomain() {
        assertEquals("j***@example.com", SyncPreview.mask("jane.doe@example.com"));
        assertEquals("x***@sub.example.org", SyncPreview.mask("x@sub.example.org"));
        assertEquals("***", SyncPreview.mask("no-at-sign"));
        assertEquals("***", SyncPreview.mask("@example.com"));
        assertEquals("***", SyncPreview.mask(null));
    }

    /**
     * A sync's passes run one after the other: what the first learns (Mailchimp's unsubscribe, whose webhook was lost,
     * marks the records opted out) the next pass reads, so the release pass that archives the address in the audience
     * the segment left also unsubscribes it there. The preview, which writes nothing, carries those opt-outs in memory.
     */
    @Test
    void anOptOutLearnedInOnePassIsWhatTheNextPassDecides() {
        SyncWorld.Seg staying = new SyncWorld.Seg("staying", "mixed", Set.of("A"), false, "L1");
        SyncWorld.Seg moving = new SyncWorld.Seg("moving", "mixed", Set.of("A"), false, "L2");
        world.segments.add(staying);
        world.segments.add(moving);
        person("e1", "ann@example.com");
        world.sync(staying, false);
        world.sync(moving, false);
        // As SegmentService.update: the synced segment leaves L2 for L1, its release of L2 pending. Then ann
        // unsubscribes in L1 and the webhook is lost: the next sync's walk of L1 learns it.
        moving.releases.add(new String[]{"L2", moving.tagId});
        moving.listId = "L1";
        moving.tagId = null;
        world.mailchimp.external("L1", "ann@example.com", "unsubscribed");
        world.nextStep();

        SyncPreview.Tally predicted = world.preview(moving);
        world.counted.clear();
        world.sync(moving, false);
        int unsubscribed = world.counted.stream().mapToInt(RunCounts::unsubscribed).sum();
        assertEquals(1, unsubscribed, "the release pass unsubscribes ann in L2 (she said no in L1) as it archives her");
        assertEquals(unsubscribed, predicted.counts().unsubscribed(), "predicted, from the opt-out the first pass learns");
        assertEquals(world.counted.stream().mapToInt(RunCounts::archived).sum(), predicted.counts().archived());
        assertEquals(1, predicted.count(SyncPreview.Kind.OPT_OUTS_LEARNED));
        assertEquals("unsubscribed", world.mailchimp.audience("L2").members.get(Contact.subscriberHash("ann@example.com")).effectiveStatus());
    }

    @Test
    void examplesStopAtFiftyPerKindWhileTheCountsGoOn() {
        world.segments.add(sales);
        for (int i = 0; i < 60; i++) {
            person("e" + i, "person" + i + "@example.com");
        }
        SyncPreview.Tally tally = world.preview(sales);
        assertEquals(60, tally.count(SyncPreview.Kind.ADDED));
        List<SyncPreview.Example> added = tally.examples(SyncPreview.Kind.ADDED);
        assertEquals(SyncPreview.MAX_EXAMPLES, added.size());
        assertTrue(added.stream().allMatch(example -> example.email().equals("p***@example.com")), () -> "masked: " + added);
        assertTrue(tally.examples(SyncPreview.Kind.ARCHIVED).isEmpty());
    }

    @Test
    void pastItsDeadlineAPreviewStopsAfterAWindowAndSaysItIsIncomplete() {
        world.segments.add(sales);
        for (int i = 0; i < 10; i++) {
            person("e" + i, "person" + i + "@example.com");
        }
        SyncPreview preview = new SyncPreview(world.org, world.org, world.org, world.org, 2, Clock.systemUTC());
        SyncPreview.Tally partial = new SyncPreview.Tally(id -> id);
        assertFalse(preview.pass(world.mailchimp, pass(), Instant.now().minusSeconds(1), partial));
        assertEquals(2, partial.count(SyncPreview.Kind.ADDED), "the first window of two people");

        SyncPreview.Tally whole = new SyncPreview.Tally(id -> id);
        assertTrue(preview.pass(world.mailchimp, pass(), Instant.now().plusSeconds(60), whole));
        assertEquals(10, whole.count(SyncPreview.Kind.ADDED));
    }

    @Test
    void aMoveIsPredictedFromTwoReadsAndWrittenNowhere() {
        world.segments.add(sales);
        person("e1", "old@example.com");
        world.sync(sales, false);
        world.org.put(new Contact("e1", "employee", "new@example.com", "First", "Last", "A", null, null, null, null, null, null));
        int writes = world.mailchimp.writes.size();
        Map<String, Object> memberships = new TreeMap<>(world.org.memberships);
        SyncStores.Moves moves = orgId -> List.of(new SyncStores.Moves.Move("employee#e1", "old@example.com", "new@example.com"));
        SyncPreview preview = new SyncPreview(world.org, world.org, world.org, moves, 2, Clock.systemUTC());
        SyncPreview.Tally tally = new SyncPreview.Tally(id -> id);

        assertTrue(preview.pass(world.mailchimp, new SyncPass(OrgModel.ORG, "L1", "sales", List.of(sales.rule()),
                Map.of("sales", sales.tagId), Instant.now(), null), Instant.now().plusSeconds(60), tally));

        assertEquals(1, tally.count(SyncPreview.Kind.ADDRESS_CHANGES));
        assertEquals(new SyncPreview.Example("o***@example.com", null, "Moves to n***@example.com in Mailchimp, keeping its history"),
                tally.examples(SyncPreview.Kind.ADDRESS_CHANGES).get(0));
        // The member moved (in the preview's memory): the new address is updated, not added, and nobody archived.
        assertEquals(1, tally.count(SyncPreview.Kind.UPDATED));
        assertEquals(0, tally.count(SyncPreview.Kind.ADDED));
        assertEquals(0, tally.count(SyncPreview.Kind.ARCHIVED));
        assertEquals(writes, world.mailchimp.writes.size(), "nothing sent to Mailchimp");
        assertEquals(memberships, new TreeMap<>(world.org.memberships), "our records as they were");
    }
}
