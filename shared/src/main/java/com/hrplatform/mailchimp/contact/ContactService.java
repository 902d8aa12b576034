package com.hrplatform.mailchimp.contact;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.audit.AuditLog;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
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

/**
 * The directory we sync from: bulk import from the dashboard and single changes from the platform's
 * events. Each record is validated on its own; a bad record is rejected without affecting the others.
 */
public final class ContactService {
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

    /** What an upsert did: created, updated, or refused because the address was erased. */
    public enum Outcome { CREATED, UPDATED, ERASED }

    /**
     * A person's email preference stated before they were in the directory (e.g. an opt-out recorded for
     * someone not yet imported): {@code opted_in}, {@code opted_out}, or empty.
     */
    @FunctionalInterface
    public interface StatedConsent {
        Optional<String> statusOf(String orgId, String entityType, String entityId);
    }

    private final StatedConsent statedConsent;

    public ContactService(ContactRepository contacts, ErasureRegistry erasures, AuditLog audit,
                          ExecutorService writers, Clock clock, StatedConsent statedConsent) {
        this.statedConsent = statedConsent;
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
        Map<Integer, Future<Outcome>> writes = new LinkedHashMap<>();
        valid.forEach((index, contact) -> writes.put(index, writers.submit(() -> upsert(identity.orgId(), contact))));
        int created = 0;
        int updated = 0;
        for (Map.Entry<Integer, Future<Outcome>> write : writes.entrySet()) {
            switch (await(write.getValue())) {
                case CREATED -> created++;
                case UPDATED -> updated++;
                case ERASED -> rejected.add(new Rejection(write.getKey(),
                        "email: this address was erased at the person's request and cannot be added again"));
            }
        }
        rejected.sort((a, b) -> Integer.compare(a.index(), b.index()));
        audit.record(identity.orgId(), identity.actor(), "contacts.imported", "contacts", identity.orgId(),
                Map.of("created", created, "updated", updated, "rejected", rejected.size()));
        return new ImportResult(created, updated, rejected);
    }

    /** Writes one person unless their address was erased. */
    public Outcome upsert(String orgId, Contact contact) {
        if (erasures.isErased(orgId, contact.email())) {
            return Outcome.ERASED;
        }
        if (!contacts.upsert(orgId, contact)) {
            return Outcome.UPDATED;
        }
        // New in the directory: a preference stated earlier becomes the consent the sync reads. Only for
        // created people, so an import of known people costs no extra read.
        statedConsent.statusOf(orgId, contact.entityType(), contact.entityId())
                .ifPresent(status -> contacts.setConsent(orgId, contact.entityType(), contact.entityId(), status));
        return Outcome.CREATED;
    }

    public void delete(String orgId, String entityType, String entityId) {
        contacts.delete(orgId, entityType, entityId);
    }

    public Page<Contact> list(Identity identity, String entityType, PageRequest page) {
        return contacts.list(identity.orgId(), entityType, page);
    }

    public String now() {
        return DateTimeFormatter.ISO_INSTANT.format(clock.instant());
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
