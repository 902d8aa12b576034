package com.hrplatform.mailchimp.campaign;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Which campaigns the 6-hourly job refreshes (design rule 12): every campaign not in a terminal state,
 * and sent campaigns whose send time lies inside the post-send window, because opens and clicks keep
 * arriving after sending. A window of 0 days gives the literal "non-terminal only" behaviour.
 *
 * <p>The window is the job's configuration (CAMPAIGN_STATS_POST_SEND_WINDOW_DAYS on the refresh
 * function). The API function does not know it, so it uses {@link #candidates()}: a sent campaign enters
 * the refresh index whatever its age, and the job takes it out again, without calling Mailchimp, once it
 * sees the campaign is outside its window. One owner for the window, no second setting to drift.
 */
public final class RefreshPolicy {
    private final Duration postSendWindow;

    private RefreshPolicy(Duration postSendWindow) {
        this.postSendWindow = postSendWindow;
    }

    public static RefreshPolicy withPostSendWindowDays(int days) {
        if (days < 0) {
            throw new IllegalArgumentException("The post-send window cannot be negative");
        }
        return new RefreshPolicy(Duration.ofDays(days));
    }

    /** Everything the job might still refresh (window unknown: every sent campaign is a candidate). */
    public static RefreshPolicy candidates() {
        return new RefreshPolicy(null);
    }

    /**
     * @param sendTime ISO-8601 instant or null
     */
    public boolean due(CampaignStatus status, String sendTime, Instant now) {
        if (!status.terminal()) {
            return true;
        }
        if (status != CampaignStatus.SENT) {
            return false;
        }
        if (postSendWindow == null) {
            return true;
        }
        if (postSendWindow.isZero() || sendTime == null) {
            return false;
        }
        try {
            return Instant.parse(sendTime).plus(postSendWindow).isAfter(now);
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
