package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import com.hrplatform.mailchimp.sync.AudiencePort;
import com.hrplatform.mailchimp.sync.AudienceStatus;
import com.hrplatform.mailchimp.sync.MailchimpAudiences;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Takes one consent message to Mailchimp. {@code unsubscribe}: withdrawal of consent is for the organisation, so
 * the address is looked up by subscriber hash in every audience of the connected account and unsubscribed
 * wherever it is subscribed or pending; our records of it follow. {@code erase}:
 * {@code actions/delete-permanent} in each audience of the message, and the membership deleted again
 * (a sync may have written one meanwhile). Every step is idempotent (404 = already done), so a message
 * that failed half-way is simply run again; transient failures are thrown for the queue to retry.
 */
public class ConsentWorker {
    private static final Logger LOG = LoggerFactory.getLogger(ConsentWorker.class);

    private final ConnectionService connections;
    private final MembershipRepository memberships;
    private final ContactRepository contacts;
    private final MailchimpAudiences audiences;
    private final Clock clock;

    public ConsentWorker(ConnectionService connections, MembershipRepository memberships, ContactRepository contacts,
                         MailchimpAudiences audiences, Clock clock) {
        this.connections = connections;
        this.memberships = memberships;
        this.contacts = contacts;
        this.audiences = audiences;
        this.clock = clock;
    }

    /** @return how many audiences were changed in Mailchimp */
    public int process(ConsentMessage message) {
        // Not connected is thrown too: the queue retries, so a reconnect still gets it.
        MailchimpApiKey key = connections.activeKey(message.orgId());
        int changed = switch (message.action()) {
            case ConsentMessage.UNSUBSCRIBE -> unsubscribe(key, message);
            case ConsentMessage.ERASE -> erase(key, message);
            default -> {
                LOG.warn("Consent message with an unknown action dropped", entry("orgId", message.orgId()),
                        entry("action", message.action()));
                yield 0;
            }
        };
        LOG.info("Consent change applied in Mailchimp", entry("orgId", message.orgId()),
                entry("action", message.action()), entry("audiences", changed));
        return changed;
    }

    private int unsubscribe(MailchimpApiKey key, ConsentMessage message) {
        List<Contact> records = contacts.withAddress(message.orgId(), message.subscriberHash());
        if (!records.isEmpty() && records.stream().noneMatch(record -> record.optedOut() || record.erased())) {
            // Superseded: the record that said no opted in again, or moved to another address.
            LOG.info("Unsubscribe no longer wanted; nothing changed", entry("orgId", message.orgId()));
            return 0;
        }
        AudiencePort account = audiences.forKey(key, null);
        Map<String, Membership> tracked = new HashMap<>();
        memberships.forAddress(message.orgId(), message.subscriberHash()).forEach(known -> tracked.put(known.listId(), known));
        int changed = 0;
        for (String listId : account.audienceIds()) {
            AudienceStatus status = account.member(listId, message.subscriberHash()).map(AudiencePort.MemberView::status)
                    .orElse(AudienceStatus.UNKNOWN);
            if (status != AudienceStatus.SUBSCRIBED && status != AudienceStatus.PENDING) {
                continue;
            }
            if (!call(() -> account.unsubscribe(listId, message.subscriberHash()), message, listId)) {
                continue;
            }
            changed++;
            Membership known = tracked.get(listId);
            if (known != null) {
                memberships.markStatus(message.orgId(), listId, message.subscriberHash(), Membership.UNSUBSCRIBED);
            }
        }
        return changed;
    }

    private int erase(MailchimpApiKey key, ConsentMessage message) {
        AudiencePort account = audiences.forKey(key, null);
        int changed = 0;
        for (String listId : message.listIds()) {
            if (call(() -> account.deletePermanently(listId, message.subscriberHash()), message, listId)) {
                changed++;
            }
            memberships.delete(message.orgId(), listId, message.subscriberHash());
        }
        return changed;
    }

    /** @return true when Mailchimp made the change; false when there was nothing to change; throws to retry */
    private boolean call(Runnable request, ConsentMessage message, String listId) {
        try {
            request.run();
            return true;
        } catch (MailchimpException e) {
            switch (e.kind()) {
                case NOT_FOUND:
                    return false; // not (or no longer) in that audience: nothing to do
                case REJECTED:
                    // Permanent for this address (e.g. already in a compliance state): retrying cannot help.
                    LOG.warn("Mailchimp refused a consent change; not retried", entry("orgId", message.orgId()),
                            entry("action", message.action()), entry("listId", listId), entry("status", e.status()),
                            entry("title", e.title()));
                    return false;
                default:
                    throw e;
            }
        }
    }

    private String now() {
        return DateTimeFormatter.ISO_INSTANT.format(clock.instant());
    }
}
