package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.segment.SegmentSyncService;
import com.hrplatform.mailchimp.sync.SyncStores;


/** The sync's way into people's consent: opt-outs Mailchimp reported, and unsubscribes to take everywhere. */
public final class SyncConsentLedger implements SyncStores.ConsentLedger {
    private final ConsentRecorder recorder;
    private final ConsentRequests consent;

    public SyncConsentLedger(ConsentRecorder recorder, ConsentRequests consent) {
        this.recorder = recorder;
        this.consent = consent;
    }

    @Override
    public boolean optOutIfUnchanged(String orgId, Contact asRead, String source, String at) {
        if (!recorder.optOutIfUnchanged(orgId, asRead, source, at, SegmentSyncService.ACTOR)) {
            return false;
        }
        // The person said no in one audience: the organisation's other audiences follow.
        unsubscribeEverywhere(orgId, asRead.subscriberHash());
        return true;
    }

    @Override
    public void unsubscribeEverywhere(String orgId, String subscriberHash) {
        consent.unsubscribeEverywhere(orgId, subscriberHash);
    }
}
