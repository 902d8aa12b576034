package com.hrplatform.mailchimp.connection;

/**
 * A connection as stored. {@code encryptedApiKey} is KMS ciphertext bound to the org; it is removed on
 * disconnect. Only a connected record carries {@code activeShard}, which puts it in the sparse index
 * the daily fan-out reads.
 */
public record StoredConnection(String orgId, String status, String accountId, String accountName, String dataCenter,
                               String apiKeyHint, String encryptedApiKey, String connectedAt, String connectedBy,
                               String updatedAt, String lastSyncAt, String softDeletedAt) {
    public static final String CONNECTED = "connected";
    public static final String DISCONNECTED = "disconnected";

    public boolean isConnected() {
        return CONNECTED.equals(status) && softDeletedAt == null && encryptedApiKey != null;
    }
}
