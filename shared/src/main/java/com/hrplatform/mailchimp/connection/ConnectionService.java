package com.hrplatform.mailchimp.connection;

import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.crypto.ApiKeyCipher;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** An org's Mailchimp connection: connect (verify, encrypt, store), read, disconnect, list audiences. */
public final class ConnectionService {
    public static final String NOT_CONNECTED = "No Mailchimp account is connected; connect one first";

    private final ConnectionRepository connections;
    private final MailchimpClient mailchimp;
    private final ApiKeyCipher cipher;
    private final AuditLog audit;
    private final Clock clock;
    private final Function<String, Optional<String>> lastSyncOfOrg;
    private final Executor reads;

    /**
     * @param lastSyncOfOrg when a sync run of the org last ended, if ever (read from its segments)
     * @param reads         where that read runs, beside the connection's own
     */
    public ConnectionService(ConnectionRepository connections, MailchimpClient mailchimp, ApiKeyCipher cipher,
                             AuditLog audit, Clock clock, Function<String, Optional<String>> lastSyncOfOrg,
                             Executor reads) {
        this.lastSyncOfOrg = lastSyncOfOrg;
        this.reads = reads;
        this.connections = connections;
        this.mailchimp = mailchimp;
        this.cipher = cipher;
        this.audit = audit;
        this.clock = clock;
    }

    public record AudienceView(String id, String name, long memberCount) {
    }

    /** The two reads go together, not one after the other (for an org not connected the second is wasted). */
    public Optional<ConnectionView> get(Identity identity) {
        CompletableFuture<Optional<String>> lastSync = CompletableFuture.supplyAsync(
                () -> lastSyncOfOrg.apply(identity.orgId()), reads);
        return connections.find(identity.orgId()).filter(StoredConnection::isConnected)
                .map(stored -> ConnectionView.of(stored, lastSync.join().orElse(null)));
    }

    public ConnectionView connect(Identity identity, String apiKeyText) {
        MailchimpApiKey key = MailchimpApiKey.of(apiKeyText);
        MailchimpClient.Account account;
        try {
            account = mailchimp.account(key);
        } catch (MailchimpException e) {
            if (e.kind() == MailchimpException.Kind.INVALID_KEY) {
                throw new DomainException.InvalidInput("apiKey", "Mailchimp rejected this API key (" + e.title() + ")");
            }
            throw e;
        }
        Optional<StoredConnection> previous = connections.find(identity.orgId());
        boolean reconnect = previous.map(StoredConnection::isConnected).orElse(false);
        String now = now();
        StoredConnection stored = new StoredConnection(identity.orgId(), StoredConnection.CONNECTED,
                account.accountId(), account.accountName(), key.dataCenter(), key.hint(),
                cipher.encrypt(identity.orgId(), key.value()), now, identity.userId(), now,
                previous.map(StoredConnection::lastSyncAt).orElse(null), null);
        connections.save(stored);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("accountId", account.accountId());
        details.put("accountName", account.accountName());
        details.put("dataCenter", key.dataCenter());
        audit.record(identity.orgId(), identity.actor(), reconnect ? "connection.reconnected" : "connection.connected",
                "connection", identity.orgId(), details);
        return ConnectionView.of(stored, lastSyncOfOrg.apply(identity.orgId()).orElse(null));
    }

    public void disconnect(Identity identity) {
        StoredConnection current = connections.find(identity.orgId()).filter(StoredConnection::isConnected)
                .orElseThrow(() -> new DomainException.NotConnected(NOT_CONNECTED));
        if (!connections.markDisconnected(identity.orgId(), now())) {
            throw new DomainException.NotConnected(NOT_CONNECTED);
        }
        audit.record(identity.orgId(), identity.actor(), "connection.disconnected", "connection", identity.orgId(),
                Map.of("accountId", current.accountId()));
    }

    public List<AudienceView> listAudiences(Identity identity) {
        MailchimpApiKey key = activeKey(identity.orgId());
        try {
            return mailchimp.audiences(key).stream()
                    .map(audience -> new AudienceView(audience.id(), audience.name(), audience.memberCount()))
                    .toList();
        } catch (MailchimpException e) {
            throw e;
        }
    }

    /** The connection's default merge field mapping, or null when none was set (segments then send FNAME and LNAME). */
    public com.hrplatform.mailchimp.mapping.MergeFieldMapping defaultMapping(String orgId) {
        return connections.mergeFieldMapping(orgId).map(com.hrplatform.mailchimp.mapping.MergeFieldMapping::fromStored)
                .orElse(null);
    }

    /** The org's decrypted key, for calling Mailchimp on its behalf; {@link DomainException.NotConnected} when not connected. */
    public MailchimpApiKey activeKey(String orgId) {
        StoredConnection connection = connections.find(orgId).filter(StoredConnection::isConnected)
                .orElseThrow(() -> new DomainException.NotConnected(NOT_CONNECTED));
        try {
            return MailchimpApiKey.of(cipher.decrypt(orgId, connection.encryptedApiKey()));
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The key was encrypted under a key we can no longer use (e.g. a restored table): ask for it again.
            throw new DomainException.NotConnected("The stored Mailchimp API key cannot be read any more; connect the account again");
        }
    }

    private String now() {
        return Timestamps.format(clock.instant());
    }
}
