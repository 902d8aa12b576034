package com.hrplatform.mailchimp.campaign;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Our campaign status (api.md), mapped from Mailchimp's {@code status}. Terminal states are those whose
 * stats no longer change on their own, except that a {@link #SENT} campaign keeps collecting opens and
 * clicks for a while (the post-send window of {@link RefreshPolicy}).
 */
public enum CampaignStatus {
    DRAFT(false),
    SCHEDULED(false),
    SENDING(false),
    SENT(true),
    PAUSED(false),
    CANCELLED(true);

    private final boolean terminal;

    CampaignStatus(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean terminal() {
        return terminal;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CampaignStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /**
     * Mailchimp's status (save, schedule, sending, sent, paused, canceled, canceling, archived) as ours.
     *
     * <p>{@code archived}: our contract has no archived state, and Mailchimp archives both campaigns
     * that went out and campaigns that never did. What matters to a dashboard user is whether mail was
     * delivered, so an archived campaign that sent emails is {@link #SENT} (its report exists and its
     * opens and clicks still count, so it stays inside the post-send window like any sent campaign), and
     * one that sent nothing is {@link #CANCELLED} (it will never go out and has no report). Both are
     * terminal. {@code canceling} is cancelled already: the send is being stopped and cannot resume.
     *
     * @throws IllegalArgumentException for a status Mailchimp does not document (the message names it)
     */
    public static CampaignStatus fromMailchimp(String mailchimpStatus, long emailsSent) {
        if (mailchimpStatus == null) {
            throw new IllegalArgumentException("Mailchimp answered a campaign without a status");
        }
        return switch (mailchimpStatus) {
            case "save" -> DRAFT;
            case "schedule" -> SCHEDULED;
            case "sending" -> SENDING;
            case "sent" -> SENT;
            case "paused" -> PAUSED;
            case "canceled", "canceling" -> CANCELLED;
            case "archived" -> emailsSent > 0 ? SENT : CANCELLED;
            default -> throw new IllegalArgumentException("Unknown Mailchimp campaign status \"" + mailchimpStatus + "\"");
        };
    }
}
