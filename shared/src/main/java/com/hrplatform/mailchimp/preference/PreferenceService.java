package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * {@code mailchimp.preferences.getForEntity / list / updateOptStatus}: every change goes through the
 * {@link ConsentRecorder} (history, current preference, the contact's consent, audit); an opt-out of a
 * person in the directory is also queued for Mailchimp, so it reaches every audience of the account
 * without waiting for the daily sync.
 */
public class PreferenceService {
    private static final Logger LOG = LoggerFactory.getLogger(PreferenceService.class);
    private final PreferenceRepository preferences;
    private final ConsentRecorder recorder;
    private final ContactRepository contacts;
    private final ConsentRequests consent;
    private final OptIns optIns;

    /** Where an opt-in goes so the segments that select the person apply it within minutes (the sync's change path). */
    @FunctionalInterface
    public interface OptIns {
        OptIns NONE = (orgId, person) -> { };

        void optedIn(String orgId, Contact person);
    }

    public PreferenceService(PreferenceRepository preferences, ConsentRecorder recorder, ContactRepository contacts,
                             ConsentRequests consent) {
        this(preferences, recorder, contacts, consent, OptIns.NONE);
    }

    public PreferenceService(PreferenceRepository preferences, ConsentRecorder recorder, ContactRepository contacts,
                             ConsentRequests consent, OptIns optIns) {
        this.optIns = optIns;
        this.preferences = preferences;
        this.recorder = recorder;
        this.contacts = contacts;
        this.consent = consent;
    }

    /** The preference with its whole history, oldest first; empty when the person never stated one. */
    public Optional<Preference> getForEntity(Identity identity, String entityType, String entityId) {
        return preferences.find(identity.orgId(), entityType, entityId)
                .map(preference -> preference.withHistory(preferences.history(identity.orgId(), entityType, entityId)));
    }

    public Page<Preference> list(Identity identity, String status, PageRequest page) {
        return preferences.list(identity.orgId(), status, page);
    }

    public Preference updateOptStatus(Identity identity, String entityType, String entityId, boolean optedIn,
                                      String source) {
        Preference preference = recorder.record(identity.orgId(), entityType, entityId, optedIn, source, identity.actor());
        if (!optedIn) {
            contacts.find(identity.orgId(), entityType, entityId).ifPresent(contact ->
                    consent.unsubscribeEverywhere(identity.orgId(), contact.subscriberHash()));
        } else {
            // Read after the recorder wrote the consent: the change path decides on what is stored now.
            try {
                contacts.find(identity.orgId(), entityType, entityId).ifPresent(contact -> optIns.optedIn(identity.orgId(), contact));
            } catch (RuntimeException e) {
                // The opt-in is recorded: a retry would record it twice. It reaches Mailchimp at the daily sync instead.
                LOG.warn("Opt-in not queued; the daily sync applies it",
                        entry("orgId", identity.orgId()),
                        entry("errorType", e.getClass().getSimpleName()));
            }
        }
        return preference;
    }
}
