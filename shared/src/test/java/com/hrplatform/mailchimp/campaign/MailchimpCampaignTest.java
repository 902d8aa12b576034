package com.hrplatform.mailchimp.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.json.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MailchimpCampaignTest {

    private static JsonNode json(String text) throws Exception {
        return Json.read(text);
    }

    @Test
    void sentCampaignWithReport() throws Exception {
        JsonNode campaign = json("""
                {"id":"a1b2c3d4e5","status":"sent","emails_sent":120,"send_time":"2026-01-05T09:30:00+00:00",
                 "recipients":{"list_id":"L1"},"settings":{"title":"January news","subject_line":"Hello January"}}""");
        JsonNode report = json("""
                {"id":"a1b2c3d4e5","emails_sent":118,"opens":{"unique_opens":59,"open_rate":0.5},
                 "clicks":{"unique_clicks":12,"click_rate":0.1016949}}""");
        MailchimpCampaign parsed = MailchimpCampaign.parse(campaign, report);
        assertEquals("a1b2c3d4e5", parsed.id());
        assertEquals("January news", parsed.title());
        assertEquals("Hello January", parsed.subjectLine());
        assertEquals("L1", parsed.listId());
        assertEquals(CampaignStatus.SENT, parsed.status());
        assertEquals("2026-01-05T09:30:00.000Z", parsed.sendTime());
        assertEquals(118, parsed.emailsSent(), "the report's count wins");
        assertEquals(0.5, parsed.report().openRate());
        assertEquals(0.1016949, parsed.report().clickRate());
        assertEquals(59, parsed.report().uniqueOpens());
        assertEquals(12, parsed.report().uniqueClicks());
        assertTrue(MailchimpCampaign.mayHaveReport(campaign));
    }

    @Test
    void draftHasNoReportAndNoSendTime() throws Exception {
        JsonNode campaign = json("""
                {"id":"d1","status":"save","emails_sent":0,"send_time":"",
                 "recipients":{"list_id":"L1"},"settings":{"title":"Draft","subject_line":""}}""");
        assertFalse(MailchimpCampaign.mayHaveReport(campaign));
        MailchimpCampaign parsed = MailchimpCampaign.parse(campaign, null);
        assertEquals(CampaignStatus.DRAFT, parsed.status());
        assertNull(parsed.sendTime());
        assertNull(parsed.report());
        assertNull(parsed.subjectLine(), "an empty subject line is absent");
        assertEquals(0, parsed.emailsSent());
    }

    @Test
    void cancelledMidSendMayHaveAReport() throws Exception {
        assertTrue(MailchimpCampaign.mayHaveReport(json("{\"status\":\"canceled\",\"emails_sent\":4}")));
        assertFalse(MailchimpCampaign.mayHaveReport(json("{\"status\":\"canceled\",\"emails_sent\":0}")));
    }

    @Test
    void sendTimesBecomeUtcInstants() {
        assertEquals("2026-01-05T07:30:00.000Z", MailchimpCampaign.isoInstant("2026-01-05T09:30:00+02:00"));
        assertEquals("2026-01-05T09:30:00.000Z", MailchimpCampaign.isoInstant("2026-01-05T09:30:00Z"));
        assertNull(MailchimpCampaign.isoInstant(""));
        assertNull(MailchimpCampaign.isoInstant("yesterday"));
    }

    @Test
    void storedViewCarriesApiFieldsOnly() throws Exception {
        JsonNode campaign = json("""
                {"id":"d1","status":"save","emails_sent":0,"send_time":"",
                 "recipients":{"list_id":"L1"},"settings":{"title":"Draft","subject_line":"Hi"}}""");
        StoredCampaign stored = StoredCampaign.tracked("org-1", MailchimpCampaign.parse(campaign, null),
                "2026-01-01T00:00:00Z", "user:u1", true);
        JsonNode view = Json.MAPPER.valueToTree(stored.view());
        assertEquals(java.util.Set.of("id", "mailchimpCampaignId", "title", "subjectLine", "listId", "status",
                "sendTime", "emailsSent", "openRate", "clickRate", "uniqueOpens", "uniqueClicks", "lastRefreshedAt",
                "createdAt"), iterableToSet(view.fieldNames()));
        assertEquals("draft", view.get("status").asText());
        assertTrue(view.get("openRate").isNull());
        assertTrue(view.get("uniqueClicks").isNull());
        assertEquals("d1", view.get("id").asText());
    }

    private static java.util.Set<String> iterableToSet(java.util.Iterator<String> names) {
        java.util.Set<String> out = new java.util.HashSet<>();
        names.forEachRemaining(out::add);
        return out;
    }
}
