package com.hrplatform.mailchimp.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.json.JsonFields;
import com.hrplatform.mailchimp.mapping.DirectoryField;
import com.hrplatform.mailchimp.mapping.MergeFieldMapping;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.sync.AudiencePort.MemberOutcome.Kind;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

/**
 * The {@link AudiencePort} over Mailchimp's Marketing API: every path of the sync and the consent worker; the batch
 * bodies, answers and which refusals are permanent are in {@link MailchimpBatch}.
 */
public final class MailchimpAudiences {
    private static final int PAGE = 1000;
    private static final JsonFields ERRORS_ONLY = JsonFields.of(List.of("errors"));

    private final MailchimpClient client;
    private final Executor readers;

    public MailchimpAudiences(MailchimpClient client, Executor readers) {
        this.client = client;
        this.readers = readers;
    }

    /** The account's audiences; {@code requestSlots} (may be null) bounds this caller's requests in flight. */
    public AudiencePort forKey(MailchimpApiKey key, Semaphore requestSlots) {
        return new Audiences(key, requestSlots);
    }

    private final class Audiences implements AudiencePort {
        private final MailchimpApiKey key;
        private final Semaphore slots;

        Audiences(MailchimpApiKey key, Semaphore slots) {
            this.key = key;
            this.slots = slots;
        }

        private JsonNode call(String method, String path, Object body) {
            return client.send(key, method, path, body, slots);
        }

        @Override
        public Session session() {
            return client.budgetSession(key)::close;
        }

        @Override
        public AudienceSnapshot snapshot(String listId) {
            AudienceSnapshot snapshot = new AudienceSnapshot();
            List<CompletableFuture<List<JsonNode>>> reads = new ArrayList<>();
            for (AudienceStatus status : AudienceStatus.READ) {
                reads.add(CompletableFuture.supplyAsync(() -> pages(listId, status), readers));
            }
            for (CompletableFuture<List<JsonNode>> read : reads) {
                for (JsonNode page : joined(read)) {
                    snapshot.countRequest();
                    for (JsonNode member : page.path("members")) {
                        snapshot.put(member.path("id").asText(), AudienceStatus.fromWire(member.path("status").asText()),
                                instant(member.path("last_changed").asText("")));
                    }
                }
            }
            return snapshot;
        }

        private List<JsonNode> pages(String listId, AudienceStatus status) {
            List<JsonNode> pages = new ArrayList<>();
            for (int offset = 0; ; offset += PAGE) {
                JsonNode page = call("GET", "/lists/" + listId + "/members?status=" + status.wire() + "&count=" + PAGE
                        + "&offset=" + offset + "&fields=members.id,members.status,members.last_changed,total_items", null);
                pages.add(page);
                if (page.path("members").size() < PAGE) {
                    return pages;
                }
            }
        }

        @Override
        public Map<String, MemberOutcome> create(String listId, List<MemberWrite> members) {
            JsonNode answer = client.send(key, "POST", "/lists/" + listId, MailchimpBatch.body(members, false), slots, false,
                    MailchimpBatch.ANSWER_READ);
            return MailchimpBatch.outcomes(answer, true);
        }

        @Override
        public Map<String, MemberOutcome> update(String listId, List<MemberWrite> members) {
            return MailchimpBatch.outcomes(client.send(key, "POST", "/lists/" + listId, MailchimpBatch.body(members, true),
                    slots, true, MailchimpBatch.ANSWER_READ), false);
        }

        @Override
        public Set<String> tag(String listId, String tagId, List<String> addEmails, List<String> removeEmails) {
            // Mailchimp answers the whole members added and removed; only the errors are used.
            JsonNode answer = client.send(key, "POST", "/lists/" + listId + "/segments/" + tagId,
                    MailchimpBatch.tagBody(addEmails, removeEmails), slots, true, ERRORS_ONLY);
            Set<String> refused = new HashSet<>();
            for (JsonNode error : answer.path("errors")) {
                for (JsonNode email : error.path("email_addresses")) {
                    refused.add(Contact.subscriberHash(email.asText()));
                }
            }
            return refused;
        }

        @Override
        public Archive archive(String listId, String subscriberHash) {
            try {
                call("DELETE", "/lists/" + listId + "/members/" + subscriberHash, null);
                return Archive.ARCHIVED;
            } catch (MailchimpException e) {
                return switch (e.kind()) {
                    case NOT_FOUND -> Archive.ABSENT;
                    case REJECTED -> Archive.REFUSED; // 405 for some members Mailchimp keeps
                    default -> throw e;
                };
            }
        }

