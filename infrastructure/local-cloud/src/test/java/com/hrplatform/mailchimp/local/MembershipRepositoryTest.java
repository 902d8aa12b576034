package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bucketed memberships table, against dynalite with the table template.yaml declares. */
class MembershipRepositoryTest {
    private static DynamoDbClient dynamo;
    private static MembershipRepository memberships;

    @BeforeAll
    static void cloud() {
        PreferencesTestSupport.cloud();
        dynamo = PreferencesTestSupport.dynamo();
        memberships = new MembershipRepository(dynamo, "MembershipsTable", Clock.systemUTC());
    }

    private static Membership member(String orgId, String listId, int n) {
        String email = "person" + n + "@repo.example.com";
        return new Membership(orgId, listId, Contact.subscriberHash(email), email, "employee#p" + n, Membership.SUBSCRIBED,
                "digest" + n, Set.of("segment-a"), true, "2026-11-26T00:00:00Z");
    }

    private static Map<String, AttributeValue> bucketItem(String orgId, String listId, String hash) {
        return dynamo.getItem(request -> request.tableName("MembershipsTable").consistentRead(true).key(Map.of(
                "audienceKey", AttributeValue.fromS(orgId + "#" + listId),
                "bucket", AttributeValue.fromS(MembershipRepository.bucketOf(hash))))).item();
    }

    @Test
    @DisplayName("an audience reads back whole and in hash order, and a range holds exactly (after, to]")
    void rangesReadInHashOrder() {
        String org = PreferencesTestSupport.unique("org-range");
        List<Membership> written = new ArrayList<>();
        for (int n = 0; n < 3000; n++) {
            written.add(member(org, "list1", n));
        }
        memberships.putAll(written);
        List<String> expected = written.stream().map(Membership::subscriberHash).sorted().toList();

        List<Membership> all = memberships.range(org, "list1", null, null);
        assertEquals(expected, all.stream().map(Membership::subscriberHash).toList());
        assertEquals(written.get(7), all.stream().filter(m -> m.email().equals("person7@repo.example.com")).findFirst().orElseThrow());

        String after = expected.get(1000);
        String to = expected.get(1999);
        assertEquals(expected.subList(1001, 2000),
                memberships.range(org, "list1", after, to).stream().map(Membership::subscriberHash).toList());
        assertEquals(expected.subList(2000, 3000),
                memberships.range(org, "list1", to, null).stream().map(Membership::subscriberHash).toList());
        assertTrue(memberships.range(org, "list2", null, null).isEmpty(), "another audience is empty");
        assertTrue(memberships.range("someone-else", "list1", null, null).isEmpty(), "another org sees nothing");
    }

    @Test
    @DisplayName("writers racing on one bucket lose nothing: each read-modify-write is guarded by the bucket's version")
    void concurrentWritersLoseNothing() throws Exception {
        String org = PreferencesTestSupport.unique("org-race");
        // 40 addresses that all fall into the same bucket.
        List<Membership> sameBucket = new ArrayList<>();
        String bucket = null;
        for (int n = 0; sameBucket.size() < 40; n++) {
            Membership member = member(org, "list1", n);
            String memberBucket = MembershipRepository.bucketOf(member.subscriberHash());
            if (bucket == null) {
                bucket = memberBucket;
            }
            if (bucket.equals(memberBucket)) {
                sameBucket.add(member);
            }
        }
        ExecutorService writers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (Membership member : sameBucket) {
                writes.add(writers.submit(() -> memberships.put(member)));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        } finally {
            writers.shutdown();
        }
        assertEquals(sameBucket.stream().map(Membership::subscriberHash).sorted().toList(),
                memberships.range(org, "list1", null, null).stream().map(Membership::subscriberHash).toList());
        assertEquals("40", bucketItem(org, "list1", sameBucket.get(0).subscriberHash()).get("memberCount").n());
    }

