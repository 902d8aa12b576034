package com.hrplatform.mailchimp.contact;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A person of the platform's directory that we may sync: an employee or a vendor contact. The email
 * is stored normalised (trimmed, lower case). {@code consent} mirrors the person's email preference
 * ({@code opted_in}, {@code opted_out}, or null when they never stated one) so a sync reads one item
 * per person.
 */
public record Contact(String entityId, String entityType, String email, String firstName, String lastName,
                      String department, String location, String employmentType, String employmentStatus,
                      String updatedAt, String consent) {

    public static final String EMPLOYEE = "employee";
    public static final String VENDOR = "vendor";
    public static final String OPTED_IN = "opted_in";
    public static final String OPTED_OUT = "opted_out";

    public String entityKey() {
        return entityKey(entityType, entityId);
    }

    public static String entityKey(String entityType, String entityId) {
        return entityType + "#" + entityId;
    }

    public String subscriberHash() {
        return subscriberHash(email);
    }

    public Contact withConsent(String newConsent) {
        return new Contact(entityId, entityType, email, firstName, lastName, department, location, employmentType,
                employmentStatus, updatedAt, newConsent);
    }

    /** Design rule 4: lowercase hex MD5 of the trimmed, lower-cased email (Mailchimp's member id). */
    public static String subscriberHash(String email) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5")
                    .digest(normaliseEmail(email).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JVM", e);
        }
    }

    public static String normaliseEmail(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }
}