        @Override
        public Optional<MemberView> member(String listId, String subscriberHash) {
            return member(listId, subscriberHash, "status,timestamp_signup,tags").map(member -> {
                Set<String> tagIds = new HashSet<>();
                member.path("tags").forEach(tag -> tagIds.add(tag.path("id").asText()));
                return new MemberView(AudienceStatus.fromWire(member.path("status").asText()),
                        instant(member.path("timestamp_signup").asText("")), tagIds);
            });
        }

        @Override
        public String ensureTag(String listId, String name, String knownTagId) {
            String path = "/lists/" + listId + "/segments";
            if (knownTagId != null) {
                try {
                    JsonNode tag = call("GET", path + "/" + knownTagId + "?fields=id,name", null);
                    if (!name.equals(tag.path("name").asText())) {
                        call("PATCH", path + "/" + knownTagId, Map.of("name", name));
                    }
                    return knownTagId;
                } catch (MailchimpException e) {
                    if (e.kind() != MailchimpException.Kind.NOT_FOUND) {
                        throw e;
                    }
                }
            }
            String found = tagNamed(path, name);
            if (found != null) {
                return found;
            }
            try {
                return call("POST", path, Map.of("name", name, "static_segment", List.of())).path("id").asText();
            } catch (MailchimpException e) {
                // An earlier attempt made it and its answer was lost: Mailchimp refuses the name a second time.
                String made = e.kind() == MailchimpException.Kind.REJECTED ? tagNamed(path, name) : null;
                if (made == null) {
                    throw e;
                }
                return made;
            }
        }

        private String tagNamed(String path, String name) {
            for (int offset = 0; ; offset += PAGE) {
                JsonNode page = call("GET", path + "?type=static&count=" + PAGE + "&offset=" + offset
                        + "&fields=segments.id,segments.name,total_items", null);
                for (JsonNode tag : page.path("segments")) {
                    if (name.equals(tag.path("name").asText())) {
                        return tag.path("id").asText();
                    }
                }
                if (page.path("segments").size() < PAGE) {
                    return null;
                }
            }
        }

        @Override
        public void deleteTag(String listId, String tagId) {
            ignoringNotFound(() -> call("DELETE", "/lists/" + listId + "/segments/" + tagId, null));
        }

        @Override
        public List<String> audienceIds() {
            List<String> ids = new ArrayList<>();
            for (int offset = 0; ; offset += PAGE) {
                JsonNode page = call("GET", "/lists?fields=lists.id,total_items&count=" + PAGE + "&offset=" + offset, null);
                page.path("lists").forEach(list -> ids.add(list.path("id").asText()));
                if (page.path("lists").size() < PAGE) {
                    return ids;
                }
            }
        }

        @Override
        public void unsubscribe(String listId, String subscriberHash) {
            call("PATCH", "/lists/" + listId + "/members/" + subscriberHash, Map.of("status", "unsubscribed"));
        }

        @Override
        public void unsubscribe(String listId, String subscriberHash, String emailPermissionId) {
            if (emailPermissionId == null) {
                unsubscribe(listId, subscriberHash);
                return;
            }
            try {
                call("PATCH", "/lists/" + listId + "/members/" + subscriberHash, Map.of("status", "unsubscribed",
                        "marketing_permissions", List.of(permission(emailPermissionId, false))));
            } catch (MailchimpException e) {
                if (e.kind() != MailchimpException.Kind.REJECTED) {
                    throw e;
                }
                // The permission may be gone from the audience: the unsubscribe goes on its own.
                unsubscribe(listId, subscriberHash);
            }
        }

        @Override
        public void writeEmailPermission(String listId, String subscriberHash, String permissionId, boolean enabled) {
            call("PATCH", "/lists/" + listId + "/members/" + subscriberHash,
                    Map.of("marketing_permissions", List.of(permission(permissionId, enabled))));
        }

        private static Map<String, Object> permission(String permissionId, boolean enabled) {
            return Map.of("marketing_permission_id", permissionId, "enabled", enabled);
        }

