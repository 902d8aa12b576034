package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipMerge;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One org's side in memory, behind the sync's store ports: the directory with each record's consent, our records
 * of each audience, placement intents, the consent journal and ledger, erasure tombstones, and the consent queue
 * (its messages are taken to the {@link MailchimpModel} as the consent worker does).
 */
final class OrgModel implements SyncStores.Directory, SyncStores.Memberships, SyncStores.Placements,
        SyncStores.ConsentJournal, SyncStores.ConsentLedger, SyncStores.Moves {
    static final String ORG = "org-1";

    /** The directory: subscriber hash + entity key to record. */
    final TreeMap<String, Contact> directory = new TreeMap<>();
    final Map<String, Membership> memberships = new TreeMap<>();
    final Map<String, Intent> intents = new HashMap<>();
    final List<Object[]> journal = new ArrayList<>();
    final Set<String> tombstones = new HashSet<>();
    final List<String> unsubscribeQueue = new ArrayList<>();
    /** A record's own stated consent while its address is marked erased (its preference, kept apart). */
    final Map<String, String[]> statedBeforeErasure = new HashMap<>();
    private final Faults faults;
    private final Supplier<Instant> clock;

    OrgModel(Faults faults, Supplier<Instant> clock) {
        this.faults = faults;
        this.clock = clock;
    }

    private static String key(String hash, String entityKey) {
        return hash + "|" + entityKey;
    }

    private static String memberKey(String listId, String hash) {
        return listId + "|" + hash;
    }

    // ------------------------------------------------------------ the directory

    List<Contact> records() {
        return List.copyOf(directory.values());
    }

    List<Contact> withAddress(String hash) {
        return directory.subMap(hash + "|", hash + "|~").values().stream().toList();
    }

    @Override
    public List<Contact> withAddress(String orgId, String subscriberHash) {
        return faults.call(false, () -> withAddress(subscriberHash));
    }

    Contact find(String entityKey) {
        return directory.values().stream().filter(c -> c.entityKey().equals(entityKey)).findFirst().orElse(null);
    }

    /** The hashes of the addresses each person held before, as the directory item keeps them (gone with it). */
    final Map<String, Set<String>> formerHashes = new HashMap<>();

    void put(Contact contact) {
        Contact old = find(contact.entityKey());
        if (old != null) {
            directory.remove(key(old.subscriberHash(), old.entityKey()));
            if (!old.subscriberHash().equals(contact.subscriberHash())) {
                formerHashes.computeIfAbsent(contact.entityKey(), key -> new TreeSet<>()).add(old.subscriberHash());
                if (recordsMoves) {
                    moves.add(new Move(contact.entityKey(), old.email(), contact.email()));
                }
            }
        }
        directory.put(key(contact.subscriberHash(), contact.entityKey()), contact);
    }

    void remove(String entityKey) {
        Contact old = find(entityKey);
        if (old != null) {
            directory.remove(key(old.subscriberHash(), old.entityKey()));
        }
        formerHashes.remove(entityKey);
    }

    @Override
    public java.util.Optional<Contact> person(String orgId, String entityKey) {
        return faults.call(false, () -> java.util.Optional.ofNullable(find(entityKey)));
    }

    @Override
    public Set<String> formerHashes(String orgId, String entityKey) {
        return faults.call(false, () -> Set.copyOf(formerHashes.getOrDefault(entityKey, Set.of())));
    }

    private Map<String, Set<String>> formerHashesOf(List<Contact> people) {
        Map<String, Set<String>> former = new HashMap<>();
        people.forEach(person -> {
            Set<String> hashes = formerHashes.get(person.entityKey());
            if (hashes != null) {
                former.put(person.entityKey(), Set.copyOf(hashes));
            }
        });
        return former;
    }

    @Override
    public SyncStores.Window window(String orgId, String afterHash, int limit) {
        return faults.call(false, () -> {
            List<Contact> people = new ArrayList<>();
            String last = null;
            for (Contact contact : directory.values()) {
                String hash = contact.subscriberHash();
                if (afterHash != null && hash.compareTo(afterHash) <= 0) {
                    continue;
                }
                if (people.size() >= limit && !hash.equals(last)) {
                    return new SyncStores.Window(people, last, formerHashesOf(people));
                }
                people.add(contact);
                last = hash;
            }
            return new SyncStores.Window(people, null, formerHashesOf(people));
        });
    }

    // ------------------------------------------------------------ our records of the audiences

    @Override
    public List<Membership> range(String orgId, String listId, String afterHash, String toHash) {
        return faults.call(false, () -> memberships.values().stream()
                .filter(m -> m.listId().equals(listId))
                .filter(m -> afterHash == null || m.subscriberHash().compareTo(afterHash) > 0)
                .filter(m -> toHash == null || m.subscriberHash().compareTo(toHash) <= 0)
                .toList());
    }

    @Override
    public Membership find(String orgId, String listId, String subscriberHash) {
        return faults.call(false, () -> memberships.get(memberKey(listId, subscriberHash)));
    }

    /**
     * Whether address changes are recorded as moves (as the directory does, for a week). Off, a changed address is
     * found only by the person's former addresses, as a sync does once the recorded move has expired.
     */
    boolean recordsMoves;
    private final List<Move> moves = new ArrayList<>();

    @Override
    public List<Move> recent(String orgId) {
        return faults.call(false, () -> List.copyOf(moves));
    }

    @Override
    public void apply(String orgId, String listId, Collection<SyncStores.MembershipChange> changes) {
        faults.run(false, () -> {
            for (SyncStores.MembershipChange change : changes) {
                String key = memberKey(listId, change.subscriberHash());
                Membership result = MembershipMerge.resolve(memberships.get(key), change.before(), change.after());
                if (result == null) {
                    memberships.remove(key);
                } else {
                    memberships.put(key, result);
                }
            }
        });
    }

    // ------------------------------------------------------------ placement intents

    @Override
    public String open(String orgId, String listId, Collection<String> subscriberHashes, Collection<String> pendingHashes,
                       String stamp) {
        return faults.call(false, () -> {
            String id = listId + "#" + UUID.randomUUID();
            intents.put(id, new Intent(stamp, Set.copyOf(subscriberHashes), Set.copyOf(pendingHashes)));
            return id;
        });
    }

    @Override
    public void close(String orgId, String intentId) {
        faults.run(false, () -> intents.remove(intentId));
    }

    @Override
    public Map<String, Intent> openIntents(String orgId, String listId) {
        return faults.call(false, () -> {
            Map<String, Intent> open = new HashMap<>();
            intents.forEach((id, intent) -> {
                if (id.startsWith(listId + "#")) {
                    open.put(id, intent);
                }
            });
            return open;
        });
    }

    // ------------------------------------------------------------ consent

    void record(Kind kind, String subscriberHash, String entityKey, String consentAt) {
        journal.add(new Object[]{clock.get(), new Change(subscriberHash, kind, entityKey, consentAt)});
    }

    @Override
    public List<Change> changesSince(String orgId, Instant from) {
        return faults.call(false, () -> journal.stream().filter(entry -> !((Instant) entry[0]).isBefore(from))
                .map(entry -> (Change) entry[1]).toList());
    }

    @Override
    public boolean optOutIfUnchanged(String orgId, Contact asRead, String source, String at) {
        return faults.call(false, () -> {
            Contact now = find(asRead.entityKey());
            if (now == null || now.erased() || !java.util.Objects.equals(now.consent(), asRead.consent())
                    || !java.util.Objects.equals(now.consentAt(), asRead.consentAt())) {
                return false;
            }
            put(now.withConsent(Contact.OPTED_OUT, at));
            record(Kind.OPT_OUT, now.subscriberHash(), now.entityKey(), at);
            unsubscribeQueue.add(now.subscriberHash());
            return true;
        });
    }

    @Override
    public void unsubscribeEverywhere(String orgId, String subscriberHash) {
        faults.run(false, () -> unsubscribeQueue.add(subscriberHash));
    }

    /** A person's consent stated on the platform, as the preferences API records it. */
    void state(String entityKey, boolean optedIn) {
        Contact contact = find(entityKey);
        if (contact == null) {
            return;
        }
        if (contact.erased()) {
            // The preference is recorded; the address stays erased.
            statedBeforeErasure.put(entityKey, new String[]{optedIn ? Contact.OPTED_IN : Contact.OPTED_OUT, clock.get().toString()});
            return;
        }
        Instant at = clock.get();
        put(contact.withConsent(optedIn ? Contact.OPTED_IN : Contact.OPTED_OUT, at.toString()));
        record(optedIn ? Kind.OPT_IN : Kind.OPT_OUT, contact.subscriberHash(), entityKey, at.toString());
        if (!optedIn) {
            unsubscribeQueue.add(contact.subscriberHash());
        }
    }
}
