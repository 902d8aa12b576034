package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.events.PlatformEvent;
import com.hrplatform.mailchimp.events.PlatformEvents;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import com.hrplatform.mailchimp.preference.ConsentJobs;
import com.hrplatform.mailchimp.preference.ConsentRequests;
import com.hrplatform.mailchimp.preference.PreferenceRepository;
import com.hrplatform.mailchimp.segment.PendingChanges;
import com.hrplatform.mailchimp.sync.SyncStores.ConsentJournal.Kind;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code mailchimp.preferences.gdprDelete} (design rule 3), by a person (also one who left the directory) or by an
 * address. Every address we ever held for the person (the {@link AddressLedger}) is tombstoned, erased from every
 * audience of the connected account ({@code delete-permanent}, through the consent queue, retried until done), and
 * every record of ours about them goes: memberships, preference and history, directory entries, pending consent
 * jobs, journal entries, addresses waiting for the change path. Other records sharing an address (a shared mailbox) stay, marked erased: never sent again.
 * <p>
 * The request ({@link ErasureRequests}) is written first with its time, id and whom it erases; every step after it
 * is idempotent, so a retry after a crash at any step finishes the job, for the same people and addresses, and the
 * audit entry (ids only, never an address) is written once under the request's time and id. The request goes last.
 */
public class ErasureService {
    public static final String ACTION = "preference.erased";

    private final Tombstones tombstones;
    private final ErasureJournal journal;
    private final ConsentJournalTable consentJournal;
    private final PendingChanges pendingChanges;
    private final AddressLedger ledger;
    private final ContactRepository contacts;
    private final PreferenceRepository preferences;
    private final MembershipRepository memberships;
    private final ConsentRequests consent;
    private final AuditLog audit;
    private final ErasureRequests requests;
    private final PlatformEvents events;
    private final Clock clock;

    public record Result(boolean erased, int audiencesErased) {
    }

    /** Who is erased: the people (type, id) and the addresses. */
    private record Subject(Set<String> entityKeys, Set<String> emails) {
    }

    public ErasureService(Tombstones tombstones, ErasureJournal journal, ConsentJournalTable consentJournal,
                          AddressLedger ledger, ContactRepository contacts, PreferenceRepository preferences,
                          MembershipRepository memberships, ConsentRequests consent, AuditLog audit,
                          ErasureRequests requests, PlatformEvents events, PendingChanges pendingChanges, Clock clock) {
        this.tombstones = tombstones;
        this.journal = journal;
        this.consentJournal = consentJournal;
        this.pendingChanges = pendingChanges;
        this.ledger = ledger;
        this.contacts = contacts;
        this.preferences = preferences;
        this.memberships = memberships;
        this.consent = consent;
        this.audit = audit;
        this.requests = requests;
        this.events = events;
        this.clock = clock;
    }

    /** Erases a person, in the directory or not any more. NOT_FOUND when we never held anything of them. */
    public Result erase(Identity identity, String entityType, String entityId) {
        String orgId = identity.orgId();
        String entityKey = Contact.entityKey(entityType, entityId);
        Subject subject = new Subject(Set.of(entityKey), new TreeSet<>(ledger.addresses(orgId, entityType, entityId)));
        contacts.find(orgId, entityType, entityId).ifPresent(contact -> subject.emails().add(contact.email()));
        boolean known = !subject.emails().isEmpty() || preferences.find(orgId, entityType, entityId).isPresent()
                || journal.wasErased(orgId, entityType, entityId) || requests.inProgress(orgId, "entity#" + entityKey);
        if (!known) {
            throw new DomainException.NotFound("No contact or preference for this entityType and entityId");
        }
        return run(identity, "entity#" + entityKey, subject, entityType, entityId);
    }

    /** Erases an address and everyone of the org who held it; the tombstone is left even if we never held it. */
    public Result eraseAddress(Identity identity, String email) {
        String orgId = identity.orgId();
        String address = Contact.normaliseEmail(email);
        Set<String> entityKeys = new TreeSet<>();
        Set<String> emails = new TreeSet<>(List.of(address));
        for (Contact holder : contacts.withAddress(orgId, Contact.subscriberHash(address))) {
            entityKeys.add(holder.entityKey());
            emails.addAll(ledger.addresses(orgId, holder.entityType(), holder.entityId()));
        }
        return run(identity, "address#" + tombstones.tombstoneId(orgId, address), new Subject(entityKeys, emails),
                "address", tombstones.tombstoneId(orgId, address).substring(0, 16));
    }