    @Test
    @DisplayName("statuses: only an address we have a record of learns one; an unchanged status writes nothing")
    void markStatus() {
        String org = PreferencesTestSupport.unique("org-status");
        Membership ours = member(org, "list1", 1);
        memberships.put(ours);
        String stranger = "stranger@repo.example.com";
        memberships.markStatus(org, "list1", ours.subscriberHash(), Membership.UNSUBSCRIBED);
        memberships.markStatus(org, "list1", Contact.subscriberHash(stranger), Membership.CLEANED);

        Membership changed = memberships.forAddress(org, ours.subscriberHash()).get(0);
        assertEquals(Membership.UNSUBSCRIBED, changed.status());
        assertTrue(changed.placedByUs(), "placed by us, still");
        assertEquals(ours.digest(), changed.digest());
        assertEquals(ours.segments(), changed.segments());
        assertTrue(memberships.forAddress(org, Contact.subscriberHash(stranger)).isEmpty(),
                "nothing is kept of someone outside our records");

        String version = bucketItem(org, "list1", ours.subscriberHash()).get("version").n();
        memberships.markStatus(org, "list1", ours.subscriberHash(), Membership.UNSUBSCRIBED);
        assertEquals(version, bucketItem(org, "list1", ours.subscriberHash()).get("version").n(), "no write for no change");
    }

    @Test
    @DisplayName("a run's change lands only over what it read: an unsubscribe or an erasure made meanwhile wins")
    void changesAreConditionalOnWhatTheRunRead() {
        String org = PreferencesTestSupport.unique("org-apply");
        Membership read = member(org, "list1", 2);
        memberships.put(read);
        // Meanwhile a webhook records the person's unsubscribe.
        memberships.markStatus(org, "list1", read.subscriberHash(), Membership.UNSUBSCRIBED);
        Membership runWants = read.with(Membership.SUBSCRIBED, "new-digest", Set.of("s1", "s2"), true, read.email(),
                read.entityKey(), "2026-11-26T03:00:00Z");
        memberships.apply(org, "list1", List.of(new com.hrplatform.mailchimp.sync.SyncStores.MembershipChange(
                read.subscriberHash(), read, runWants)));
        Membership now = memberships.forAddress(org, read.subscriberHash()).get(0);
        assertEquals(Membership.UNSUBSCRIBED, now.status(), "the unsubscribe made meanwhile is kept");
        assertEquals(Set.of("s1", "s2"), now.segments(), "what only the run writes lands");

        Membership other = member(org, "list1", 3);
        memberships.put(other);
        memberships.delete(org, "list1", other.subscriberHash()); // an erasure meanwhile
        memberships.apply(org, "list1", List.of(new com.hrplatform.mailchimp.sync.SyncStores.MembershipChange(
                other.subscriberHash(), other, other.with(Membership.SUBSCRIBED, "d", Set.of("s1"), true, other.email(),
                other.entityKey(), "2026-11-26T03:00:00Z"))));
        assertTrue(memberships.forAddress(org, other.subscriberHash()).isEmpty(), "erased stays erased");
    }

    @Test
    @DisplayName("every audience of one address is found; deleting the last member of a bucket removes its item")
    void forAddressAndDelete() {
        String org = PreferencesTestSupport.unique("org-address");
        Membership employees = member(org, "employees", 5);
        Membership vendors = member(org, "vendors", 5);
        memberships.putAll(List.of(employees, vendors, member(org, "vendors", 6)));
        memberships.put(member(PreferencesTestSupport.unique("other-org"), "employees", 5));

        assertEquals(Set.of("employees", "vendors"),
                Set.copyOf(memberships.forAddress(org, employees.subscriberHash()).stream().map(Membership::listId).toList()));

        memberships.delete(org, "employees", employees.subscriberHash());
        assertTrue(bucketItem(org, "employees", employees.subscriberHash()).isEmpty(), "empty bucket item deleted");
        assertEquals(List.of("vendors"),
                memberships.forAddress(org, employees.subscriberHash()).stream().map(Membership::listId).toList());
        assertNull(memberships.forAddress(org, employees.subscriberHash()).stream()
                .filter(m -> m.listId().equals("employees")).findFirst().orElse(null));
        assertTrue(memberships.forAddress(PreferencesTestSupport.unique("nobody"), employees.subscriberHash()).isEmpty());
    }
}
