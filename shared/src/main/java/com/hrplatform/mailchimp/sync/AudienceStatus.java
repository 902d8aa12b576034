package com.hrplatform.mailchimp.sync;

import java.util.Locale;

/**
 * An address's status in one Mailchimp audience as a sync run reads it. A run reads every member that is not
 * subscribed (see {@link AudienceSnapshot}); an address it did not see is {@link #UNKNOWN}: subscribed, or not
 * in the audience at all.
 */
public enum AudienceStatus {
    UNKNOWN, SUBSCRIBED, PENDING, UNSUBSCRIBED, CLEANED, TRANSACTIONAL, ARCHIVED;

    /** The statuses a run reads from Mailchimp: everything but subscribed. */
    public static final AudienceStatus[] READ = {PENDING, UNSUBSCRIBED, CLEANED, TRANSACTIONAL, ARCHIVED};

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AudienceStatus fromWire(String status) {
        for (AudienceStatus value : values()) {
            if (value != UNKNOWN && value.wire().equals(status)) {
                return value;
            }
        }
        return UNKNOWN;
    }
}
