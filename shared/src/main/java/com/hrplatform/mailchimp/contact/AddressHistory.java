package com.hrplatform.mailchimp.contact;

/** Keeps every address we ever held for a person, so that their erasure can reach each one. */
@FunctionalInterface
public interface AddressHistory {
    void record(String orgId, String entityType, String entityId, String email);
}
