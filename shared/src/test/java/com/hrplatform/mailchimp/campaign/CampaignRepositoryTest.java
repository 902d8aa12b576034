package com.hrplatform.mailchimp.campaign;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The item mapping; the table itself is exercised end to end through the local cloud. */
class CampaignRepositoryTest {

    private static StoredCampaign sample(boolean due, Double openRate) {
        return new StoredCampaign("org-1", "c1", "Title", "Subject", "L1", "sent", CampaignStatus.SENT,
                "2026-01-05T09:30:00Z", 118, openRate, openRate == null ? null : 0.1016949,
                openRate == null ? null : 59L, openRate == null ? null : 12L, "2026-01-06T00:00:00Z",
                "2026-01-05T10:00:00Z", "user:u1", null, null, null, due);
    }

    @Test
    void roundTripsEveryField() {
        StoredCampaign campaign = sample(true, 0.5);
        assertEquals(campaign, CampaignRepository.fromItem(CampaignRepository.toItem(campaign)));
        StoredCampaign draft = sample(false, null);
        assertEquals(draft, CampaignRepository.fromItem(CampaignRepository.toItem(draft)));
    }

    @Test
    void onlyDueCampaignsCarryTheSparseIndexKey() {
        assertTrue(CampaignRepository.toItem(sample(true, 0.5)).containsKey("refreshDue"));
        assertFalse(CampaignRepository.toItem(sample(false, 0.5)).containsKey("refreshDue"));
        assertFalse(CampaignRepository.toItem(sample(false, null)).containsKey("openRate"), "no report, no rate");
    }

    @Test
    void shardsAreStableAndBounded() {
        Set<String> shards = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String shard = CampaignRepository.shardOf("org-" + i);
            assertEquals(shard, CampaignRepository.shardOf("org-" + i));
            shards.add(shard);
        }
        assertEquals(CampaignRepository.SHARDS, shards.size());
    }
}
