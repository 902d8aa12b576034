package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.segment.PendingChanges;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.cloud;
import static com.hrplatform.mailchimp.local.PreferencesTestSupport.dynamo;
import static com.hrplatform.mailchimp.local.PreferencesTestSupport.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change path's pending set on dynalite (the locks table of template.yaml): the claim protocol that keeps a change
 * from being lost or stranded whatever the order of senders, worker and crashes.
 */
class PendingChangesTest {

    private static PendingChanges pending() {
        cloud();
        return new PendingChanges(dynamo(), "LocksTable", Clock.systemUTC());
    }

    @Test
    void anErasureTakesItsAddressesOutOfEverySegmentsWaitingAndClaimedHashesOfThatOrgOnly() {
        PendingChanges pending = pending();
        String org = unique("org");
        String other = unique("org");
        pending.add(org, "s1", List.of("a", "b"));
        PendingChanges.Claim claimed = pending.claim(org, "s1").orElseThrow(); // a and b in flight
        pending.add(org, "s1", List.of("a", "c"));
        pending.add(org, "s2", List.of("a"));
        pending.add(other, "s1", List.of("a"));

        pending.forget(org, List.of("a"));

        PendingChanges.Claim again = pending.claim(org, "s1").orElseThrow();
        assertEquals(claimed.id(), again.id());
        assertEquals(Set.of("b"), again.hashes(), "gone from the claim in flight");
        pending.release(org, "s1", again.id());
        assertEquals(Set.of("c"), pending.claim(org, "s1").orElseThrow().hashes(), "gone from what waits");
        assertTrue(pending.claim(org, "s2").isEmpty(), "nothing left to wait in s2");
        assertTrue(pending.waiting(org, "s2").isEmpty());
        assertEquals(Set.of("a"), pending.claim(other, "s1").orElseThrow().hashes(), "another org's are its own");
    }

    @Test
    void addingTheSameAddressTwiceIsOneAddressInOneGeneration() {
        PendingChanges pending = pending();
        String org = unique("org");
        long first = pending.add(org, "s1", List.of("a", "b"));
        long again = pending.add(org, "s1", List.of("b"));
        assertEquals(first, again, "senders of one generation share its message");
        assertEquals(Set.of("a", "b"), pending.claim(org, "s1").orElseThrow().hashes());
    }

    @Test
    void aChangeAfterTheClaimIsInANewGenerationSoItsMessageIsNotADuplicate() {
        PendingChanges pending = pending();
        String org = unique("org");
        long before = pending.add(org, "s1", List.of("a"));
        PendingChanges.Claim claim = pending.claim(org, "s1").orElseThrow();
        long after = pending.add(org, "s1", List.of("a")); // the same person changed again while being applied
        assertNotEquals(before, after);
        pending.release(org, "s1", claim.id());
        assertEquals(Set.of("a"), pending.claim(org, "s1").orElseThrow().hashes(), "the second change still waits");
    }

    @Test
    void anUnreleasedClaimIsAnsweredAgainUntilReleasedAndNothingIsLostMeanwhile() {
        PendingChanges pending = pending();
        String org = unique("org");
        pending.add(org, "s1", List.of("a"));
        PendingChanges.Claim crashed = pending.claim(org, "s1").orElseThrow();
        pending.add(org, "s1", List.of("b"));
        PendingChanges.Claim redelivered = pending.claim(org, "s1").orElseThrow();
        assertEquals(crashed.id(), redelivered.id(), "the worker died before releasing: the same claim is applied again first");
        assertEquals(Set.of("a"), redelivered.hashes());
        assertTrue(redelivered.recovered() && !crashed.recovered());
        pending.release(org, "s1", redelivered.id());
        pending.release(org, "s1", crashed.id()); // a second release of it changes nothing
        assertEquals(Set.of("b"), pending.claim(org, "s1").orElseThrow().hashes());
    }

    @Test
    void nothingWaitingIsNoClaimAndSegmentsAndOrgsAreApart() {
        PendingChanges pending = pending();
        String org = unique("org");
        String other = unique("org");
        assertEquals(Optional.empty(), pending.claim(org, "s1"));
        pending.add(org, "s1", List.of("a"));
        pending.add(other, "s1", List.of("z"));
        assertEquals(Optional.empty(), pending.claim(org, "s2"));
        assertTrue(pending.waiting(org, "s1").isPresent());
        assertEquals(Set.of("a"), pending.claim(org, "s1").orElseThrow().hashes());
        assertEquals(Set.of("z"), pending.claim(other, "s1").orElseThrow().hashes());
        assertTrue(pending.waiting(org, "s1").isEmpty());
    }
}
