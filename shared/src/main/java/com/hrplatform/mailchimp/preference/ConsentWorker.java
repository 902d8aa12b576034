package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Takes one consent message to Mailchimp. {@code unsubscribe}: {@code PATCH status=unsubscribed} in every
 * audience where a membership says we know the address (skipping those Mailchimp already has as
 * unsubscribed or cleaned), then records the status on the membership. {@code erase}:
 * {@code actions/delete-permanent} in each audience of the message, and the membership deleted again
 * (a sync may have written one meanwhile). Every step is idempotent (404 = already done), so a message
 * that failed half-way is simply run again; transient failures are thrown for the queue to retry.
 */
public class ConsentWorker {
    private static final Logger LOG = LoggerFactory.getLogger(ConsentWorker.class);

    private final ConnectionService connections;
    private final MembershipRepository memberships;
    private final MailchimpClient mailchimp;
    private final Clock clock;

    public ConsentWorker(ConnectionService connections, MembershipRepository memberships, MailchimpClient mailchimp,
                         Clock clock) {
        this.connections = connections;
        this.memberships = memberships;
        this.mailchimp = mailchimp;
        this.clock = clock;
    }

    /** @return how many audiences were changed in Mailchimp */
    public int process(ConsentMessage message) {
        // Not connected (PRECONDITION_FAILED) is thrown too: the queue retries, so a reconnect still gets it.
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
        int changed = 0;
        for (Membership membership : memberships.forAddress(message.orgId(), message.subscriberHash())) {
            if (membership.isOptedOutInMailchimp() || Membership.REJECTED.equals(membership.status())) {
                continue;
            }
            String path = "/lists/" + membership.listId() + "/members/" + message.subscriberHash();
            if (!call(() -> mailchimp.send(key, "PATCH", path, Map.of("status", Membership.UNSUBSCRIBED)),
                    message, membership.listId())) {
                continue;
            }
            changed++;
            if (membership.email() != null) {
                memberships.markStatus(message.orgId(), membership.listId(), message.subscriberHash(),
                        membership.email(), Membership.UNSUBSCRIBED, now());
            }
        }
        return changed;
    }

    private int erase(MailchimpApiKey key, ConsentMessage message) {
        int changed = 0;
        for (String listId : message.listIds()) {
            String path = "/lists/" + listId + "/members/" + message.subscriberHash() + "/actions/delete-permanent";
            if (call(() -> mailchimp.send(key, "POST", path, null), message, listId)) {
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
