package com.hrplatform.mailchimp.contact;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.domain.Timestamps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The directory we sync from: bulk import from the dashboard and single changes from the platform's
 * events. Each record is validated on its own; a bad record is rejected without affecting the others.
 */
public final class ContactService {
    private static final Logger LOG = LoggerFactory.getLogger(ContactService.class);
    public static final int MAX_IMPORT = 1000;

    private final ContactRepository contacts;
    private final ErasureRegistry erasures;
    private final AuditLog audit;
    private final ExecutorService writers;
    private final Clock clock;

    public record ImportResult(int created, int updated, List<Rejection> rejected) {
    }

    public record Rejection(int index, String reason) {
    }

    /** What an upsert did: created, updated, refused because the address was erased, or older than what is stored. */
    public enum Outcome { CREATED, UPDATED, ERASED, STALE }

    /**
     * The version of a directory change: its time, fixed width so versions order as text, then the platform's
     * sequence within that time (0 when it sends none). A change applies only over an older version.
     */
    public static String version(Instant at, long sequence) {
        return Timestamps.format(at) + "#" + String.format("%020d", sequence);
    }


    /**
     * A person's email preference stated before they were in the directory (e.g. an opt-out recorded for
     * someone not yet imported): {@code opted_in}, {@code opted_out}, or empty.
     */
    @FunctionalInterface
    public interface StatedConsent {
        Optional<Stated> statusOf(String orgId, String entityType, String entityId);
    }

    /** A stated preference: {@code opted_in} or {@code opted_out}, and when. */
    public record Stated(String status, String at) {
    }

    private final StatedConsent statedConsent;
    private final SaidNo saidNo;
    private final Moves moves;
    /** Every address we ever held for a person, so an erasure reaches them all. */
    private final AddressHistory ledger;

    /** A person as they were before a change (null: new) and after it (null: left the directory). */
    public record Changed(Contact before, Contact after) {
        /** Whether nothing a segment filters on or a member shows changed (address, names, type, directory fields). */
        public boolean showsNothingNew() {
            return before != null && after != null && before.entityType().equals(after.entityType())
                    && before.email().equals(after.email()) && java.util.Objects.equals(before.firstName(), after.firstName())
                    && java.util.Objects.equals(before.lastName(), after.lastName())
                    && java.util.Objects.equals(before.department(), after.department())
                    && java.util.Objects.equals(before.location(), after.location())
                    && java.util.Objects.equals(before.employmentType(), after.employmentType())
                    && java.util.Objects.equals(before.employmentStatus(), after.employmentStatus());
        }
    }

    /**
     * Where applied directory changes go so that they reach Mailchimp within minutes (the sync's change path). Called
     * after the writes; when it throws, the caller's retry (EventBridge's, the admin's) writes again and tells again.
     */
    @FunctionalInterface
    public interface DirectoryChanges {
        DirectoryChanges NONE = (orgId, changes) -> { };

        void changed(String orgId, List<Changed> changes);
    }

    private final DirectoryChanges changes;

    public ContactService(ContactRepository contacts, ErasureRegistry erasures, AddressHistory ledger, AuditLog audit,
                          ExecutorService writers, Clock clock, StatedConsent statedConsent, SaidNo saidNo, Moves moves) {
        this(contacts, erasures, ledger, audit, writers, clock, statedConsent, saidNo, moves, DirectoryChanges.NONE);
    }

    public ContactService(ContactRepository contacts, ErasureRegistry erasures, AddressHistory ledger, AuditLog audit,
                          ExecutorService writers, Clock clock, StatedConsent statedConsent, SaidNo saidNo, Moves moves,
                          DirectoryChanges changes) {
        this.changes = changes;
        this.moves = moves;
        this.ledger = ledger;
        this.statedConsent = statedConsent;
        this.saidNo = saidNo;
        this.contacts = contacts;
        this.erasures = erasures;
        this.audit = audit;
        this.writers = writers;
        this.clock = clock;
    }

    /** {@code contacts.import}: every valid record is written; the rest are listed by index with the reason. */
    public ImportResult importContacts(Identity identity, List<JsonNode> records) {
        String now = now();
        List<Rejection> rejected = new ArrayList<>();
        Map<String, Integer> firstIndexByKey = new HashMap<>();
        Map<Integer, Contact> valid = new LinkedHashMap<>();
        for (int index = 0; index < records.size(); index++) {
            ContactValidator.Result result = ContactValidator.validate(records.get(index), now, Set.of());
            if (!result.valid()) {
                rejected.add(new Rejection(index, String.join("; ", result.problems())));
                continue;
            }
            Integer first = firstIndexByKey.putIfAbsent(result.contact().entityKey(), index);
            if (first != null) {
                rejected.add(new Rejection(index, "entityId: the same person as record " + first));
                continue;
            }
            valid.put(index, result.contact());
        }
        Map<Integer, Future<Applied>> writes = new LinkedHashMap<>();
        String version = version(clock.instant(), 0);
        valid.forEach((index, contact) -> writes.put(index, writers.submit(() -> write(identity.orgId(), contact, version))));
        int created = 0;
        int updated = 0;
        List<Changed> changed = new ArrayList<>();
        for (Map.Entry<Integer, Future<Applied>> write : writes.entrySet()) {
            Applied applied = await(write.getValue());
            // A re-import of people as they are changes nothing in Mailchimp. (An event is told even so: its retry
            // after a crash finds the write done and must still reach the change path.)
            if (applied.change() != null && !applied.change().showsNothingNew()) {
                changed.add(applied.change());
            }
            switch (applied.outcome()) {
                case CREATED -> created++;
                case UPDATED -> updated++;
                case ERASED -> rejected.add(new Rejection(write.getKey(),
                        "email: this address was erased at the person's request and cannot be added again"));
            }
        }
        try {
            changes.changed(identity.orgId(), changed);
        } catch (RuntimeException e) {
            // The import is written: a retry would only audit it twice. Its changes wait for the daily run instead.
            LOG.warn("Imported changes not queued; the daily sync applies them",
                    entry("orgId", identity.orgId()),
                    entry("errorType", e.getClass().getSimpleName()));
        }
        rejected.sort((a, b) -> Integer.compare(a.index(), b.index()));
        audit.record(identity.orgId(), identity.actor(), "contacts.imported", "contacts", identity.orgId(),
                Map.of("created", created, "updated", updated, "rejected", rejected.size()));
        return new ImportResult(created, updated, rejected);
    }

