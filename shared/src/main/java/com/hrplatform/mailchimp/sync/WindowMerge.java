package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One window of a slice as the facts of each address (see {@link SliceRunner}). */
final class WindowMerge {
    private WindowMerge() {
    }

    /**
     * Joins one window of people, our records and Mailchimp's listing into the facts of each address, in hash order:
     * a merge of the three sorted lists (each person's hash computed once), no maps or sets per window.
     */
    static List<AddressFacts> facts(SyncPass pass, List<Contact> people, List<Membership> known, AudienceSnapshot snapshot,
                                     Set<String> staleHashes) {
        List<Map.Entry<String, Contact>> byHash = new ArrayList<>(people.size());
        for (Contact person : people) {
            byHash.add(Map.entry(person.subscriberHash(), person));
        }
        byHash.sort(Map.Entry.comparingByKey()); // in hash order already: a single pass
        List<Membership> ours = new ArrayList<>(known);
        ours.sort((a, b) -> a.subscriberHash().compareTo(b.subscriberHash()));
        Iterator<String> stale = new TreeSet<>(staleHashes).iterator();
        String nextStale = stale.hasNext() ? stale.next() : null;
        List<AddressFacts> facts = new ArrayList<>(byHash.size() + ours.size());
        int p = 0;
        int o = 0;
        while (p < byHash.size() || o < ours.size() || nextStale != null) {
            String hash = min(min(p < byHash.size() ? byHash.get(p).getKey() : null,
                    o < ours.size() ? ours.get(o).subscriberHash() : null), nextStale);
            List<Contact> withAddress = new ArrayList<>(1);
            for (; p < byHash.size() && byHash.get(p).getKey().equals(hash); p++) {
                withAddress.add(byHash.get(p).getValue());
            }
            Membership record = null;
            for (; o < ours.size() && ours.get(o).subscriberHash().equals(hash); o++) {
                record = ours.get(o);
            }
            if (hash.equals(nextStale)) {
                nextStale = stale.hasNext() ? stale.next() : null;
            }
            if (withAddress.size() > 1) {
                withAddress.sort((a, b) -> a.entityKey().compareTo(b.entityKey()));
            }
            AudienceSnapshot.Entry listed = snapshot.get(hash);
            boolean erased = false;
            for (Contact person : withAddress) {
                erased |= person.erased();
            }
            facts.add(new AddressFacts(hash, withAddress, erased, listed.status(), listed.lastChanged(), record,
                    pass.liveSegments(), pass.runSegmentId()));
        }
        return facts;
    }

    /**
     * The facts of one address read on its own (the change path): its records in entity-key order, erased if any
     * record is, Mailchimp's status as {@code statuses} has it, and our record. The same facts a window would build.
     */
    static AddressFacts factsOf(SyncPass pass, String subscriberHash, List<Contact> records, Membership ours,
                                AudienceSnapshot statuses) {
        List<Contact> withAddress = new ArrayList<>(records);
        withAddress.sort((a, b) -> a.entityKey().compareTo(b.entityKey()));
        boolean erased = false;
        for (Contact person : withAddress) {
            erased |= person.erased();
        }
        AudienceSnapshot.Entry listed = statuses.get(subscriberHash);
        return new AddressFacts(subscriberHash, withAddress, erased, listed.status(), listed.lastChanged(), ours,
                pass.liveSegments(), pass.runSegmentId());
    }

    private static String min(String a, String b) {
        return a == null ? b : b == null || a.compareTo(b) <= 0 ? a : b;
    }
}
