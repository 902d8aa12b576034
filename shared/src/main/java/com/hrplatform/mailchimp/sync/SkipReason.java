package com.hrplatform.mailchimp.sync;

import java.util.Locale;

/**
 * Why a sync left a person of its segment out or as they were. The wire name appears in a run's
 * {@code skipped} counts; the text is what the dashboard explains.
 */
public enum SkipReason {
    NO_CONSENT("A record with this address opted out, or the segment needs an explicit opt-in that is missing"),
    ERASED("The address was erased at the person's request"),
    UNSUBSCRIBED("Unsubscribed in Mailchimp; only a new explicit opt-in brings the address back, as pending"),
    CLEANED("Mailchimp cleaned the address after it bounced; it cannot be added again"),
    PENDING("Awaiting the person's double opt-in confirmation in Mailchimp; left as it is"),
    TRANSACTIONAL("A transactional contact in Mailchimp; left as it is"),
    ARCHIVED("Archived in Mailchimp by someone else; left as it is"),
    REFUSED("Mailchimp refused this address for good earlier; change the address to try again"),
    CONSENT_CHANGED("The person's consent changed while the sync ran; the next sync applies it");

    private final String text;

    SkipReason(String text) {
        this.text = text;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String text() {
        return text;
    }
}
