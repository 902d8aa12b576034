package com.hrplatform.mailchimp.connection;

import java.util.Map;

/**
 * A connection as stored. {@code encryptedApiKey} is KMS ciphertext bound to the org; it is removed on
 * disconnect. Only a connected record carries {@code activeShard}, which puts it in the sparse index
 * the daily fan-out reads. {@code emailPermissions}: per audience id, the id of the marketing permission (GDPR field)
 * that means email, as the admin chose it (ids differ per audience); empty when none was chosen.
 */
public record StoredConnection(String orgId, String status, String accountId, String accountName, String dataCenter,
                               String apiKeyHint, String encryptedApiKey, String connectedAt, String connectedBy,
                               String updatedAt, String lastSyncAt, String softDeletedAt,
                               Map<String, String> emailPermissions) {
    public static final String CONNECTED = "connected";
    public static final String DISCONNECTED = "disconnected";

    public StoredConnection {
        emailPermissions = emailPermissions == null ? Map.of() : Map.copyOf(emailPermissions);
    }

    /** A connection without any choice of email permission. */
    public StoredConnection(String orgId, String status, String accountId, String accountName, String dataCenter,
                            String apiKeyHint, String encryptedApiKey, String connectedAt, String connectedBy,
                            String updatedAt, String lastSyncAt, String softDeletedAt) {
        this(orgId, status, accountId, accountName, dataCenter, apiKeyHint, encryptedApiKey, connectedAt, connectedBy,
                updatedAt, lastSyncAt, softDeletedAt, Map.of());
    }

    public boolean isConnected() {
        return CONNECTED.equals(status) && softDeletedAt == null && encryptedApiKey != null;
    }
}
