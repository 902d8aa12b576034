package com.hrplatform.mailchimp.campaign;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CampaignStatusTest {

    @ParameterizedTest(name = "Mailchimp {0} (emails sent {1}) -> {2}")
    @CsvSource({
            "save, 0, draft",
            "schedule, 0, scheduled",
            "sending, 10, sending",
            "sent, 10, sent",
            "paused, 0, paused",
            "canceled, 0, cancelled",
            "canceling, 3, cancelled",
            "archived, 25, sent",
            "archived, 0, cancelled"
    })
    void mapsEveryMailchimpStatus(String mailchimp, long emailsSent, String ours) {
        assertEquals(ours, CampaignStatus.fromMailchimp(mailchimp, emailsSent).wireName());
    }

    @Test
    void unknownStatusIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> CampaignStatus.fromMailchimp("exploded", 0));
        assertTrue(e.getMessage().contains("exploded"));
        assertThrows(IllegalArgumentException.class, () -> CampaignStatus.fromMailchimp(null, 0));
    }

    @Test
    void terminalStates() {
        assertTrue(CampaignStatus.SENT.terminal());
        assertTrue(CampaignStatus.CANCELLED.terminal());
        for (CampaignStatus s : new CampaignStatus[]{CampaignStatus.DRAFT, CampaignStatus.SCHEDULED,
                CampaignStatus.SENDING, CampaignStatus.PAUSED}) {
            assertFalse(s.terminal(), s::name);
        }
    }

    @Test
    void wireNamesRoundTrip() {
        for (CampaignStatus s : CampaignStatus.values()) {
            assertEquals(s, CampaignStatus.fromWireName(s.wireName()));
        }
    }
}
