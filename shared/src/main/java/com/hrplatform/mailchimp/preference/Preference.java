package com.hrplatform.mailchimp.preference;

import java.util.List;

/** A person's email preference (GDPR consent) as api.md shows it; {@code history} only when asked for. */
public record Preference(String entityId, String entityType, String status, String consentGivenAt,
                         String consentWithdrawnAt, String consentSource, String updatedAt, List<Change> history) {
    public static final String OPTED_IN = "opted_in";
    public static final String OPTED_OUT = "opted_out";

    public record Change(String status, String at, String source) {
    }

    public Preference withHistory(List<Change> changes) {
        return new Preference(entityId, entityType, status, consentGivenAt, consentWithdrawnAt, consentSource, updatedAt,
                changes);
    }
}
