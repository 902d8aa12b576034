package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.erasure.ConsentJournalTable;
import com.hrplatform.mailchimp.preference.PreferenceRepository.PendingChange;
import com.hrplatform.mailchimp.sync.SyncStores.ConsentJournal.Kind;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Records a consent change everywhere it must show: the preference and its history, the person's directory
 * entry (which the sync reads), the journal of recent changes (which a sync in flight checks before and after
 * each batch) and the audit log (ids only, never the address).
 */
public final class ConsentRecorder {
    private final PreferenceRepository preferences;
    private final ContactRepository contacts;
    private final ConsentJournalTable journal;
    private final AuditLog audit;
    private final Clock clock;

    public ConsentRecorder(PreferenceRepository preferences, ContactRepository contacts, ConsentJournalTable journal,
                           AuditLog audit, Clock clock) {
        this.preferences = preferences;
        this.contacts = contacts;
        this.journal = journal;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Records a statement of the person. Stating what is already recorded changes nothing (a retried request is
     * not a second statement). The change is noted first and finished step by step; each step can be done twice
     * without effect, so a retry after a crash anywhere finishes it: one history item, one audit entry.
     */
    public Preference record(String orgId, String entityType, String entityId, boolean optedIn, String source, String actor) {
        String wanted = optedIn ? Preference.OPTED_IN : Preference.OPTED_OUT;
        for (int attempt = 0; attempt < 5; attempt++) {
            PreferenceRepository.State state = preferences.state(orgId, entityType, entityId);
            if (state.pending() != null) {
                finish(orgId, entityType, entityId, state.pending()); // an earlier statement a crash left half-done
                continue;
            }
            if (state.preference() != null && wanted.equals(state.preference().status())) {
                return state.preference();
            }
            PendingChange change = new PendingChange(wanted, Timestamps.format(clock.instant()), source, actor);
            if (preferences.begin(orgId, entityType, entityId, change)) {
                return finish(orgId, entityType, entityId, change);
            }
        }
        throw new DomainException.Conflict("The preference is being changed by another request; try again");
    }

    private Preference finish(String orgId, String entityType, String entityId, PendingChange change) {
        preferences.appendHistory(orgId, entityType, entityId, change);
        contacts.setConsent(orgId, entityType, entityId, change.status(), change.at());
        contacts.find(orgId, entityType, entityId).ifPresent(contact -> journal.record(orgId,
                change.optedIn() ? Kind.OPT_IN : Kind.OPT_OUT, contact.subscriberHash(), entityType, entityId, change.at()));
        audit.recordOnce(orgId, Instant.parse(change.at()), auditId(entityType, entityId, change.status()), change.actor(),
                change.optedIn() ? "preference.opted_in" : "preference.opted_out", entityType, entityId,
                Map.of("source", change.source()));
        return preferences.finish(orgId, entityType, entityId, change);
    }

    private static String auditId(String entityType, String entityId, String status) {
        return "preference#" + entityType + "#" + entityId + "#" + status;
    }

    /**
     * Records an opt-out Mailchimp reported (the member unsubscribed after the record's last consent), unless the
     * record's consent changed after the caller read it: a newer statement wins.
     */
    public boolean optOutIfUnchanged(String orgId, Contact asRead, String source, String at, String actor) {
        if (!preferences.recordOptOutIfUnchanged(orgId, asRead.entityType(), asRead.entityId(), source, at,
                asRead.consent(), asRead.consentAt())) {
            return false;
        }
        journal.record(orgId, Kind.OPT_OUT, asRead.subscriberHash(), asRead.entityType(), asRead.entityId(), at);
        audit.recordOnce(orgId, Instant.parse(at), auditId(asRead.entityType(), asRead.entityId(), Preference.OPTED_OUT),
                actor, "preference.opted_out", asRead.entityType(), asRead.entityId(), Map.of("source", source));
        // Last: the contact's consent is what the next sync decides by, so until it is written a retry does it all again.
        contacts.setConsent(orgId, asRead.entityType(), asRead.entityId(), Preference.OPTED_OUT, at);
        return true;
    }
}
