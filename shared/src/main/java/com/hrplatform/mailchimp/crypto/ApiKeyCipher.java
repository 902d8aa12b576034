package com.hrplatform.mailchimp.crypto;

/** Encrypts an org's Mailchimp API key at rest, bound to that org: one org's ciphertext never opens as another's. */
public interface ApiKeyCipher {
    /** @return the ciphertext, base64 */
    String encrypt(String orgId, String plaintext);

    /** @throws IllegalStateException when the ciphertext does not belong to this org or was tampered with */
    String decrypt(String orgId, String ciphertext);
}
