package com.hrplatform.mailchimp.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.sync.AudiencePort.MemberOutcome;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which of Mailchimp's per-member refusals are permanent (issue 10, point 7), from its batch answers. */
class MailchimpBatchTest {
    private static JsonNode error(String email, String text, String code, String field, String fieldMessage) throws Exception {
        return Json.read(Json.write(Map.of("email_address", email, "error", text, "error_code", code, "field", field,
                "field_message", fieldMessage)).getBytes());
    }

    @Test
    void complianceForgottenAndFakeAddressesArePermanent() throws Exception {
        assertEquals(MemberOutcome.Kind.COMPLIANCE, MailchimpBatch.classify(error("a@example.com",
                "a@example.com is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.",
                "ERROR_GENERIC", "status", "")).kind());
        assertEquals(MemberOutcome.Kind.FORGOTTEN, MailchimpBatch.classify(error("a@example.com",
                "a@example.com was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.",
                "ERROR_GENERIC", "", "")).kind());
        MemberOutcome fake = MailchimpBatch.classify(error("x@y", "x@y looks fake or invalid, please enter a real email address.",
                "ERROR_GENERIC", "email_address", "Please provide a valid email address."));
        assertEquals(MemberOutcome.Kind.INVALID_ADDRESS, fake.kind());
        assertTrue(fake.permanent());
    }

    @Test
    void anInvalidMergeFieldIsTheAudiencesSetupNamedAndRetried() throws Exception {
        MemberOutcome outcome = MailchimpBatch.classify(error("a@example.com", "Your merge fields were invalid.",
                "ERROR_GENERIC", "FNAME", "Please enter a value"));
        assertEquals(MemberOutcome.Kind.REFUSED, outcome.kind());
        assertFalse(outcome.permanent(), "\"invalid\" in the text does not make it permanent");
        assertEquals("FNAME", outcome.field());
        assertEquals("Please enter a value", outcome.message());
    }

    @Test
    void anAddressInMailchimpsTextNeverReachesOurWords() throws Exception {
        MemberOutcome outcome = MailchimpBatch.classify(error("a@example.com", "Something about a@example.com",
                "ERROR_GENERIC", "", "a@example.com is odd"));
        assertNull(outcome.message());
    }

    @Test
    void aBatchAnswerIsReadBySubscriberHash() throws Exception {
        JsonNode answer = Json.read(("{\"new_members\":[{\"email_address\":\"New@Example.com\"}],"
                + "\"updated_members\":[{\"email_address\":\"old@example.com\"}],"
                + "\"errors\":[{\"email_address\":\"there@example.com\",\"error\":\"there@example.com is already a list member.\","
                + "\"error_code\":\"ERROR_CONTACT_EXISTS\"}]}").getBytes());
        Map<String, MemberOutcome> adds = MailchimpBatch.outcomes(answer, true);
        assertEquals(MemberOutcome.CREATED, adds.get(Contact.subscriberHash("new@example.com")));
        assertEquals(MemberOutcome.EXISTS, adds.get(Contact.subscriberHash("old@example.com")), "an archived member brought back");
        assertEquals(MemberOutcome.EXISTS, adds.get(Contact.subscriberHash("there@example.com")));
        assertEquals(MemberOutcome.UPDATED, MailchimpBatch.outcomes(answer, false).get(Contact.subscriberHash("old@example.com")));
    }

    @Test
    void aBatchAnswerReadInPartGivesTheSameOutcomesAsReadWhole() throws Exception {
        String answer = "{\"new_members\":[{\"id\":\"" + Contact.subscriberHash("new@example.com") + "\",\"email_address\":"
                + "\"new@example.com\",\"merge_fields\":{\"FNAME\":\"N\"},\"stats\":{\"avg_open_rate\":0},\"tags\":[]}],"
                + "\"updated_members\":[{\"email_address\":\"Old@example.com\",\"status\":\"subscribed\"}],"
                + "\"errors\":[{\"email_address\":\"x@y\",\"error\":\"x@y looks fake or invalid, please enter a real email address.\","
                + "\"error_code\":\"ERROR_GENERIC\",\"field\":\"email_address\",\"field_message\":\"\"}],"
                + "\"total_created\":1,\"total_updated\":1,\"error_count\":1}";
        byte[] bytes = answer.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (boolean creating : new boolean[]{true, false}) {
            assertEquals(MailchimpBatch.outcomes(Json.read(bytes), creating),
                    MailchimpBatch.outcomes(MailchimpBatch.ANSWER_READ.read(bytes), creating));
        }
        assertEquals(3, MailchimpBatch.outcomes(MailchimpBatch.ANSWER_READ.read(bytes), true).size());
    }

    @Test
    void aBatchBodyCarriesEachMembersAddressStatusMergeFieldsAndStamp() throws Exception {
        String stamp = "2026-01-02T03:04:05.000Z";
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("FNAME", "Ann");
        fields.put("LNAME", null);
        fields.put("START", "2024-03-01");
        JsonNode body = Json.read(MailchimpBatch.body(java.util.List.of(
                new AudiencePort.MemberWrite("h1", "a@example.com", "subscribed", fields, stamp),
                new AudiencePort.MemberWrite("h2", "b@example.com", null, null, null)), false).text());
        assertEquals(Json.read("{\"members\":[{\"email_address\":\"a@example.com\",\"status\":\"subscribed\","
                + "\"merge_fields\":{\"FNAME\":\"Ann\",\"LNAME\":\"\",\"START\":\"2024-03-01\"},"
                + "\"timestamp_signup\":\"2026-01-02T03:04:05+00:00\"},"
                + "{\"email_address\":\"b@example.com\"}],\"update_existing\":false}"), body);
    }

    @Test
    void anAnswersIdIsTakenOnlyWhenItIsASubscriberHash() throws Exception {
        String hash = Contact.subscriberHash("a@example.com");
        assertTrue(MailchimpBatch.isSubscriberHash(hash));
        for (String notHash : new String[]{"", hash.substring(1), hash + "0", hash.toUpperCase(java.util.Locale.ROOT),
                hash.substring(0, 31) + "g", hash.substring(0, 31) + "/"}) {
            assertFalse(MailchimpBatch.isSubscriberHash(notHash), notHash);
        }
        // An id that is no hash: the address names the member.
        JsonNode answer = Json.read(("{\"new_members\":[{\"id\":\"" + hash.toUpperCase(java.util.Locale.ROOT)
                + "\",\"email_address\":\"b@example.com\"}]}").getBytes());
        assertEquals(Map.of(Contact.subscriberHash("b@example.com"), MemberOutcome.CREATED), MailchimpBatch.outcomes(answer, true));
    }

    @Test
    void aTagBodyNamesTheMembersToAddAndToRemove() throws Exception {
        assertEquals(Json.read("{\"members_to_add\":[\"a@example.com\",\"zoë@example.com\"],\"members_to_remove\":[]}"),
                Json.read(MailchimpBatch.tagBody(java.util.List.of("a@example.com", "zoë@example.com"), java.util.List.of()).utf8()));
        assertEquals(Json.read("{\"members_to_add\":[],\"members_to_remove\":[\"b\\\"q@example.com\"]}"),
                Json.read(MailchimpBatch.tagBody(java.util.List.of(), java.util.List.of("b\"q@example.com")).utf8()));
    }
}
