package com.hrplatform.mailchimp.mapping;

import com.hrplatform.mailchimp.contact.Contact;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A directory field that may travel to Mailchimp as a merge field: its name in the API, the Mailchimp merge field
 * type it needs, the name a merge field we create gets, and how to read it of a contact.
 */
public enum DirectoryField {
    FIRST_NAME("firstName", MergeFieldMapping.TEXT, "First Name", Contact::firstName),
    LAST_NAME("lastName", MergeFieldMapping.TEXT, "Last Name", Contact::lastName),
    DEPARTMENT("department", MergeFieldMapping.TEXT, "Department", Contact::department),
    LOCATION("location", MergeFieldMapping.TEXT, "Location", Contact::location),
    EMPLOYMENT_TYPE("employmentType", MergeFieldMapping.TEXT, "Employment Type", Contact::employmentType),
    EMPLOYMENT_STATUS("employmentStatus", MergeFieldMapping.TEXT, "Employment Status", Contact::employmentStatus),
    JOB_TITLE("jobTitle", MergeFieldMapping.TEXT, "Job Title", Contact::jobTitle),
    /** An ISO date (YYYY-MM-DD), the form Mailchimp's API takes for a date merge field. */
    START_DATE("startDate", MergeFieldMapping.DATE, "Start Date", Contact::startDate),
    /** The person's stable id, {@code entityType#entityId}: the same whatever address they have. */
    STABLE_ID("stableId", MergeFieldMapping.TEXT, "Stable Id", Contact::entityKey);

    private final String wireName;
    private final String mailchimpType;
    private final String label;
    private final Function<Contact, String> reader;

    DirectoryField(String wireName, String mailchimpType, String label, Function<Contact, String> reader) {
        this.wireName = wireName;
        this.mailchimpType = mailchimpType;
        this.label = label;
        this.reader = reader;
    }

    public String wireName() {
        return wireName;
    }

    public String mailchimpType() {
        return mailchimpType;
    }

    public String label() {
        return label;
    }

    /** The contact's value, or null when it has none. */
    public String valueOf(Contact contact) {
        return reader.apply(contact);
    }

    public static Optional<DirectoryField> byWireName(String name) {
        return Arrays.stream(values()).filter(field -> field.wireName.equals(name)).findFirst();
    }

    /** For error messages: every wire name, comma-separated. */
    public static String wireNames() {
        return Arrays.stream(values()).map(DirectoryField::wireName).collect(Collectors.joining(", "));
    }
}
