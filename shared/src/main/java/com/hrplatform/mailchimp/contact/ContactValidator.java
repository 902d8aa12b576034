package com.hrplatform.mailchimp.contact;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates one directory record (from {@code contacts.import} or a {@code Contact Upserted} event).
 * Answers the normalised contact, or every problem with the name of its field.
 */
public final class ContactValidator {
    // Deliberately plain: one @, a dot in the domain, no spaces; Mailchimp applies its own stricter check.
    static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s.]{2,}$");
    /** A contact's (and a preference's) entity id: no '#', which separates the parts of item keys. */
    public static final Pattern ENTITY_ID = Pattern.compile("^[A-Za-z0-9._:@-]{1,128}$");
    public static final String ENTITY_ID_EXPECTATION = "letters, digits and . _ : @ - only (at most 128)";
    static final Set<String> ENTITY_TYPES = Set.of(Contact.EMPLOYEE, Contact.VENDOR);
    private static final Set<String> FIELDS = Set.of("entityId", "entityType", "email", "firstName", "lastName",
            "department", "location", "employmentType", "employmentStatus", "jobTitle", "startDate");
    private static final int MAX_TEXT = 100;
    private static final Pattern ISO_DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");

    public record Result(Contact contact, List<String> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /**
     * @param allowedExtraFields fields that may appear but are not part of the contact (e.g. orgId in events)
     */
    public static Result validate(JsonNode node, String updatedAt, Set<String> allowedExtraFields) {
        List<String> problems = new ArrayList<>();
        if (node == null || !node.isObject()) {
            return new Result(null, List.of("expected an object"));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name) && !allowedExtraFields.contains(name)) {
                problems.add(name + ": unknown field");
            }
        }
        String entityId = text(node, "entityId", true, 128, problems);
        if (entityId != null && !ENTITY_ID.matcher(entityId).matches()) {
            problems.add("entityId: " + ENTITY_ID_EXPECTATION);
        }
        String entityType = text(node, "entityType", true, 20, problems);
        if (entityType != null && !ENTITY_TYPES.contains(entityType)) {
            problems.add("entityType: must be employee or vendor");
        }
        String email = text(node, "email", true, 254, problems);
        if (email != null) {
            email = Contact.normaliseEmail(email);
            if (!EMAIL.matcher(email).matches()) {
                problems.add("email: not a valid email address");
            }
        }
        String firstName = text(node, "firstName", false, MAX_TEXT, problems);
        String lastName = text(node, "lastName", false, MAX_TEXT, problems);
        String department = text(node, "department", false, MAX_TEXT, problems);
        String location = text(node, "location", false, MAX_TEXT, problems);
        String employmentType = text(node, "employmentType", false, MAX_TEXT, problems);
        String employmentStatus = text(node, "employmentStatus", false, MAX_TEXT, problems);
        String jobTitle = text(node, "jobTitle", false, MAX_TEXT, problems);
        String startDate = text(node, "startDate", false, 10, problems);
        if (startDate != null && !isoDate(startDate)) {
            problems.add("startDate: expected an ISO date, YYYY-MM-DD");
        }
        if (!problems.isEmpty()) {
            return new Result(null, problems);
        }
        return new Result(new Contact(entityId, entityType, email, firstName, lastName, department, location,
                employmentType, employmentStatus, jobTitle, startDate, updatedAt, null, null), List.of());
    }

    /** A real calendar date written YYYY-MM-DD (what a Mailchimp date merge field takes). */
    static boolean isoDate(String text) {
        if (!ISO_DATE.matcher(text).matches()) {
            return false;
        }
        try {
            java.time.LocalDate.parse(text);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static String text(JsonNode node, String field, boolean required, int maxLength, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(field + ": required");
            }
            return null;
        }
        if (!value.isTextual()) {
            problems.add(field + ": expected a string");
            return null;
        }
        String text = value.asText().trim();
        if (text.isEmpty()) {
            if (required) {
                problems.add(field + ": must not be empty");
            }
            return null;
        }
        if (text.length() > maxLength) {
            problems.add(field + ": at most " + maxLength + " characters");
            return null;
        }
        return text;
    }
}
