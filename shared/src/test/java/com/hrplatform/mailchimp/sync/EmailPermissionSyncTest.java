package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audience's email permission as the sync writes it: with consent only, once, and off with an unsubscribe. */
class EmailPermissionSyncTest {
    private final SyncWorld world = new SyncWorld();
    private final SyncWorld.Seg sales = new SyncWorld.Seg("sales", "mixed", Set.of("A"), false, "L1");

    private void person(String id, String email, String consent) {
        world.org.put(new Contact(id, "employee", email, "First", "Last", "A", null, null, null, null, consent,
                consent == null ? null : world.tick().toString()));
    }

    private Boolean permission(String email) {
        return world.mailchimp.emailPermissions.get("L1/" + Contact.subscriberHash(email));
    }

    @Test
    void noChoiceMeansNoPermissionWrites() {
        world.segments.add(sales);
        person("e1", "ann@example.com", null);
        world.sync(sales, false);
        assertEquals("subscribed", world.mailchimp.audience("L1").members.get(Contact.subscriberHash("ann@example.com")).status);
        assertTrue(world.mailchimp.emailPermissions.isEmpty());
    }

    @Test
    void addsEnableItOnlyForSendableAddressesAndASecondRunWritesNothing() {
        world.segments.add(sales);
        world.emailPermissions.put("L1", "perm1");
        person("e1", "ann@example.com", null);
        person("e2", "bob@example.com", Contact.OPTED_OUT);
        world.sync(sales, false);
        assertEquals(Boolean.TRUE, permission("ann@example.com"));
        assertNull(permission("bob@example.com"), "an address that said no is neither added nor given the permission");
        world.mailchimp.emailPermissions.clear();
        world.sync(sales, false);
        assertTrue(world.mailchimp.emailPermissions.isEmpty(), "unchanged members are not written again");
        assertEquals(List.of(), world.mailchimp.violations);
    }

    @Test
    void aChoiceMadeAfterTheFirstSyncReachesTheMembersAlreadyThere() {
        world.segments.add(sales);
        person("e1", "ann@example.com", null);
        person("e2", "cat@example.com", null);
        world.sync(sales, false);
        assertTrue(world.mailchimp.emailPermissions.isEmpty());
        world.emailPermissions.put("L1", "perm1");
        world.sync(sales, false);
        assertEquals(Boolean.TRUE, permission("ann@example.com"));
        assertEquals(Boolean.TRUE, permission("cat@example.com"));
    }

    @Test
    void aMemberFoundAlreadyThereGetsThePermissionOnlyOnceTheNextRunHasReadItsStatus() {
        world.segments.add(sales);
        world.emailPermissions.put("L1", "perm1");
        world.mailchimp.external("L1", "ann@example.com", "subscribed"); // someone else's member, not in our records
        person("e1", "ann@example.com", null);
        world.sync(sales, false);
        assertNull(permission("ann@example.com"), "its status was not read before the write: held back");
        world.sync(sales, false);
        assertEquals(Boolean.TRUE, permission("ann@example.com"), "the next run knows it is subscribed");
        world.mailchimp.emailPermissions.clear();
        world.sync(sales, false);
        assertTrue(world.mailchimp.emailPermissions.isEmpty(), "and then it is not written again");
    }

    @Test
    void anOptOutUnsubscribesAndDisablesIt() {
        world.segments.add(sales);
        world.emailPermissions.put("L1", "perm1");
        person("e1", "ann@example.com", null);
        world.sync(sales, false);
        world.org.state("employee#e1", false);
        world.org.unsubscribeQueue.clear(); // the consent worker's path is the end-to-end tests'; here the sync's
        world.sync(sales, false);
        assertEquals("unsubscribed", world.mailchimp.audience("L1").members.get(Contact.subscriberHash("ann@example.com")).status);
        assertEquals(Boolean.FALSE, permission("ann@example.com"));
        assertEquals(List.of(), world.mailchimp.violations);
    }

    @Test
    void aRefusedPermissionLeavesTheMemberWrittenAndIsTriedAgainNextRun() {
        world.segments.add(sales);
        world.emailPermissions.put("L1", "perm1");
        person("e1", "ann@example.com", null);
        world.mailchimp.refuseEmailPermissions = true;
        world.sync(sales, false);
        assertEquals("subscribed", world.mailchimp.audience("L1").members.get(Contact.subscriberHash("ann@example.com")).status);
        assertNull(permission("ann@example.com"));
        assertTrue(world.org.memberships.get("L1|" + Contact.subscriberHash("ann@example.com")).placedByUs(),
                "the add is ours even though the permission failed");
        world.mailchimp.refuseEmailPermissions = false;
        world.sync(sales, false);
        assertEquals(Boolean.TRUE, permission("ann@example.com"));
        assertFalse(world.mailchimp.violations.stream().anyMatch(v -> v.contains("permission")));
    }
}
