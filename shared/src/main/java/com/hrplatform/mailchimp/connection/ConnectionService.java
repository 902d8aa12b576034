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

    /** A marketing permission of an audience, as the dashboard offers it. */
    public record PermissionView(String id, String text) {
    }

    /**
     * What {@code marketingPermissions} and {@code setEmailPermission} answer for one audience: its GDPR fields, the
     * one chosen as email (stored on the connection; null: none), the one that could be suggested (the only one whose
     * text is "Email"), and, when there is nothing to choose from, why: {@code no_gdpr_fields} or {@code no_members}
     * (Mailchimp shows an audience's permissions only on its members).
     */
    public record EmailPermissionView(String mailchimpListId, boolean gdprEnabled, List<PermissionView> permissions,
                                      String emailPermissionId, String suggestedPermissionId, String unavailableReason) {
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
                previous.map(StoredConnection::lastSyncAt).orElse(null), null,
                // The same account keeps its audiences, so the admin's choices of email permission stay.
                previous.filter(old -> account.accountId() != null && account.accountId().equals(old.accountId()))
                        .map(StoredConnection::emailPermissions).orElse(Map.of()));
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

    /** Per audience id, the marketing permission chosen as email; empty when not connected or none chosen. */
    public Map<String, String> emailPermissions(String orgId) {
        return connections.find(orgId).filter(StoredConnection::isConnected).map(StoredConnection::emailPermissions)
                .orElse(Map.of());
    }

    public EmailPermissionView marketingPermissions(Identity identity, String listId) {
        MailchimpApiKey key = activeKey(identity.orgId());
        return view(listId, readPermissions(key, listId), emailPermissions(identity.orgId()).get(listId));
    }

    /**
     * Chooses which marketing permission of the audience means email ({@code permissionId} null clears the choice).
     * The id must be one the audience lists now. The next sync writes it to the audience's members.
     */
    public EmailPermissionView setEmailPermission(Identity identity, String listId, String permissionId) {
        MailchimpApiKey key = activeKey(identity.orgId());
        MailchimpClient.AudiencePermissions read = readPermissions(key, listId);
        PermissionView chosen = null;
        if (permissionId != null) {
            if (!read.enabled()) {
                throw new DomainException.InvalidInput("marketingPermissionId",
                        "this audience has no marketing permissions (GDPR fields) in Mailchimp");
            }
            chosen = read.permissions().stream().filter(permission -> permission.id().equals(permissionId))
                    .map(permission -> new PermissionView(permission.id(), permission.text())).findFirst()
                    .orElseThrow(() -> new DomainException.InvalidInput("marketingPermissionId",
                            "not one of this audience's marketing permissions"));
        }
        if (!connections.setEmailPermission(identity.orgId(), listId, permissionId, now())) {
            throw new DomainException.NotConnected(NOT_CONNECTED);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("mailchimpListId", listId);
        details.put("marketingPermissionId", permissionId);
        if (chosen != null) {
            details.put("text", chosen.text());
        }
        audit.record(identity.orgId(), identity.actor(), permissionId == null ? "connection.emailPermissionCleared"
                : "connection.emailPermissionSet", "connection", identity.orgId(), details);
        return view(listId, read, permissionId);
    }

    private MailchimpClient.AudiencePermissions readPermissions(MailchimpApiKey key, String listId) {
        try {
            return mailchimp.marketingPermissions(key, listId);
        } catch (MailchimpException e) {
            if (e.kind() == MailchimpException.Kind.NOT_FOUND) {
                throw new DomainException.InvalidInput("mailchimpListId", "not an audience of the connected Mailchimp account");
            }
            throw e;
        }
    }

    private static EmailPermissionView view(String listId, MailchimpClient.AudiencePermissions read, String chosenId) {
        List<PermissionView> permissions = read.permissions().stream()
                .map(permission -> new PermissionView(permission.id(), permission.text())).toList();
        List<PermissionView> email = permissions.stream().filter(permission -> "email".equalsIgnoreCase(permission.text().trim()))
                .toList();
        String reason = !read.enabled() ? "no_gdpr_fields" : !read.hasMembers() ? "no_members" : null;
        return new EmailPermissionView(listId, read.enabled(), permissions, chosenId,
                email.size() == 1 ? email.get(0).id() : null, reason);
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
