package com.hrplatform.mailchimp.contact;

/**
 * Knows which addresses were erased under GDPR, by a keyed one-way hash, so that no import, event or
 * sync adds them again.
 */
public interface ErasureRegistry {
    boolean isErased(String orgId, String email);
}
