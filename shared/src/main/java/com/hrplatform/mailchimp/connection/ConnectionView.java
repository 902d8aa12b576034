package com.hrplatform.mailchimp.connection;

/** What {@code mailchimp.connection.get} shows: never the key, only its hint. */
public record ConnectionView(String accountName, String accountId, String dataCenter, String apiKeyHint,
                             String status, String connectedAt, String lastSyncAt) {

    static ConnectionView of(StoredConnection stored) {
        return new ConnectionView(stored.accountName(), stored.accountId(), stored.dataCenter(), stored.apiKeyHint(),
                stored.status(), stored.connectedAt(), stored.lastSyncAt());
    }
}
