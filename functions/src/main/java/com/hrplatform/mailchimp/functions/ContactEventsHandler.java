package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.config.Services;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.contact.ContactValidator;
import com.hrplatform.mailchimp.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.util.Set;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The platform's directory events ({@code source: platform.directory}): {@code Contact Upserted} writes
 * the person, {@code Contact Deleted} removes them (their next sync archives them where we placed them).
 * An invalid event is logged and dropped: retrying cannot make it valid. Storage errors are thrown, so
 * EventBridge's asynchronous invocation retries them.
 */
public class ContactEventsHandler implements RequestHandler<ScheduledEvent, String> {
    static final String UPSERTED = "Contact Upserted";
    static final String DELETED = "Contact Deleted";
    private static final Logger LOG = LoggerFactory.getLogger(ContactEventsHandler.class);

    private final ContactService contacts;

    public ContactEventsHandler() {
        this(Services.contactService());
    }

    public ContactEventsHandler(ContactService contacts) {
        this.contacts = contacts;
    }

    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        return PowertoolsLogging.withLogging(context, () -> handle(event));
    }

    String handle(ScheduledEvent event) {
        JsonNode detail = Json.MAPPER.valueToTree(event.getDetail());
        JsonNode orgNode = detail.path("orgId");
        String orgId = orgNode.isTextual() && !orgNode.asText().isBlank() ? orgNode.asText() : null;
        String type = event.getDetailType();
        if (orgId == null) {
            return rejected(type, "orgId: required");
        }
        if (UPSERTED.equals(type)) {
            var result = ContactValidator.validate(detail, contacts.now(), Set.of("orgId", "sequence"));
            if (!result.valid()) {
                return rejected(type, String.join("; ", result.problems()));
            }
            ContactService.Outcome outcome = contacts.upsert(orgId, result.contact(), version(event, detail));
            LOG.info("Contact event applied", entry("detailType", type), entry("orgId", orgId),
                    entry("entityType", result.contact().entityType()), entry("entityId", result.contact().entityId()),
                    entry("outcome", outcome.name()));
            return outcome.name().toLowerCase();
        }
        if (DELETED.equals(type)) {
            String entityType = detail.path("entityType").asText("");
            String entityId = detail.path("entityId").asText("");
            if (!Set.of("employee", "vendor").contains(entityType) || entityId.isBlank()) {
                return rejected(type, "entityType and entityId: required");
            }
            boolean applied = contacts.delete(orgId, entityType, entityId, version(event, detail));
            LOG.info("Contact event applied", entry("detailType", type), entry("orgId", orgId),
                    entry("entityType", entityType), entry("entityId", entityId), entry("outcome", applied ? "DELETED" : "STALE"));
            return applied ? "deleted" : "stale";
        }
        return rejected(type, "detail-type: not a directory event");
    }

    /**
     * The change's version: the event's time, then {@code detail.sequence} where the platform sends one (a number
     * that grows with each change of a person), so two changes within the same second still order. Events arrive
     * out of order; one older than what is stored changes nothing.
     */
    static String version(ScheduledEvent event, JsonNode detail) {
        java.time.Instant at = event.getTime() == null ? java.time.Instant.now() : event.getTime().toDate().toInstant();
        return ContactService.version(at, detail.path("sequence").canConvertToLong() ? detail.path("sequence").asLong() : 0);
    }

    private static String rejected(String type, String reason) {
        LOG.warn("Contact event rejected", entry("detailType", type), entry("reason", reason));
        return "rejected";
    }
}