    private Result run(Identity identity, String subjectKey, Subject found, String targetType, String targetId) {
        String orgId = identity.orgId();
        Set<String> listIds = new TreeSet<>();
        for (String email : found.emails()) {
            memberships.forAddress(orgId, Contact.subscriberHash(email)).stream().map(Membership::listId).forEach(listIds::add);
        }
        ErasureRequests.Request request = requests.open(orgId, subjectKey, found.entityKeys(), found.emails(), listIds.size());
        // A retry of a request that was done (its answer lost) runs again, erasing whatever is there now, and finds
        // the same time and id: the audit entry stays one.
        Subject subject = new Subject(request.entityKeys(), request.emails());
        Instant requestedAt = request.requestedAt();
        int audiences = request.audiences();
        String at = iso(clock.instant());
        Set<String> hashes = new LinkedHashSet<>();
        for (String email : subject.emails()) {
            String hash = Contact.subscriberHash(email);
            hashes.add(hash);
            tombstones.record(orgId, email, at);
            // For syncs running now (kept an hour): they must not write the address back.
            for (String entityKey : subject.entityKeys().isEmpty() ? Set.of(targetType + "#" + targetId) : subject.entityKeys()) {
                consentJournal.record(orgId, Kind.ERASURE, hash, type(entityKey), id(entityKey), at);
            }
            // Another record with the address (a shared mailbox) stays in the directory, never to be sent to.
            for (Contact other : contacts.withAddress(orgId, hash)) {
                if (!subject.entityKeys().contains(other.entityKey())) {
                    contacts.setConsent(orgId, other.entityType(), other.entityId(), Contact.ERASED, at);
                }
            }
        }
        // Ids only: an erasure by address names no one when it found no one.
        ConsentJobs.ErasureRequest erasure = new ConsentJobs.ErasureRequest(request.id(),
                List.copyOf(subject.entityKeys()), audiences);
        if (!hashes.isEmpty()) {
            // The consent worker tells the platform once Mailchimp has deleted them too (a done request's retry
            // only deletes again what it finds: the platform heard of it when it was done).
            consent.eraseEverywhere(orgId, hashes, request.done() ? null : erasure);
        }
        for (String hash : hashes) {
            memberships.forAddress(orgId, hash).forEach(known -> memberships.delete(orgId, known.listId(), hash));
        }
        consentJournal.forget(orgId, hashes);
        pendingChanges.forget(orgId, hashes);
        for (String entityKey : subject.entityKeys()) {
            preferences.deleteAll(orgId, type(entityKey), id(entityKey));
            contacts.delete(orgId, type(entityKey), id(entityKey));
            ledger.deleteAll(orgId, type(entityKey), id(entityKey));
            journal.markErased(orgId, type(entityKey), id(entityKey), requestedAt);
        }
        audit.recordOnce(orgId, requestedAt, request.id(), identity.actor(), ACTION, targetType,
                targetId, Map.of("audiencesErased", audiences, "addresses", hashes.size()));
        if (hashes.isEmpty() && !request.done()) {
            // Nothing to delete in Mailchimp: done now. Before close(), so a retry publishes what a failure did not;
            // a retry of a done request does not (it no longer knows whom it erased, and the platform was told).
            events.publish(PlatformEvent.erasureCompleted(orgId, erasure.requestId(), erasure.entityKeys(), audiences, at));
        }
        requests.close(orgId, subjectKey);
        return new Result(true, audiences);
    }

    private static String type(String entityKey) {
        return entityKey.substring(0, entityKey.indexOf('#'));
    }

    private static String id(String entityKey) {
        return entityKey.substring(entityKey.indexOf('#') + 1);
    }

    private static String iso(Instant instant) {
        return Timestamps.format(instant);
    }
}
