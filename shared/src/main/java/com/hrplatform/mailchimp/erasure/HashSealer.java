package com.hrplatform.mailchimp.erasure;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.function.Supplier;

/**
 * Seals a subscriber hash for short-lived records (AES-GCM, the org id as associated data, a key derived from the
 * tombstone secret), so a journal of recent consent changes never holds an address or its plain hash.
 */
public final class HashSealer {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Supplier<byte[]> secret;
    private volatile SecretKeySpec key;

    public HashSealer(Supplier<byte[]> secret) {
        this.secret = secret;
    }

    public byte[] seal(String orgId, String plaintext) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(128, iv));
            cipher.updateAAD(orgId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JVM", e);
        }
    }

    /** A keyed one-way hash of {@code value} within the org (HMAC-SHA256, hex): finds records without naming them. */
    public String keyed(String orgId, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(derive("keyed-index"), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal((orgId + ":" + value).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
        }
    }

    private byte[] derive(String purpose) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.get(), "HmacSHA256"));
        return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
    }

    public String open(String orgId, byte[] sealed) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(128, sealed, 0, 12));
            cipher.updateAAD(orgId.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(sealed, 12, sealed.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("A journal entry does not open with this deployment's key", e);
        }
    }

    private SecretKeySpec key() {
        if (key == null) {
            synchronized (this) {
                if (key == null) {
                    try {
                        // A key of its own, derived from the tombstone secret: the tombstone HMAC key is not reused as is.
                        Mac mac = Mac.getInstance("HmacSHA256");
                        mac.init(new SecretKeySpec(secret.get(), "HmacSHA256"));
                        key = new SecretKeySpec(mac.doFinal("erasure-journal".getBytes(StandardCharsets.UTF_8)), "AES");
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
                    }
                }
            }
        }
        return key;
    }
}
