package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.events.PlatformEvent;
import com.hrplatform.mailchimp.events.PlatformEvents;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Takes one consent job to Mailchimp (the message names only the job, see {@link ConsentJobs}). {@code unsubscribe}:
 * withdrawal of consent is for the organisation, so each address is looked up by subscriber hash in every audience
 * of the connected account and unsubscribed wherever it is subscribed or pending; our records follow.
 * {@code erase}: each address is deleted for good ({@code actions/delete-permanent}) in every audience where it
 * exists, and our records of it go (a sync may have written one meanwhile). Every step is idempotent (404 = already
 * done), so a message that failed half-way is simply run again; the job is deleted once done, and a message whose
 * job is gone has nothing left to do. Transient failures are thrown for the queue to retry. The job of an erasure
 * request tells the platform it is done before the job goes (again if a retry runs it again).
 */
public class ConsentWorker {
    private static final Logger LOG = LoggerFactory.getLogger(ConsentWorker.class);

    private final ConnectionService connections;
    private final MembershipRepository memberships;
    private final ContactRepository contacts;
    private final MailchimpAudiences audiences;
    private final ConsentJobs jobs;
    private final PlatformEvents events;
    private final Clock clock;

    public ConsentWorker(ConnectionService connections, MembershipRepository memberships, ContactRepository contacts,
                         MailchimpAudiences audiences, ConsentJobs jobs, PlatformEvents events, Clock clock) {
        this.connections = connections;
        this.memberships = memberships;
        this.contacts = contacts;
        this.audiences = audiences;
        this.jobs = jobs;
        this.events = events;
        this.clock = clock;
    }

    /** @return how many audiences were changed in Mailchimp */
    public int process(ConsentMessage message) {
        Optional<ConsentJobs.Job> job = message.job() == null ? Optional.empty() : jobs.find(message.orgId(), message.job());
        if (job.isEmpty()) {
            LOG.info("Consent job already done or dropped", entry("orgId", message.orgId()), entry("action", message.action()));
            return 0;
        }
        // Not connected is thrown too: the queue retries, so a reconnect still gets it.
        MailchimpApiKey key = connections.activeKey(message.orgId());
        AudiencePort account = audiences.forKey(key, null);
        List<String> audienceIds = account.audienceIds();
        // Where an audience has a marketing permission chosen as email, the unsubscribe disables it too.
        Map<String, String> emailPermissions = connections.emailPermissions(message.orgId());
        int changed = 0;
        for (String hash : job.get().subscriberHashes()) {
            changed += ConsentMessage.ERASE.equals(job.get().kind()) ? erase(account, audienceIds, message, hash)
                    : unsubscribe(account, audienceIds, emailPermissions, message, hash);
        }
        ConsentJobs.ErasureRequest erasure = job.get().erasure();
        if (erasure != null) {
            events.publish(PlatformEvent.erasureCompleted(message.orgId(), erasure.requestId(), erasure.entityKeys(),
                    erasure.audiences(), Timestamps.format(clock.instant())));
        }
        jobs.delete(message.orgId(), message.job(), job.get().subscriberHashes());
        LOG.info("Consent change applied in Mailchimp", entry("orgId", message.orgId()),
                entry("action", job.get().kind()), entry("audiences", changed));
        return changed;
    }

    private int unsubscribe(AudiencePort account, List<String> audienceIds, Map<String, String> emailPermissions,
                            ConsentMessage message, String hash) {
        List<Contact> records = contacts.withAddress(message.orgId(), hash);
        if (!records.isEmpty() && records.stream().noneMatch(record -> record.optedOut() || record.erased())) {
            // Superseded: the record that said no opted in again, or moved to another address.
            LOG.info("Unsubscribe no longer wanted; nothing changed", entry("orgId", message.orgId()));
            return 0;
        }
        Map<String, Membership> tracked = new HashMap<>();
        memberships.forAddress(message.orgId(), hash).forEach(known -> tracked.put(known.listId(), known));
        int changed = 0;
        for (String listId : audienceIds) {
            AudienceStatus status = account.member(listId, hash).map(AudiencePort.MemberView::status)
                    .orElse(AudienceStatus.UNKNOWN);
            if (status == AudienceStatus.SUBSCRIBED || status == AudienceStatus.PENDING) {
                if (!call(() -> account.unsubscribe(listId, hash, emailPermissions.get(listId)), message, listId)) {
                    continue;
                }
                changed++;
            } else if (status != AudienceStatus.UNSUBSCRIBED) {
                continue;
            }
            // Also when an earlier attempt unsubscribed it and stopped before noting it.
            Membership known = tracked.get(listId);
            if (known != null && !Membership.UNSUBSCRIBED.equals(known.status())) {
                memberships.markStatus(message.orgId(), listId, hash, Membership.UNSUBSCRIBED);
            }
        }
        return changed;
    }

    private int erase(AudiencePort account, List<String> audienceIds, ConsentMessage message, String hash) {
        int changed = 0;
        for (String listId : audienceIds) {
            if (account.member(listId, hash).isPresent()
                    && call(() -> account.deletePermanently(listId, hash), message, listId)) {
                changed++;
            }
        }
        memberships.forAddress(message.orgId(), hash).forEach(known -> memberships.delete(message.orgId(), known.listId(), hash));
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

}
