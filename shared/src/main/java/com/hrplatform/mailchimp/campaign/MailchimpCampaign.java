package com.hrplatform.mailchimp.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.domain.Timestamps;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * What Mailchimp says about one campaign right now: {@code GET /campaigns/{id}} plus, once it has been
 * (or is being) sent, {@code GET /reports/{id}}. {@code report} is null for a campaign without a report.
 */
public record MailchimpCampaign(String id, String title, String subjectLine, String listId, String mailchimpStatus,
                                CampaignStatus status, String sendTime, long emailsSent, Report report) {

    /** Report numbers; rates are fractions 0..1 as Mailchimp gives them. */
    public record Report(double openRate, double clickRate, long uniqueOpens, long uniqueClicks) {
    }

    /** Whether Mailchimp can have a report for the campaign: it went (or is going) out. */
    public static boolean mayHaveReport(JsonNode campaign) {
        String status = campaign.path("status").asText("");
        return status.equals("sent") || status.equals("sending") || campaign.path("emails_sent").asLong(0) > 0;
    }

    /**
     * @param campaign the body of {@code GET /campaigns/{id}}
     * @param report   the body of {@code GET /reports/{id}}, or null when there is none
     */
    public static MailchimpCampaign parse(JsonNode campaign, JsonNode report) {
        String mailchimpStatus = campaign.path("status").asText(null);
        long emailsSent = campaign.path("emails_sent").asLong(0);
        Report stats = null;
        if (report != null && !report.isMissingNode() && !report.isNull()) {
            emailsSent = report.path("emails_sent").asLong(emailsSent);
            stats = new Report(report.path("opens").path("open_rate").asDouble(0),
                    report.path("clicks").path("click_rate").asDouble(0),
                    report.path("opens").path("unique_opens").asLong(0),
                    report.path("clicks").path("unique_clicks").asLong(0));
        }
        JsonNode settings = campaign.path("settings");
        return new MailchimpCampaign(campaign.path("id").asText(), text(settings, "title"), text(settings, "subject_line"),
                text(campaign.path("recipients"), "list_id"), mailchimpStatus,
                CampaignStatus.fromMailchimp(mailchimpStatus, emailsSent), isoInstant(text(campaign, "send_time")),
                emailsSent, stats);
    }

    private static String text(JsonNode node, String field) {
        String value = node.path(field).asText(null);
        return value == null || value.isEmpty() ? null : value;
    }

    /** Mailchimp's {@code 2024-05-01T09:00:00+00:00} as ISO-8601 UTC ({@code ...Z}); "" or junk -> null. */
    static String isoInstant(String mailchimpTime) {
        if (mailchimpTime == null || mailchimpTime.isBlank()) {
            return null;
        }
        try {
            return Timestamps.format(OffsetDateTime.parse(mailchimpTime).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Timestamps.format(Instant.parse(mailchimpTime));
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }
}
