package com.hrplatform.mailchimp.webhook;

import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.events.PlatformEvent;
import com.hrplatform.mailchimp.events.PlatformEvents;
import com.hrplatform.mailchimp.membership.AddressMoves;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import com.hrplatform.mailchimp.preference.ConsentRecorder;
import com.hrplatform.mailchimp.preference.ConsentRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * Mailchimp's list webhook (api.md): {@code unsubscribe} and {@code cleaned} record an opt-out with source
 * {@code mailchimp:<type>} for every record with the address and mark the membership, so no sync
 * resubscribes them (the other audiences follow through the consent queue); {@code upemail} moves the
 * membership to the new address; {@code profile} is acknowledged. The payload is validated completely
 * before anything is written. No Mailchimp call is made here, so it answers well within a second.
 */
public class MailchimpWebhookService {
    public static final String ACTOR = "mailchimp:webhook";
    private static final Logger LOG = LoggerFactory.getLogger(MailchimpWebhookService.class);
    private static final Pattern LIST_ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]{1,253}$");
    private static final Set<String> ACKNOWLEDGED = Set.of("profile", "campaign");

    private final WebhookTokens tokens;
    private final MembershipRepository memberships;
    private final ContactRepository contacts;
    private final ConsentRecorder recorder;
    private final ConsentRequests consent;
    private final AddressMoves moves;
    private final AuditLog audit;
    private final PlatformEvents events;
    private final Clock clock;

    /** What to answer: an HTTP status and a short text (never the payload). */
    public record Answer(int status, String message) {
    }

    public MailchimpWebhookService(WebhookTokens tokens, MembershipRepository memberships, ContactRepository contacts,
                                   ConsentRecorder recorder, ConsentRequests consent, AddressMoves moves, AuditLog audit,
                                   PlatformEvents events, Clock clock) {
        this.moves = moves;
        this.tokens = tokens;
        this.memberships = memberships;
        this.contacts = contacts;
        this.recorder = recorder;
        this.consent = consent;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    /** Mailchimp's URL check (GET). */
    public Answer verify(String token) {
        return tokens.orgFor(token).isPresent() ? new Answer(200, "ok") : unknownToken();
    }

    public Answer handle(String token, Map<String, String> form) {
        Optional<String> owner = tokens.orgFor(token);
        if (owner.isEmpty()) {
            return unknownToken();
        }
        String orgId = owner.get();
        String type = form.get("type");
        List<String> problems = new ArrayList<>();
        if (type == null || type.isBlank()) {
            return new Answer(400, "type: required");
        }
        switch (type) {
            case "unsubscribe", "cleaned", "subscribe" -> {
                String listId = listId(form, problems);
                String email = email(form, "data[email]", problems);
                if (!problems.isEmpty()) {
                    return invalid(problems);
                }
                String firedAt = form.get("fired_at");
                if ("subscribe".equals(type)) {
                    optIn(orgId, listId, email, firedAt);
                } else if ("delete".equals(form.get("data[action]"))) {
                    // An admin removed the member: not the person's own no. The next sync sees it as archived by them.
                    LOG.info("Webhook: member removed by an admin; no consent change", entry("orgId", orgId), entry("listId", listId));
                } else {
                    optOut(orgId, type, listId, email, firedAt);
                }
                return new Answer(200, "ok");
            }
            case "upemail" -> {
                String listId = listId(form, problems);
                String oldEmail = email(form, "data[old_email]", problems);
                String newEmail = email(form, "data[new_email]", problems);
                if (!problems.isEmpty()) {
                    return invalid(problems);
                }
                moveAddress(orgId, listId, oldEmail, newEmail, firedAt(form.get("fired_at")));
                return new Answer(200, "ok");
            }
            default -> {
                if (ACKNOWLEDGED.contains(type)) {
                    return new Answer(200, "ok");
                }
                return new Answer(400, "type: not a Mailchimp webhook event");
            }
        }
    }

    /**
     * The address said no in Mailchimp: every record of the org with that address records the opt-out (consent is
     * per address), our record of the member follows, and the other audiences get it through the consent queue.
     * Each step is idempotent and none is skipped because an earlier one is found done, so a delivery that failed
     * half-way is completed by the next one (Mailchimp delivers again after a 5xx). The platform hears of it last,
     * so a failure to tell it is a 5xx too, and the next delivery tells it (with the same eventId).
     */
    private void optOut(String orgId, String type, String listId, String email, String firedAt) {
        String hash = Contact.subscriberHash(email);
        String status = "cleaned".equals(type) ? Membership.CLEANED : Membership.UNSUBSCRIBED;
        if (membership(orgId, listId, hash).isPresent()) {
            memberships.markStatus(orgId, listId, hash, status);
        }
        List<String> people = new ArrayList<>();
        for (Contact record : contacts.withAddress(orgId, hash)) {
            if (!record.erased()) {
                // Also when the record already reads opted out: the recorder finishes a statement a crash left half-done.
                recorder.record(orgId, record.entityType(), record.entityId(), false, "mailchimp:" + type, ACTOR);
                people.add(record.entityKey());
            }
        }
        consent.unsubscribeEverywhere(orgId, hash);
        tellPlatform("cleaned".equals(type) ? PlatformEvent.MEMBER_CLEANED : PlatformEvent.MEMBER_UNSUBSCRIBED,
                orgId, listId, hash, people, firedAt);
        LOG.info("Webhook opt-out applied", entry("orgId", orgId), entry("type", type), entry("listId", listId));
    }

    /** Only about people of the directory: an address we hold for no one is nobody the platform knows. */
    private void tellPlatform(String detailType, String orgId, String listId, String hash, List<String> people,
                              String firedAt) {
        if (!people.isEmpty()) {
            events.publish(PlatformEvent.memberChanged(detailType, orgId, listId, people,
                    Timestamps.format(firedAt(firedAt)), detailType + "|" + listId + "|" + hash + "|" + firedAt));
        }
    }

    /**
     * The person subscribed on a Mailchimp form: an explicit opt-in for every record with the address (source
     * {@code mailchimp:subscribe}), so no sync takes it for a stale no. Our record of the member follows.
     */
    private void optIn(String orgId, String listId, String email, String firedAt) {
        String hash = Contact.subscriberHash(email);
        if (membership(orgId, listId, hash).isPresent()) {
            memberships.markStatus(orgId, listId, hash, Membership.SUBSCRIBED);
        }
        List<String> people = new ArrayList<>();
        for (Contact record : contacts.withAddress(orgId, hash)) {
            if (!record.erased()) {
                recorder.record(orgId, record.entityType(), record.entityId(), true, "mailchimp:subscribe", ACTOR);
                people.add(record.entityKey());
            }
        }
        tellPlatform(PlatformEvent.MEMBER_RESUBSCRIBED, orgId, listId, hash, people, firedAt);
        LOG.info("Webhook opt-in applied", entry("orgId", orgId), entry("listId", listId));
    }

    /**
     * The member's address changed in Mailchimp: our record of it moves to the new address. The old record goes
     * last, so a delivery that failed before it is done again in full by the next (the audit entry once).
     */
    private void moveAddress(String orgId, String listId, String oldEmail, String newEmail, Instant firedAt) {
        String oldHash = Contact.subscriberHash(oldEmail);
        String newHash = Contact.subscriberHash(newEmail);
        Optional<Membership> known = membership(orgId, listId, oldHash);
        if (known.isEmpty() || oldHash.equals(newHash)) {
            return; // not ours, or moved by an earlier delivery
        }
        Membership old = known.get();
        memberships.put(new Membership(orgId, listId, newHash, Contact.normaliseEmail(newEmail), old.entityKey(),
                old.status(), old.digest(), old.segments(), old.placedByUs(), now()));
        String entityKey = old.entityKey();
        boolean person = entityKey != null && entityKey.contains("#");
        if (person && contacts.find(orgId, entityKey.substring(0, entityKey.indexOf('#')), entityKey.substring(entityKey.indexOf('#') + 1))
                .filter(contact -> contact.subscriberHash().equals(oldHash)).isPresent()) {
            // The directory holds the person's address: the next sync moves the member back to it (once, not twice).
            moves.record(orgId, entityKey, Contact.normaliseEmail(newEmail), Contact.normaliseEmail(oldEmail));
        }
        audit.recordOnce(orgId, firedAt, "upemail#" + listId + "#" + oldHash + "#" + newHash, ACTOR,
                "membership.email_changed", person ? entityKey.substring(0, entityKey.indexOf('#')) : "membership",
                person ? entityKey.substring(entityKey.indexOf('#') + 1) : listId, Map.of("listId", listId));
        memberships.delete(orgId, listId, oldHash);
        LOG.info("Webhook address change applied", entry("orgId", orgId), entry("listId", listId));
    }

    /** Mailchimp's {@code fired_at} ("2026-12-02 19:02:29", UTC): the same for every delivery of one event. */
    private Instant firedAt(String value) {
        if (value != null) {
            try {
                return LocalDateTime.parse(value.trim().replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notMailchimpsFormat) {
                // fall through: the time it arrived
            }
        }
        return clock.instant();
    }

    private Optional<Membership> membership(String orgId, String listId, String hash) {
        return memberships.forAddress(orgId, hash).stream().filter(m -> listId.equals(m.listId())).findFirst();
    }

    private static String listId(Map<String, String> form, List<String> problems) {
        String value = form.get("data[list_id]");
        if (value == null || !LIST_ID.matcher(value).matches()) {
            problems.add("data[list_id]: required, a Mailchimp list id");
            return null;
        }
        return value;
    }

    private static String email(Map<String, String> form, String field, List<String> problems) {
        String value = form.get(field);
        if (value == null || value.trim().length() > 254 || !EMAIL.matcher(value.trim()).matches()) {
            problems.add(field + ": required, an email address");
            return null;
        }
        return value.trim();
    }

    private static Answer invalid(List<String> problems) {
        return new Answer(400, "Invalid payload: " + String.join("; ", problems));
    }

    private static Answer unknownToken() {
        return new Answer(404, "Not found");
    }

    private String now() {
        return Timestamps.format(clock.instant());
    }
}
