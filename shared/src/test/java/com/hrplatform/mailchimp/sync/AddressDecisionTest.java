package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.segment.FilterCriteria;
import com.hrplatform.mailchimp.sync.AddressPlan.Write;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-address decision, rule by rule (issue 10): plain records in, the plan out, no I/O. */
class AddressDecisionTest {
    private static final String EMAIL = "pat@example.com";
    private static final String HASH = Contact.subscriberHash(EMAIL);
    private static final SegmentRule SALES = new SegmentRule("sales", "mixed",
            new FilterCriteria(Map.of("department", List.of("Sales"))), false);
    private static final SegmentRule SALES_OPT_IN = new SegmentRule("sales-opt-in", "mixed",
            new FilterCriteria(Map.of("department", List.of("Sales"))), true);
    private static final SegmentRule BERLIN = new SegmentRule("berlin", "employee",
            new FilterCriteria(Map.of("location", List.of("Berlin"))), false);

    private static Contact person(String type, String id, String department, String location, String consent,
                                  String consentAt) {
        return new Contact(id, type, EMAIL, "Pat", "Doe", department, location, "full-time", "active", null, consent,
                consentAt);
    }

    private static Contact employee(String consent) {
        return person("employee", "e1", "Sales", "Berlin", consent, consent == null ? null : "2026-05-01T00:00:00Z");
    }

    private static Membership ours(String status, boolean placedByUs, String... segments) {
        return new Membership("org", "list", HASH, EMAIL, "employee#e1", status,
                AddressDecision.digest(employee(null)), Set.of(segments), placedByUs, "2026-01-01T00:00:00Z");
    }

    private static AddressPlan decide(List<Contact> records, AudienceStatus mailchimp, String changedAt, Membership ours,
                                      List<SegmentRule> live, String run) {
        return AddressDecision.decide(new AddressFacts(HASH, records, false, mailchimp, changedAt, ours, live, run));
    }

    @Test
    void aNewPersonWithoutAStatedPreferenceIsAddedAndTagged() {
        AddressPlan plan = decide(List.of(employee(null)), AudienceStatus.UNKNOWN, null, null, List.of(SALES), "sales");
        assertEquals(Write.CREATE, plan.write());
        assertEquals("subscribed", plan.sendStatus());
        assertEquals(Set.of("sales"), plan.tagAdds());
        assertNull(plan.skip());
    }

    @Test
    void oneRecordThatOptedOutKeepsTheSharedAddressOut() {
        // Point 1: an employee and a vendor share the address; the vendor said no. The most restrictive wins.
        Contact vendor = person("vendor", "v1", "Sales", null, Contact.OPTED_OUT, "2026-05-02T00:00:00Z");
        AddressPlan absent = decide(List.of(employee(Contact.OPTED_IN), vendor), AudienceStatus.UNKNOWN, null, null,
                List.of(SALES), "sales");
        assertEquals(Write.NONE, absent.write());
        assertEquals(SkipReason.NO_CONSENT, absent.skip());

        AddressPlan present = decide(List.of(employee(Contact.OPTED_IN), vendor), AudienceStatus.UNKNOWN, null,
                ours(Membership.SUBSCRIBED, true, "sales"), List.of(SALES), "sales");
        assertEquals(Write.UPDATE, present.write());
        assertEquals("unsubscribed", present.sendStatus(), "said no: unsubscribed, not archived in silence");
        assertEquals(Set.of("sales"), present.tagRemoves());
    }

    @Test
    void anOptInSegmentNeedsAnExplicitOptInOfEveryRecordWithTheAddress() {
        Contact vendor = person("vendor", "v1", "Sales", null, null, null);
        AddressPlan plan = decide(List.of(employee(Contact.OPTED_IN), vendor), AudienceStatus.UNKNOWN, null, null,
                List.of(SALES_OPT_IN), "sales-opt-in");
        assertEquals(Write.NONE, plan.write());
        assertEquals(SkipReason.NO_CONSENT, plan.skip());
    }

    @Test
    void anOptInGivenAfterMailchimpsUnsubscribeBringsTheAddressBackAsPending() {
        // Point 2: the opt-in (May) is newer than the unsubscribe (April): new consent, confirmed by the person.
        AddressPlan plan = decide(List.of(employee(Contact.OPTED_IN)), AudienceStatus.UNSUBSCRIBED, "2026-04-01T00:00:00Z",
                ours(Membership.UNSUBSCRIBED, true, "sales"), List.of(SALES), "sales");
        assertEquals(Write.UPDATE, plan.write());
        assertEquals("pending", plan.sendStatus());
        assertTrue(plan.optOuts().isEmpty(), "no withdrawal the person never made");
    }

    @Test
    void mailchimpsUnsubscribeAfterTheLastConsentIsLearnedAsAnOptOut() {
        AddressPlan plan = decide(List.of(employee(Contact.OPTED_IN)), AudienceStatus.UNSUBSCRIBED, "2026-06-01T00:00:00Z",
                ours(Membership.SUBSCRIBED, true, "sales"), List.of(SALES), "sales");
        assertEquals(Write.NONE, plan.write());
        assertEquals(SkipReason.UNSUBSCRIBED, plan.skip());
        assertEquals(1, plan.optOuts().size());
        assertEquals("2026-06-01T00:00:00Z", plan.optOutAt());
        assertEquals(Membership.UNSUBSCRIBED, plan.learned());
    }

