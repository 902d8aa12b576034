package com.hrplatform.mailchimp.sync;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.json.JsonFields;
import com.hrplatform.mailchimp.json.RawJson;
import com.hrplatform.mailchimp.sync.AudiencePort.MemberOutcome.Kind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Mailchimp's batch endpoint ({@code POST /lists/{id}}) in and out: the body for members to add or change, and the
 * answer by subscriber hash, with which refusals are permanent (design rule 5: compliance state, forgotten and fake
 * or invalid addresses; anything else, such as a required merge field, is the audience's setup and is tried again).
 */
final class MailchimpBatch {
    private static final DateTimeFormatter MAILCHIMP_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'+00:00'")
            .withZone(ZoneOffset.UTC);

    /**
     * What {@link #outcomes} reads of an answer, which carries the whole member for each one added or changed (the
     * batch endpoint takes no {@code fields}): the rest is skipped while parsing.
     */
    static final JsonFields ANSWER_READ = JsonFields.of(List.of("new_members.id", "new_members.email_address",
            "updated_members.id", "updated_members.email_address", "errors"));

    private MailchimpBatch() {
    }

    /** The batch body, written straight out: 500 members a request, a map per member would cost more than the rest. */
    static RawJson body(List<AudiencePort.MemberWrite> members, boolean updateExisting) {
        ByteArrayOutputStream utf8 = new ByteArrayOutputStream(members.size() * 160 + 64);
        String lastStamp = null;
        String lastStampText = null;
        try (JsonGenerator out = Json.MAPPER.getFactory().createGenerator(utf8, JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeArrayFieldStart("members");
            for (AudiencePort.MemberWrite write : members) {
                out.writeStartObject();
                out.writeStringField("email_address", write.email());
                if (write.status() != null) {
                    out.writeStringField("status", write.status());
                }
                if (write.mergeFields() != null && !write.mergeFields().isEmpty()) {
                    out.writeObjectFieldStart("merge_fields");
                    for (Map.Entry<String, String> field : write.mergeFields().entrySet()) {
                        out.writeStringField(field.getKey(), nullToEmpty(field.getValue()));
                    }
                    out.writeEndObject();
                }
                if (write.signupStamp() != null) {
                    // One stamp per batch: formatted once.
                    if (!write.signupStamp().equals(lastStamp)) {
                        lastStamp = write.signupStamp();
                        lastStampText = MAILCHIMP_TIME.format(Instant.parse(lastStamp));
                    }
                    out.writeStringField("timestamp_signup", lastStampText);
                }
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeBooleanField("update_existing", updateExisting);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing a batch body in memory failed", e);
        }
        return new RawJson(utf8.toByteArray());
    }

    /** The body of a tag's members change ({@code POST /lists/{id}/segments/{id}}), written straight out like {@link #body}. */
    static RawJson tagBody(List<String> addEmails, List<String> removeEmails) {
        ByteArrayOutputStream utf8 = new ByteArrayOutputStream((addEmails.size() + removeEmails.size()) * 40 + 64);
        try (JsonGenerator out = Json.MAPPER.getFactory().createGenerator(utf8, JsonEncoding.UTF8)) {
            out.writeStartObject();
            out.writeArrayFieldStart("members_to_add");
            for (String email : addEmails) {
                out.writeString(email);
            }
            out.writeEndArray();
            out.writeArrayFieldStart("members_to_remove");
            for (String email : removeEmails) {
                out.writeString(email);
            }
            out.writeEndArray();
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing a tag body in memory failed", e);
        }
        return new RawJson(utf8.toByteArray());
    }

    /** Mailchimp's batch answer by subscriber hash; its error texts name the address, so only our words are kept. */
    static Map<String, AudiencePort.MemberOutcome> outcomes(JsonNode answer, boolean creating) {
        Map<String, AudiencePort.MemberOutcome> outcomes = new HashMap<>();
        for (JsonNode member : answer.path("new_members")) {
            outcomes.put(hashOf(member), AudiencePort.MemberOutcome.CREATED);
        }
        for (JsonNode member : answer.path("updated_members")) {
            // An add that found an archived member brings it back: it was there before, so not placed by us.
            outcomes.put(hashOf(member), creating ? AudiencePort.MemberOutcome.EXISTS : AudiencePort.MemberOutcome.UPDATED);
        }
        for (JsonNode error : answer.path("errors")) {
            outcomes.put(hashOf(error), classify(error));
        }
        return outcomes;
    }

    static AudiencePort.MemberOutcome classify(JsonNode error) {
        String text = error.path("error").asText("").toLowerCase(Locale.ROOT);
        String field = error.path("field").asText("");
        if ("ERROR_CONTACT_EXISTS".equals(error.path("error_code").asText()) || text.contains("already a list member")) {
            return AudiencePort.MemberOutcome.EXISTS;
        }
        if (text.contains("compliance state")) {
            return new AudiencePort.MemberOutcome(Kind.COMPLIANCE, null, null);
        }
        if (text.contains("permanently deleted") || text.contains("forgotten")) {
            return new AudiencePort.MemberOutcome(Kind.FORGOTTEN, null, null);
        }
        if (text.contains("looks fake or invalid") || "email_address".equals(field)) {
            return new AudiencePort.MemberOutcome(Kind.INVALID_ADDRESS, null, null);
        }
        String message = error.path("field_message").asText("");
        return new AudiencePort.MemberOutcome(Kind.REFUSED, field.matches("[A-Za-z0-9_.\\[\\]-]{1,64}") ? field : null,
                message.contains("@") ? null : message.length() > 120 ? message.substring(0, 120) : message);
    }

    private static String hashOf(JsonNode member) {
        String id = member.path("id").asText("");
        return isSubscriberHash(id) ? id : Contact.subscriberHash(member.path("email_address").asText(""));
    }

    /** 32 lower-case hex digits; by hand, since a regex (compiled on each call by String.matches) is one per member. */
    static boolean isSubscriberHash(String id) {
        if (id.length() != 32) {
            return false;
        }
        for (int i = 0; i < 32; i++) {
            char c = id.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