    /**
     * Writes one person unless their address was erased. A person who said no and now has an address we did not
     * hold for them (new, or changed) has that address unsubscribed everywhere too: the no goes with the person.
     */
    public Outcome upsert(String orgId, Contact contact) {
        return upsert(orgId, contact, version(clock.instant(), 0));
    }

    /**
     * {@link #upsert(String, Contact)} of a change made at {@code version}: older than what is stored, it is ignored.
     * What follows from a new address is done after the write and then noted ({@code settle}); a retry after a crash
     * between the two finds the address unsettled and does it again (each step is idempotent).
     */
    public Outcome upsert(String orgId, Contact contact, String version) {
        Applied applied = write(orgId, contact, version);
        if (applied.change() != null) {
            changes.changed(orgId, List.of(applied.change()));
        }
        return applied.outcome();
    }

    /** What a write did, and the change it made (null when it changed nothing). */
    private record Applied(Outcome outcome, Changed change) {
    }

    private Applied write(String orgId, Contact contact, String version) {
        if (erasures.isErased(orgId, contact.email())) {
            return new Applied(Outcome.ERASED, null);
        }
        ContactRepository.Written written = contacts.upsert(orgId, contact, version);
        if (!written.applied()) {
            return new Applied(Outcome.STALE, null);
        }
        Optional<Contact> before = written.before();
        String settled = written.settledEmail();
        if (!contact.email().equals(settled)) {
            followNewAddress(orgId, contact, before, settled);
            // The addresses held before this one (if the person was here): a sync can find their member there later.
            List<String> former = new ArrayList<>();
            if (before.isPresent()) {
                java.util.stream.Stream.of(settled, before.get().email()).filter(java.util.Objects::nonNull)
                        .forEach(former::add);
            }
            contacts.settle(orgId, contact.entityKey(), contact.email(), former);
        }
        return new Applied(before.isPresent() ? Outcome.UPDATED : Outcome.CREATED, new Changed(before.orElse(null), contact));
    }

    /**
     * The person holds an address whose consequences are not done yet: the ledger notes it (an erasure reaches it),
     * a change from {@code settled} is noted as a move (syncs move the member) and takes the person's no along;
     * someone new to the directory gets the preference they stated before.
     */
    private void followNewAddress(String orgId, Contact contact, Optional<Contact> before, String settled) {
        ledger.record(orgId, contact.entityType(), contact.entityId(), contact.email());
        before.map(Contact::email).filter(held -> !held.equals(contact.email()) && !held.equals(settled))
                .ifPresent(held -> ledger.record(orgId, contact.entityType(), contact.entityId(), held));
        if (settled != null && before.isPresent()) {
            moves.moved(orgId, contact.entityKey(), settled, contact.email());
            if (before.get().erased()) {
                // The erasure was of the old address: with a new one, the person's own stated preference applies.
                Optional<Stated> stated = statedConsent.statusOf(orgId, contact.entityType(), contact.entityId());
                contacts.clearErased(orgId, contact.entityType(), contact.entityId(),
                        stated.map(Stated::status).orElse(null), stated.map(Stated::at).orElse(null));
                if (stated.filter(s -> Contact.OPTED_OUT.equals(s.status())).isPresent()) {
                    saidNo.unsubscribeEverywhere(orgId, contact.subscriberHash());
                }
            } else if (before.get().optedOut()) {
                saidNo.unsubscribeEverywhere(orgId, contact.subscriberHash());
            }
            return;
        }
        // New in the directory (or never settled): a preference stated earlier becomes the consent the sync reads.
        statedConsent.statusOf(orgId, contact.entityType(), contact.entityId()).ifPresent(stated -> {
            contacts.setConsent(orgId, contact.entityType(), contact.entityId(), stated.status(), stated.at());
            if (Contact.OPTED_OUT.equals(stated.status())) {
                saidNo.unsubscribeEverywhere(orgId, contact.subscriberHash());
            }
        });
    }

    /** Notes an address change, so that syncs move the person's members rather than add and archive. */
    @FunctionalInterface
    public interface Moves {
        void moved(String orgId, String entityKey, String fromEmail, String toEmail);
    }

    /** Takes a person's no to every audience of the account (the consent queue). */
    @FunctionalInterface
    public interface SaidNo {
        void unsubscribeEverywhere(String orgId, String subscriberHash);
    }

    /** The person left the directory at {@code version}; false when a newer change is stored (then nothing changes). */
    public boolean delete(String orgId, String entityType, String entityId, String version) {
        ContactRepository.Written written = contacts.markDeleted(orgId, entityType, entityId, version, now());
        written.before().ifPresent(before -> changes.changed(orgId, List.of(new Changed(before, null))));
        return written.applied();
    }

    public Page<Contact> list(Identity identity, String entityType, PageRequest page) {
        return contacts.list(identity.orgId(), entityType, page);
    }

    public String now() {
        return Timestamps.format(clock.instant());
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while importing contacts", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
