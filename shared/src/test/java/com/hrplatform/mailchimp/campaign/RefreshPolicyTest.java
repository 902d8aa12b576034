package com.hrplatform.mailchimp.campaign;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RefreshPolicyTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String THREE_DAYS_AGO = "2026-02-26T12:00:00Z";
    private static final String FORTY_DAYS_AGO = "2026-01-20T12:00:00Z";

    @Test
    void nonTerminalCampaignsAreAlwaysDue() {
        RefreshPolicy policy = RefreshPolicy.withPostSendWindowDays(0);
        for (CampaignStatus s : new CampaignStatus[]{CampaignStatus.DRAFT, CampaignStatus.SCHEDULED,
                CampaignStatus.SENDING, CampaignStatus.PAUSED}) {
            assertTrue(policy.due(s, null, NOW), s::name);
        }
    }

    @Test
    void sentCampaignsAreDueInsideTheWindowOnly() {
        RefreshPolicy policy = RefreshPolicy.withPostSendWindowDays(30);
        assertTrue(policy.due(CampaignStatus.SENT, THREE_DAYS_AGO, NOW));
        assertFalse(policy.due(CampaignStatus.SENT, FORTY_DAYS_AGO, NOW));
        assertFalse(policy.due(CampaignStatus.SENT, null, NOW), "a sent campaign without a send time is not guessed at");
    }

    @Test
    void windowZeroMeansNonTerminalOnly() {
        RefreshPolicy policy = RefreshPolicy.withPostSendWindowDays(0);
        assertFalse(policy.due(CampaignStatus.SENT, NOW.toString(), NOW));
    }

    @Test
    void cancelledIsNeverDue() {
        assertFalse(RefreshPolicy.withPostSendWindowDays(30).due(CampaignStatus.CANCELLED, THREE_DAYS_AGO, NOW));
        assertFalse(RefreshPolicy.candidates().due(CampaignStatus.CANCELLED, THREE_DAYS_AGO, NOW));
    }

    @Test
    void candidatesKeepEverySentCampaignForTheJobToJudge() {
        assertTrue(RefreshPolicy.candidates().due(CampaignStatus.SENT, FORTY_DAYS_AGO, NOW));
    }

    @Test
    void negativeWindowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RefreshPolicy.withPostSendWindowDays(-1));
    }
}
