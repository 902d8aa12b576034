package com.hrplatform.mailchimp.contact;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContactValidatorTest {
    private static JsonNode json(String text) throws Exception {
        return Json.read(text);
    }

    @Test
    void normalisesTheEmailAndKeepsTheDirectoryFields() throws Exception {
        var result = ContactValidator.validate(json("""
                {"entityId":"e-1","entityType":"vendor","email":"  Ada.Lovelace@Example.COM ","firstName":" Ada ",
                 "department":"R&D"}"""), "2026-01-01T00:00:00Z", Set.of());
        assertTrue(result.valid(), result.problems().toString());
        assertEquals("ada.lovelace@example.com", result.contact().email());
        assertEquals("Ada", result.contact().firstName());
        assertEquals("vendor#e-1", result.contact().entityKey());
        assertEquals(Contact.subscriberHash("ada.lovelace@example.com"), result.contact().subscriberHash());
    }

    @Test
    void namesEveryBadField() throws Exception {
        var result = ContactValidator.validate(json("""
                {"entityId":"has space","entityType":"robot","email":"nope","lastName":7,"salary":1}"""), "t", Set.of());
        assertFalse(result.valid());
        String problems = String.join("; ", result.problems());
        for (String field : new String[]{"entityId:", "entityType:", "email:", "lastName:", "salary: unknown field"}) {
            assertTrue(problems.contains(field), () -> field + " in " + problems);
        }
    }

    @Test
    void eventFieldsMayBeAllowed() throws Exception {
        JsonNode event = json("{\"orgId\":\"o\",\"entityId\":\"e\",\"entityType\":\"employee\",\"email\":\"a@b.co\"}");
        assertFalse(ContactValidator.validate(event, "t", Set.of()).valid());
        assertTrue(ContactValidator.validate(event, "t", Set.of("orgId")).valid());
    }

    @Test
    void subscriberHashIsMailchimpsMd5OfTheNormalisedEmail() {
        // md5("urist.mcvankab@freddiesjokes.com"), Mailchimp's documented example
        assertEquals("62eeb292278cc15f5817cb78f7790b08", Contact.subscriberHash(" Urist.McVankab@FreddiesJokes.com "));
    }

    @Test
    void takesJobTitleAndAnIsoStartDate() throws Exception {
        var result = ContactValidator.validate(json("""
                {"entityId":"e-1","entityType":"employee","email":"a@example.com","jobTitle":" Engineer ",
                 "startDate":"2024-02-29"}"""), "t", Set.of());
        assertTrue(result.valid(), result.problems().toString());
        assertEquals("Engineer", result.contact().jobTitle());
        assertEquals("2024-02-29", result.contact().startDate());
    }

    @Test
    void aStartDateThatIsNotARealIsoDateIsNamed() throws Exception {
        for (String bad : new String[]{"01/03/2024", "2023-02-29", "2024-3-1", "tomorrow"}) {
            var result = ContactValidator.validate(json("{\"entityId\":\"e-1\",\"entityType\":\"employee\","
                    + "\"email\":\"a@example.com\",\"startDate\":\"" + bad + "\"}"), "t", Set.of());
            assertFalse(result.valid(), bad);
            assertTrue(String.join("; ", result.problems()).startsWith("startDate:"), () -> bad + ": " + result.problems());
        }
        var long_ = ContactValidator.validate(json("""
                {"entityId":"e-1","entityType":"employee","email":"a@example.com","jobTitle":7}"""), "t", Set.of());
        assertEquals(java.util.List.of("jobTitle: expected a string"), long_.problems());
    }
}
