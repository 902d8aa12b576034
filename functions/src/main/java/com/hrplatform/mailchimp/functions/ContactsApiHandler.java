package com.hrplatform.mailchimp.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.api.Input;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.api.Role;
import com.hrplatform.mailchimp.api.TrpcHandler;
import com.hrplatform.mailchimp.api.TrpcRouter;
import com.hrplatform.mailchimp.config.Services;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactService;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code mailchimp.contacts.*}: bulk import of the directory and listing it. */
public class ContactsApiHandler extends TrpcHandler {

    public ContactsApiHandler() {
        this(Services.contactService());
    }

    public ContactsApiHandler(ContactService contacts) {
        super(routes(contacts), "mailchimp.contacts.list");
    }

    static TrpcRouter routes(ContactService contacts) {
        return new TrpcRouter()
                .mutation("mailchimp.contacts.import", Role.ADMIN, (identity, input) -> {
                    Input reader = Input.of(input);
                    JsonNode records = reader.optionalNode("contacts").orElse(null);
                    if (records == null) {
                        reader.problem("contacts", "required");
                    } else if (!records.isArray() || records.isEmpty() || records.size() > ContactService.MAX_IMPORT) {
                        reader.problem("contacts", "expected an array of 1 to " + ContactService.MAX_IMPORT + " contacts");
                    }
                    reader.validate();
                    List<JsonNode> list = new ArrayList<>();
                    records.forEach(list::add);
                    return contacts.importContacts(identity, list);
                })
                .query("mailchimp.contacts.list", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.optional(input);
                    PageRequest page = reader.page();
                    String entityType = reader.optionalOneOf("entityType", Set.of(Contact.EMPLOYEE, Contact.VENDOR)).orElse(null);
                    reader.validate();
                    return contacts.list(identity, entityType, page).map(ContactsApiHandler::view);
                });
    }

    /** api.md's Contact: the directory fields, not our internal consent mirror. */
    record ContactView(String entityId, String entityType, String email, String firstName, String lastName,
                       String department, String location, String employmentType, String employmentStatus,
                       String jobTitle, String startDate, String updatedAt) {
    }

    static ContactView view(Contact contact) {
        return new ContactView(contact.entityId(), contact.entityType(), contact.email(), contact.firstName(),
                contact.lastName(), contact.department(), contact.location(), contact.employmentType(),
                contact.employmentStatus(), contact.jobTitle(), contact.startDate(), contact.updatedAt());
    }
}
