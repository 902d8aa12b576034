package com.hrplatform.mailchimp.contact;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A person of the platform's directory that we may sync: an employee or a vendor contact. The email
 * is stored normalised (trimmed, lower case). {@code consent} mirrors the person's email preference
 * ({@code opted_in}, {@code opted_out}, or null when they never stated one) and {@code consentAt} when
 * it was stated, so a sync reads one item per person. {@code startDate} is an ISO date (YYYY-MM-DD).
 * {@code subscriberHash} is the email's (Mailchimp's member id; null without an email): the item keeps it (its hash
 * index's key), so a sync reads it rather than hashing every address again; given null, it is computed.
 */
public record Contact(String entityId, String entityType, String email, String firstName, String lastName,
                      String department, String location, String employmentType, String employmentStatus,
                      String jobTitle, String startDate, String updatedAt, String consent, String consentAt,
                      String subscriberHash) {

    public static final String EMPLOYEE = "employee";
    public static final String VENDOR = "vendor";
    public static final String OPTED_IN = "opted_in";
    public static final String OPTED_OUT = "opted_out";
    /** Another record's erasure tombstoned this address: nothing may be sent to it, whatever this record says. */
    public static final String ERASED = "erased";

    public Contact {
        if (subscriberHash == null && email != null) {
            subscriberHash = subscriberHash(email);
        }
    }

    public Contact(String entityId, String entityType, String email, String firstName, String lastName,
                   String department, String location, String employmentType, String employmentStatus,
                   String jobTitle, String startDate, String updatedAt, String consent, String consentAt) {
        this(entityId, entityType, email, firstName, lastName, department, location, employmentType, employmentStatus,
                jobTitle, startDate, updatedAt, consent, consentAt, null);
    }

    /** A person without job title and start date (callers written before those fields existed). */
    public Contact(String entityId, String entityType, String email, String firstName, String lastName,
                   String department, String location, String employmentType, String employmentStatus,
                   String updatedAt, String consent, String consentAt) {
        this(entityId, entityType, email, firstName, lastName, department, location, employmentType, employmentStatus,
                null, null, updatedAt, consent, consentAt);
    }

    public String entityKey() {
        return entityKey(entityType, entityId);
    }

    public static String entityKey(String entityType, String entityId) {
        return entityType + "#" + entityId;
    }

    public Contact withConsent(String newConsent, String newConsentAt) {
        return new Contact(entityId, entityType, email, firstName, lastName, department, location, employmentType,
                employmentStatus, jobTitle, startDate, updatedAt, newConsent, newConsentAt, subscriberHash);
    }

    public boolean optedOut() {
        return OPTED_OUT.equals(consent);
    }

    public boolean erased() {
        return ERASED.equals(consent);
    }

    public boolean optedIn() {
        return OPTED_IN.equals(consent);
    }

    /** Design rule 4: lowercase hex MD5 of the trimmed, lower-cased email (Mailchimp's member id). */
    public static String subscriberHash(String email) {
        return md5Hex(normaliseEmail(email));
    }

    /** A sync hashes every person: one MessageDigest per thread rather than a provider lookup per call. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JVM", e);
        }
    });

    /** Lowercase hex MD5 of the text's UTF-8 bytes. */
    public static String md5Hex(String text) {
        MessageDigest md5 = MD5.get();
        md5.reset();
        return HexFormat.of().formatHex(md5.digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static String normaliseEmail(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }
}
