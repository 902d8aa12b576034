package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.contact.Contact;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterCriteriaTest {
    private static Contact person(String type, String department, String location, String consent) {
        return new Contact("e1", type, "a@example.com", "A", "B", department, location, "full-time", "active", null, consent, null);
    }

    private static Segment segment(String type, Map<String, List<String>> criteria, boolean requireOptIn) {
        return new Segment("org", "s1", "S", null, type, "list", new FilterCriteria(criteria), requireOptIn, "pending",
                0, null, null, null, null, null, null, 0, null, null, null);
    }

    @Test
    void everyGivenKeyMustMatchOneOfItsValuesIgnoringCaseAndSpaces() {
        FilterCriteria criteria = new FilterCriteria(Map.of("department", List.of("Engineering", "Sales"),
                "location", List.of(" berlin ")));
        assertTrue(criteria.matches(person("employee", "engineering", "Berlin", null)));
        assertTrue(criteria.matches(person("employee", "Sales", "BERLIN", null)));
        assertFalse(criteria.matches(person("employee", "Support", "Berlin", null)));
        assertFalse(criteria.matches(person("employee", "Sales", "London", null)));
        assertFalse(criteria.matches(person("employee", null, "Berlin", null)), "a missing value matches nothing");
        assertTrue(new FilterCriteria(Map.of()).matches(person("vendor", null, null, null)), "no criteria: everyone");
    }

    @Test
    void segmentTypeSelectsEmployeesVendorsOrBoth() {
        assertTrue(segment("employee", Map.of(), false).selects(person("employee", null, null, null)));
        assertFalse(segment("employee", Map.of(), false).selects(person("vendor", null, null, null)));
        assertTrue(segment("mixed", Map.of(), false).selects(person("vendor", null, null, null)));
    }

    @Test
    void consentFirst() {
        Segment open = segment("mixed", Map.of(), false);
        Segment optInOnly = segment("mixed", Map.of(), true);
        assertTrue(open.consentAllows(person("employee", null, null, null)));
        assertFalse(open.consentAllows(person("employee", null, null, "opted_out")));
        assertFalse(optInOnly.consentAllows(person("employee", null, null, null)), "no stated consent is not an opt-in");
        assertTrue(optInOnly.consentAllows(person("employee", null, null, "opted_in")));
        assertFalse(optInOnly.consentAllows(person("employee", null, null, "opted_out")));
    }
}
