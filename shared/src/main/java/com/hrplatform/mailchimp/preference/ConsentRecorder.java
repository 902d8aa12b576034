package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.contact.ContactRepository;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Records a consent change everywhere it must show: the preference and its history, the person's
 * directory entry (which the sync reads), and the audit log (ids only, never the address).
 */
public final class ConsentRecorder {
    private final PreferenceRepository preferences;
    private final ContactRepository contacts;
    private final AuditLog audit;
    private final Clock clock;

    public ConsentRecorder(PreferenceRepository preferences, ContactRepository contacts, AuditLog audit, Clock clock) {
        this.preferences = preferences;
        this.contacts = contacts;
        this.audit = audit;
        this.clock = clock;
    }

    public Preference record(String orgId, String entityType, String entityId, boolean optedIn, String source, String actor) {
        String at = DateTimeFormatter.ISO_INSTANT.format(clock.instant());
        Preference preference = preferences.record(orgId, entityType, entityId, optedIn, source, at);
        contacts.setConsent(orgId, entityType, entityId, preference.status());
        audit.record(orgId, actor, optedIn ? "preference.opted_in" : "preference.opted_out", entityType, entityId,
                Map.of("source", source));
        return preference;
    }
}
