package com.hrplatform.mailchimp.connection;

/** What {@code mailchimp.connection.get} shows: never the key, only its hint. */
public record ConnectionView(String accountName, String accountId, String dataCenter, String apiKeyHint,
                             String status, String connectedAt, String lastSyncAt) {

    /** {@code lastSyncAt}: when the org's last sync ended (its segments hold it; the sync writes no connection). */
    static ConnectionView of(StoredConnection stored, String lastSyncAt) {
        return new ConnectionView(stored.accountName(), stored.accountId(), stored.dataCenter(), stored.apiKeyHint(),
                stored.status(), stored.connectedAt(), lastSyncAt);
    }
}
