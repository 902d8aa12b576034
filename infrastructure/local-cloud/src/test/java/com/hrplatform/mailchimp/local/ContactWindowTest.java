package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.sync.SyncStores;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.cloud;
import static com.hrplatform.mailchimp.local.PreferencesTestSupport.dynamo;
import static com.hrplatform.mailchimp.local.PreferencesTestSupport.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sync's windows over the directory on dynalite (the hash index of template.yaml): whatever the window size,
 * every person is read once, in hash order, and the people who share an address are read in one window.
 */
class ContactWindowTest {

    @Test
    void everyPersonIsReadOnceAndSharersOfAnAddressTogetherWhateverTheWindowSize() {
        cloud();
        ContactRepository contacts = new ContactRepository(dynamo(), "ContactsTable");
        String org = unique("org");
        // 12 people over 5 addresses, shared by 1 to 4 of them: windows of 1 to 5 cut through every group somewhere.
        int[] sharers = {3, 1, 4, 2, 2};
        Map<String, String> hashOfPerson = new HashMap<>();
        int person = 0;
        for (int address = 0; address < sharers.length; address++) {
            String email = "shared-" + address + "@example.com";
            for (int i = 0; i < sharers[address]; i++, person++) {
                Contact contact = new Contact("e-" + person, "employee", email, "First" + person, "Last", "Sales",
                        "Berlin", "full_time", "active", Instant.now().toString(), null, null);
                contacts.upsert(org, contact, ContactService.version(Instant.now(), person));
                hashOfPerson.put(contact.entityKey(), contact.subscriberHash());
            }
        }

        for (int limit = 1; limit <= 6; limit++) {
            for (boolean syncProjection : new boolean[]{false, true}) {
                List<List<Contact>> windows = new ArrayList<>();
                String after = null;
                do {
                    SyncStores.Window window = syncProjection ? contacts.window(org, after, limit, Set.of())
                            : contacts.window(org, after, limit);
                    windows.add(window.people());
                    after = window.lastHash();
                    assertTrue(windows.size() <= 12, "the windows go on: limit " + limit);
                } while (after != null);

                String label = "limit " + limit + (syncProjection ? ", the sync's projection" : "");
                List<String> read = new ArrayList<>();
                Map<String, Integer> windowOfHash = new TreeMap<>();
                String previousHash = "";
                for (int w = 0; w < windows.size(); w++) {
                    for (Contact someone : windows.get(w)) {
                        read.add(someone.entityKey());
                        assertEquals(hashOfPerson.get(someone.entityKey()), someone.subscriberHash(), label);
                        assertTrue(previousHash.compareTo(someone.subscriberHash()) <= 0, label + ": in hash order");
                        previousHash = someone.subscriberHash();
                        Integer earlier = windowOfHash.putIfAbsent(someone.subscriberHash(), w);
                        assertEquals(earlier == null ? w : earlier, w, label + ": an address's people in one window");
                    }
                }
                assertEquals(hashOfPerson.keySet(), Set.copyOf(read), label + ": everyone read");
                assertEquals(hashOfPerson.size(), read.size(), label + ": nobody read twice");
            }
        }
    }
}
