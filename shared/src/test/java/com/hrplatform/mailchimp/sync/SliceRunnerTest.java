package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A slice against the in-memory org and Mailchimp: what happens around the requests (issue 10, points 5 and 6). */
class SliceRunnerTest {
    private final SyncWorld world = new SyncWorld();
    private final SyncWorld.Seg sales = new SyncWorld.Seg("sales", "mixed", Set.of("A"), false, "L1");

    private void person(String id, String email, String consent) {
        world.org.put(new Contact(id, "employee", email, "First", "Last", "A", null, null, null, null, consent,
                consent == null ? null : world.tick().toString()));
    }

    private MailchimpModel.Member member(String email) {
        return world.mailchimp.audience("L1").members.get(Contact.subscriberHash(email));
    }

    @Test
    void anOptOutArrivingWhileTheSyncRunsIsNotOverwritten() {
        world.segments.add(sales);
        person("e1", "ann@example.com", null);
        // Calls 0-5 read the tag, the recorded moves, the audience, the intents, the directory and our records; the
        // person opts out then, before the batch checks consent again (call 6) and goes out.
        world.faults.onCall(6, () -> world.org.state("employee#e1", false));
        world.sync(sales, false);
        assertNull(member("ann@example.com"), "the batch dropped the address: its consent changed meanwhile");
        world.faults.disarm();
        world.sync(sales, false);
        assertNull(member("ann@example.com"), "the next sync knows the opt-out");
    }

    @Test
    void anOptOutLandingJustAfterTheCheckIsTakenToMailchimpAgain() {
        world.segments.add(sales);
        person("e1", "ann@example.com", null);
        world.org.unsubscribeQueue.clear();
        // After the check (call 6), before the add (call 8): the add goes out, the check after it finds the no.
        world.faults.onCall(7, () -> world.org.state("employee#e1", false));
        world.org.unsubscribeQueue.clear();
        world.sync(sales, false);
        assertEquals(List.of(Contact.subscriberHash("ann@example.com"), Contact.subscriberHash("ann@example.com")),
                world.org.unsubscribeQueue, "the opt-out's own message, and the sync's after the add");
        world.drainConsentQueue();
        assertEquals("unsubscribed", member("ann@example.com").status);
    }

    @Test
    void anAddWhoseAnswerWasLostIsKnownAsOursByItsSignupStamp() {
        world.segments.add(sales);
        person("e1", "ann@example.com", null);
        // Someone else's member, there before us: it signed up in the very second of our batch.
        world.mailchimp.external("L1", "bob@example.com", "subscribed");
        person("e2", "bob@example.com", null);
        // The batch add is applied, then its answer is lost; the retry finds both addresses there.
        world.faults.arm(7, true);
        world.sync(sales, false);
        assertEquals(1, world.faults.fired());
        assertTrue(member("ann@example.com").createdByUs);
        Membership ann = world.org.memberships.get("L1|" + Contact.subscriberHash("ann@example.com"));
        Membership bob = world.org.memberships.get("L1|" + Contact.subscriberHash("bob@example.com"));
        assertTrue(ann.placedByUs(), "our add created it");
        assertEquals(false, bob.placedByUs(), "it was there before: never ours to archive");
        assertEquals(Set.of("sales"), ann.segments());
        assertEquals(Set.of("sales"), bob.segments());
    }

    @Test
    void aCrashOnABatchThreadEndsTheSliceAndItsRetryPlacesEveryone() {
        world.segments.add(sales);
        person("e1", "ann@example.com", null);
        world.batches = command -> { // a pool's thread, as in a Lambda container
            Thread thread = new Thread(command, "batch");
            thread.setUncaughtExceptionHandler((t, e) -> { });
            thread.start();
            try {
                thread.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        // The batch's add (call 8) dies with an Error, which no catch of RuntimeException sees.
        world.faults.onCall(8, () -> {
            throw new StackOverflowError("the batch's thread died");
        });
        assertThrows(StackOverflowError.class, () -> world.sync(sales, false), "the slice ends with it, not as done");
        assertNull(member("ann@example.com"), "nothing was sent");
        world.sync(sales, false);
        assertEquals("subscribed", member("ann@example.com").status);
        assertTrue(world.org.memberships.get("L1|" + Contact.subscriberHash("ann@example.com")).placedByUs());
    }
}
