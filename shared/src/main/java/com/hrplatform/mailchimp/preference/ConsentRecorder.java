package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.erasure.ConsentJournalTable;
import com.hrplatform.mailchimp.sync.SyncStores.ConsentJournal.Kind;

import java.time.Clock;
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

    public Preference record(String orgId, String entityType, String entityId, boolean optedIn, String source, String actor) {
        String at = Timestamps.format(clock.instant());
        Preference preference = preferences.record(orgId, entityType, entityId, optedIn, source, at);
        contacts.setConsent(orgId, entityType, entityId, preference.status(), at);
        contacts.find(orgId, entityType, entityId).ifPresent(contact ->
                journal.record(orgId, optedIn ? Kind.OPT_IN : Kind.OPT_OUT, contact.subscriberHash(), entityType, entityId, at));
        audit.record(orgId, actor, optedIn ? "preference.opted_in" : "preference.opted_out", entityType, entityId,
                Map.of("source", source));
        return preference;
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
        contacts.setConsent(orgId, asRead.entityType(), asRead.entityId(), Preference.OPTED_OUT, at);
        journal.record(orgId, Kind.OPT_OUT, asRead.subscriberHash(), asRead.entityType(), asRead.entityId(), at);
        audit.record(orgId, actor, "preference.opted_out", asRead.entityType(), asRead.entityId(), Map.of("source", source));
        return true;
    }
}
