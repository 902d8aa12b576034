package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.contact.Contact;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Which people a segment holds: for each given key (department, location, employmentType,
 * employmentStatus) the person's value must be one of the listed values (compared without regard to
 * case or surrounding spaces). A person matches when every given key matches; no keys match everyone.
 */
public record FilterCriteria(Map<String, List<String>> anyOf) {
    public static final Map<String, Function<Contact, String>> KEYS = Map.of(
            "department", Contact::department,
            "location", Contact::location,
            "employmentType", Contact::employmentType,
            "employmentStatus", Contact::employmentStatus);

    public FilterCriteria {
        anyOf = Map.copyOf(new LinkedHashMap<>(anyOf));
    }

    public boolean matches(Contact contact) {
        for (Map.Entry<String, List<String>> criterion : anyOf.entrySet()) {
            String value = KEYS.get(criterion.getKey()).apply(contact);
            if (value == null) {
                return false;
            }
            String normalised = normalise(value);
            if (criterion.getValue().stream().noneMatch(allowed -> normalise(allowed).equals(normalised))) {
                return false;
            }
        }
        return true;
    }

    private static String normalise(String value) {
        return value.trim().toLowerCase(Locale.ROOT);
    }
}
