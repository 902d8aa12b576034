package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import com.hrplatform.mailchimp.preference.ConsentMessage;
import com.hrplatform.mailchimp.preference.ConsentQueue;
import com.hrplatform.mailchimp.preference.PreferenceRepository;
import com.hrplatform.mailchimp.sync.SyncStores;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code mailchimp.preferences.gdprDelete} (design rule 3). The local part runs here, in an order that
 * survives a crash at any step (a retry redoes it; the contact, which holds the address, goes last):
 * tombstone first, then the recent-erasure entry for syncs in flight, the Mailchimp part queued
 * ({@code delete-permanent} in every audience the memberships name, retried by the queue until done),
 * then memberships, preference and history, the contact, the erased marker and the audit entry (ids only).
 */
public class ErasureService {
    public static final String ACTION = "preference.erased";

    private final Tombstones tombstones;
    private final ErasureJournal journal;
    private final ConsentJournalTable consentJournal;
    private final ContactRepository contacts;
    private final PreferenceRepository preferences;
    private final MembershipRepository memberships;
    private final ConsentQueue queue;
    private final AuditLog audit;
    private final Clock clock;

    public record Result(boolean erased, int audiencesErased) {
    }

    public ErasureService(Tombstones tombstones, ErasureJournal journal, ConsentJournalTable consentJournal,
                          ContactRepository contacts,
                          PreferenceRepository preferences, MembershipRepository memberships, ConsentQueue queue,
                          AuditLog audit, Clock clock) {
        this.tombstones = tombstones;
        this.journal = journal;
        this.consentJournal = consentJournal;
        this.contacts = contacts;
        this.preferences = preferences;
        this.memberships = memberships;
        this.queue = queue;
        this.audit = audit;
        this.clock = clock;
    }

    public Result erase(Identity identity, String entityType, String entityId) {
        String orgId = identity.orgId();
        Instant now = clock.instant();
        Optional<Contact> contact = contacts.find(orgId, entityType, entityId);
        if (contact.isEmpty()) {
            // No address to tombstone (never imported, or erased before): remove what is left, if anything.
            boolean known = preferences.find(orgId, entityType, entityId).isPresent()
                    || journal.wasErased(orgId, entityType, entityId);
            if (!known) {
                throw new DomainException.NotFound("No contact or preference for this entityType and entityId");
            }
            preferences.deleteAll(orgId, entityType, entityId);
            journal.markErased(orgId, entityType, entityId, now);
            audit.record(orgId, identity.actor(), ACTION, entityType, entityId, Map.of("audiencesErased", 0));
            return new Result(true, 0);
        }
        String email = contact.get().email();
        String hash = Contact.subscriberHash(email);
        tombstones.record(orgId, email, iso(now));
        List<Membership> found = memberships.forAddress(orgId, hash);
        List<String> listIds = found.stream().map(Membership::listId).distinct().sorted().toList();
        consentJournal.record(orgId, SyncStores.ConsentJournal.Kind.ERASURE, hash, entityType, entityId, iso(now));
        // Another record with the same address (a shared mailbox) stays in the directory, never to be sent to.
        for (Contact other : contacts.withAddress(orgId, hash)) {
            if (!other.entityKey().equals(Contact.entityKey(entityType, entityId))) {
                contacts.setConsent(orgId, other.entityType(), other.entityId(), Contact.ERASED, iso(now));
            }
        }
        if (!listIds.isEmpty()) {
            queue.send(ConsentMessage.erase(orgId, hash, listIds, iso(now)));
        }
        for (String listId : listIds) {
            memberships.delete(orgId, listId, hash);
        }
        preferences.deleteAll(orgId, entityType, entityId);
        contacts.delete(orgId, entityType, entityId);
        journal.markErased(orgId, entityType, entityId, now);
        audit.record(orgId, identity.actor(), ACTION, entityType, entityId, Map.of("audiencesErased", listIds.size()));
        return new Result(true, listIds.size());
    }

    private static String iso(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