    @Test
    void pendingTransactionalAndArchivedBySomeoneElseAreLeftAsTheyAre() {
        // Point 3: counted as skipped with the reason, nothing written.
        for (var expected : Map.of(AudienceStatus.PENDING, SkipReason.PENDING,
                AudienceStatus.TRANSACTIONAL, SkipReason.TRANSACTIONAL,
                AudienceStatus.ARCHIVED, SkipReason.ARCHIVED).entrySet()) {
            AddressPlan plan = decide(List.of(employee(null)), expected.getKey(), "2026-06-01T00:00:00Z", null,
                    List.of(SALES), "sales");
            assertFalse(plan.needsMailchimp(), expected.getKey() + " must be left alone");
            assertEquals(expected.getValue(), plan.skip());
        }
    }

    @Test
    void aLeaverIsArchivedOnlyWhereWePlacedThemAndNoLiveSegmentSelectsThem() {
        Contact moved = person("employee", "e1", "Finance", "Lisbon", null, null);
        assertTrue(decide(List.of(moved), AudienceStatus.UNKNOWN, null, ours(Membership.SUBSCRIBED, true, "sales"),
                List.of(SALES, BERLIN), "sales").archive());
        AddressPlan notOurs = decide(List.of(moved), AudienceStatus.UNKNOWN, null,
                ours(Membership.SUBSCRIBED, false, "sales"), List.of(SALES, BERLIN), "sales");
        assertFalse(notOurs.archive(), "not placed by us: never archived");
        assertEquals(Set.of("sales"), notOurs.tagRemoves(), "it only loses our tag");
    }

    @Test
    void aPersonMovingBetweenTwoSegmentsOfTheAudienceStaysAndChangesTag() {
        // Point 9: decided from what the live segments select now, not from stored segment lists.
        Contact nowBerlinOnly = person("employee", "e1", "Finance", "Berlin", null, null);
        AddressPlan plan = decide(List.of(nowBerlinOnly), AudienceStatus.UNKNOWN, null,
                ours(Membership.SUBSCRIBED, true, "sales"), List.of(SALES, BERLIN), "sales");
        assertFalse(plan.archive());
        assertEquals(Set.of("sales"), plan.tagRemoves());
    }

    @Test
    void theTagOfADeletedOrMovedSegmentIsForgottenWithoutARequest() {
        AddressPlan plan = decide(List.of(employee(null)), AudienceStatus.UNKNOWN, null,
                ours(Membership.SUBSCRIBED, true, "sales", "deleted-one"), List.of(SALES), "sales");
        assertEquals(Set.of("deleted-one"), plan.tagForgets());
        assertTrue(plan.tagRemoves().isEmpty());
        assertFalse(plan.needsMailchimp());
    }

    @Test
    void anUnchangedMemberNeedsNothing() {
        AddressPlan plan = decide(List.of(employee(null)), AudienceStatus.UNKNOWN, null,
                ours(Membership.SUBSCRIBED, true, "sales"), List.of(SALES), "sales");
        assertTrue(plan.isNoop());
        assertTrue(plan.runWants());
    }

    @Test
    void anErasedAddressIsNeverWritten() {
        AddressPlan plan = AddressDecision.decide(new AddressFacts(HASH, List.of(employee(null)), true,
                AudienceStatus.UNKNOWN, null, null, List.of(SALES), "sales"));
        assertFalse(plan.needsMailchimp());
        assertEquals(SkipReason.ERASED, plan.skip());
    }

    @Test
    void aMemberWeArchivedComesBackWhenSelectedAgain() {
        AddressPlan plan = decide(List.of(employee(null)), AudienceStatus.ARCHIVED, "2026-06-01T00:00:00Z",
                ours(Membership.ARCHIVED, true), List.of(SALES), "sales");
        assertEquals(Write.UPDATE, plan.write());
        assertEquals("subscribed", plan.sendStatus());
    }

    @Test
    void aReleasePassAddsNobody() {
        AddressPlan plan = decide(List.of(employee(null)), AudienceStatus.UNKNOWN, null, null, List.of(SALES), null);
        assertFalse(plan.needsMailchimp());
        assertNull(plan.skip());
    }

    @Test
    void theWriteCarriesTheAudiencesMappedValuesAndItsDigestCoversThem() {
        var mapping = new com.hrplatform.mailchimp.mapping.MergeFieldMapping(new java.util.TreeMap<>(Map.of(
                "DEPT", com.hrplatform.mailchimp.mapping.DirectoryField.DEPARTMENT,
                "HRID", com.hrplatform.mailchimp.mapping.DirectoryField.STABLE_ID)));
        SegmentRule mapped = new SegmentRule("sales", "mixed", new FilterCriteria(Map.of("department", List.of("Sales"))),
                false, mapping);
        // Another segment of the audience with the default mapping: the member gets the union, whichever segment runs.
        AddressPlan added = decide(List.of(employee(null)), AudienceStatus.UNKNOWN, null, null, List.of(mapped, BERLIN), "berlin");
        assertEquals(Write.CREATE, added.write());
        assertEquals(Map.of("DEPT", "Sales", "HRID", "employee#e1", "FNAME", "Pat", "LNAME", "Doe"), added.mergeFields());

        Membership recorded = new Membership("org", "list", HASH, EMAIL, "employee#e1", Membership.SUBSCRIBED,
                added.digest(), Set.of("sales", "berlin"), true, "2026-01-01T00:00:00Z");
        AddressPlan same = decide(List.of(employee(null)), AudienceStatus.UNKNOWN, null, recorded, List.of(mapped, BERLIN), "sales");
        assertEquals(Write.NONE, same.write(), "nothing mapped changed: no write");
        AddressPlan defaultOnly = decide(List.of(employee(null)), AudienceStatus.UNKNOWN, null, recorded, List.of(SALES), "sales");
        assertEquals(Write.UPDATE, defaultOnly.write(), "the mapping changed what is sent: the member is written again");
        assertEquals(Map.of("FNAME", "Pat", "LNAME", "Doe"), defaultOnly.mergeFields());
    }
}