        @Override
        public boolean changeAddress(String listId, String fromHash, String toEmail) {
            try {
                call("PATCH", "/lists/" + listId + "/members/" + fromHash, Map.of("email_address", toEmail));
                return true;
            } catch (MailchimpException e) {
                if (e.kind() == MailchimpException.Kind.NOT_FOUND || e.kind() == MailchimpException.Kind.REJECTED) {
                    return false; // gone, or the new address is taken: the sync adds and releases as usual
                }
                throw e;
            }
        }

        @Override
        public void ensureMergeFields(String listId, MergeFieldMapping mapping) {
            Map<String, MergeFieldView> existing = new LinkedHashMap<>();
            mergeFields(listId).forEach(field -> existing.put(field.tag(), field));
            for (Map.Entry<String, DirectoryField> wanted : mapping.byTag().entrySet()) {
                String tag = wanted.getKey();
                String type = wanted.getValue().mailchimpType();
                MergeFieldView found = existing.get(tag);
                if (found == null) {
                    try {
                        // Not on the signup form, not required: the field is ours to fill, not the subscriber's.
                        call("POST", "/lists/" + listId + "/merge-fields", Map.of("tag", tag, "name",
                                wanted.getValue().label(), "type", type, "required", false, "public", false));
                    } catch (MailchimpException e) {
                        // An earlier attempt made it and its answer was lost: Mailchimp refuses the tag a second time.
                        if (e.kind() != MailchimpException.Kind.REJECTED || mergeFields(listId).stream()
                                .noneMatch(field -> field.tag().equals(tag) && field.type().equals(type))) {
                            throw e;
                        }
                    }
                } else if (!found.type().equals(type)) {
                    throw new MailchimpException(MailchimpException.Kind.REJECTED, 400,
                            "the audience's merge field " + tag + " is of type " + found.type() + ", but the mapping sends "
                                    + wanted.getValue().wireName() + " as " + type + "; map it to another tag or change the field in Mailchimp",
                            null);
                }
            }
        }

        @Override
        public Optional<String> mergeFieldValue(String listId, String subscriberHash, String tag) {
            return member(listId, subscriberHash, "merge_fields." + tag)
                    .map(member -> member.path("merge_fields").path(tag))
                    .filter(JsonNode::isTextual).map(JsonNode::asText).filter(value -> !value.isEmpty());
        }

        @Override
        public List<MergeFieldView> mergeFields(String listId) {
            List<MergeFieldView> fields = new ArrayList<>();
            for (int offset = 0; ; offset += PAGE) {
                JsonNode page = call("GET", "/lists/" + listId + "/merge-fields?count=" + PAGE + "&offset=" + offset
                        + "&fields=merge_fields.tag,merge_fields.name,merge_fields.type,total_items", null);
                page.path("merge_fields").forEach(field -> fields.add(new MergeFieldView(field.path("tag").asText(),
                        field.path("name").asText(), field.path("type").asText())));
                if (page.path("merge_fields").size() < PAGE) {
                    return fields;
                }
            }
        }

        @Override
        public void deletePermanently(String listId, String subscriberHash) {
            call("POST", "/lists/" + listId + "/members/" + subscriberHash + "/actions/delete-permanent", null);
        }

        @Override
        public Optional<AudienceSnapshot.Entry> memberStatus(String listId, String subscriberHash) {
            return member(listId, subscriberHash, "status,last_changed").map(member -> new AudienceSnapshot.Entry(
                    AudienceStatus.fromWire(member.path("status").asText()), instant(member.path("last_changed").asText(""))));
        }

        private Optional<JsonNode> member(String listId, String subscriberHash, String fields) {
            try {
                return Optional.of(call("GET", "/lists/" + listId + "/members/" + subscriberHash + "?fields=" + fields, null));
            } catch (MailchimpException e) {
                if (e.kind() == MailchimpException.Kind.NOT_FOUND) {
                    return Optional.empty();
                }
                throw e;
            }
        }
    }

    /** Mailchimp's time ("2015-10-21T15:41:36+00:00") as an instant string; "" stays "". */
    private static String instant(String mailchimpTime) {
        if (mailchimpTime == null || mailchimpTime.isBlank()) {
            return "";
        }
        return Timestamps.format(OffsetDateTime.parse(mailchimpTime).toInstant());
    }

    private static void ignoringNotFound(Runnable call) {
        try {
            call.run();
        } catch (MailchimpException e) {
            if (e.kind() != MailchimpException.Kind.NOT_FOUND) {
                throw e;
            }
        }
    }

    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

}
