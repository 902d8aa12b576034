package com.hrplatform.mailchimp.erasure;

import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import com.hrplatform.mailchimp.preference.ConsentRequests;
import com.hrplatform.mailchimp.preference.PreferenceRepository;
import com.hrplatform.mailchimp.sync.SyncStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * "An erasure during a running sync still wins": when a sync run ends, every erasure of the org recorded
 * since the run started is applied again, because the run may have read the person before the erasure
 * and written after it (a membership holding the address, a consent record, a member Mailchimp accepted
 * just before the delete). What it finds is deleted again and {@code delete-permanent} is queued again
 * for those audiences. Failures are thrown: the sync message is then retried and this runs again.
 */
public class ErasureReapplier {
    private static final Logger LOG = LoggerFactory.getLogger(ErasureReapplier.class);
    /** Tolerance for clocks of different containers. */
    private static final Duration SKEW = Duration.ofMinutes(2);

    private final ConsentJournalTable journal;
    private final MembershipRepository memberships;
    private final PreferenceRepository preferences;
    private final ContactRepository contacts;
    private final ConsentRequests consent;
    private final Clock clock;

    public ErasureReapplier(ConsentJournalTable journal, MembershipRepository memberships, PreferenceRepository preferences,
                            ContactRepository contacts, ConsentRequests consent, Clock clock) {
        this.journal = journal;
        this.memberships = memberships;
        this.preferences = preferences;
        this.contacts = contacts;
        this.consent = consent;
        this.clock = clock;
    }

    /** @return how many erasures were looked at */
    public int reapply(String orgId, String runStartedAt) {
        Instant from = runStartedAt == null ? clock.instant().minus(ConsentJournalTable.RETENTION)
                : Instant.parse(runStartedAt).minus(SKEW);
        List<ConsentJournalTable.Entry> entries = journal.since(orgId, from).stream()
                .filter(entry -> entry.kind() == SyncStores.ConsentJournal.Kind.ERASURE).toList();
        for (ConsentJournalTable.Entry erasure : entries) {
            List<String> listIds = memberships.forAddress(orgId, erasure.subscriberHash()).stream()
                    .map(Membership::listId).distinct().sorted().toList();
            if (!listIds.isEmpty()) {
                consent.eraseEverywhere(orgId, List.of(erasure.subscriberHash()));
                listIds.forEach(listId -> memberships.delete(orgId, listId, erasure.subscriberHash()));
            }
            preferences.deleteAll(orgId, erasure.entityType(), erasure.entityId());
            contacts.find(orgId, erasure.entityType(), erasure.entityId())
                    .filter(contact -> contact.subscriberHash().equals(erasure.subscriberHash()))
                    .ifPresent(contact -> contacts.delete(orgId, erasure.entityType(), erasure.entityId()));
            if (!listIds.isEmpty()) {
                LOG.info("Erasure applied again after a sync run", entry("orgId", orgId),
                        entry("entityType", erasure.entityType()), entry("entityId", erasure.entityId()),
                        entry("audiences", listIds.size()));
            }
        }
        return entries.size();
    }
}
