package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * An in-memory model of one Mailchimp account, behind the {@link AudiencePort} the sync uses, with Mailchimp's
 * compliance rules. It keeps the truth the invariants need: which member our requests created, and whether a
 * member's status was last set by us or by someone in Mailchimp.
 */
final class MailchimpModel implements AudiencePort {
    static final class Member {
        final String hash;
        String email;
        String status;
        String statusBeforeArchive;
        String signupStamp = "";
        Instant lastChanged;
        String firstName = "";
        String lastName = "";
        /** Created by one of our adds (the truth behind "placed by us"). */
        boolean createdByUs;
        /** Its status was last set by our requests, not by the person or an admin. */
        boolean statusByUs;

        Member(String email, Instant now) {
            this.email = email;
            this.hash = Contact.subscriberHash(email);
            this.lastChanged = now;
        }

        /** Someone else's pending or archive, or a transactional contact: to be left as it is. */
        boolean leftToOthers() {
            return "transactional".equals(status) || ("pending".equals(status) || "archived".equals(status)) && !statusByUs;
        }

        String effectiveStatus() {
            return "archived".equals(status) && statusBeforeArchive != null ? statusBeforeArchive : status;
        }

        boolean refuses(String newStatus) {
            String current = effectiveStatus();
            return "subscribed".equals(newStatus) && ("unsubscribed".equals(current) || "cleaned".equals(current))
                    || "pending".equals(newStatus) && "cleaned".equals(current);
        }

        void setStatus(String newStatus, Instant now, boolean byUs) {
            statusBeforeArchive = "archived".equals(newStatus) ? status : null;
            status = newStatus;
            lastChanged = now;
            statusByUs = byUs;
        }
    }

    static final class Audience {
        final String id;
        final Map<String, Member> members = new TreeMap<>();
        final Set<String> forgotten = new HashSet<>();
        final Map<String, String> tagNames = new LinkedHashMap<>();
        final Map<String, Set<String>> tagMembers = new HashMap<>();

        Audience(String id) {
            this.id = id;
        }
    }

    final Map<String, Audience> audiences = new LinkedHashMap<>();
    final List<String> writes = new ArrayList<>();
    /** Addresses our writes touched (adds, changes, tags): none may be erased. */
    final Set<String> written = new HashSet<>();
    final List<String> violations = new ArrayList<>();
    private final Faults faults;
    private final Supplier<Instant> clock;
    private int nextTag = 1;

    MailchimpModel(Faults faults, Supplier<Instant> clock, String... listIds) {
        this.faults = faults;
        this.clock = clock;
        for (String listId : listIds) {
            audiences.put(listId, new Audience(listId));
        }
    }

    Audience audience(String listId) {
        return audiences.get(listId);
    }

    @Override
    public AudienceSnapshot snapshot(String listId) {
        return faults.call(true, () -> {
            AudienceSnapshot snapshot = new AudienceSnapshot();
            snapshot.countRequest();
            for (Member member : audience(listId).members.values()) {
                if (!"subscribed".equals(member.status)) {
                    snapshot.put(member.hash, AudienceStatus.fromWire(member.status), member.lastChanged.toString());
                }
            }
            return snapshot;
        });
    }

    @Override
    public Map<String, MemberOutcome> create(String listId, List<MemberWrite> members) {
        return faults.call(true, () -> {
            writes.add("create " + listId);
            members.forEach(write -> written.add(write.subscriberHash()));
            Audience audience = audience(listId);
            Map<String, MemberOutcome> outcomes = new HashMap<>();
            for (MemberWrite write : members) {
                Member existing = audience.members.get(write.subscriberHash());
                if (existing == null && audience.forgotten.contains(write.subscriberHash())) {
                    outcomes.put(write.subscriberHash(), new MemberOutcome(MemberOutcome.Kind.FORGOTTEN, null, null));
                } else if (existing == null) {
                    Member member = new Member(write.email(), now());
                    member.setStatus(write.status(), now(), true);
                    member.signupStamp = write.signupStamp() == null ? "" : write.signupStamp();
                    member.firstName = write.mergeFields() == null ? null : write.mergeFields().get("FNAME");
                    member.lastName = write.mergeFields() == null ? null : write.mergeFields().get("LNAME");
                    member.createdByUs = true;
                    audience.members.put(member.hash, member);
                    outcomes.put(member.hash, MemberOutcome.CREATED);
                } else if ("archived".equals(existing.status)) {
                    if (existing.leftToOthers()) {
                        violations.add("brought back a member someone archived: " + existing.email);
                    }
                    // An add brings an archived member back, as Mailchimp does; it was there before.
                    if (existing.refuses(write.status())) {
                        outcomes.put(existing.hash, new MemberOutcome(MemberOutcome.Kind.COMPLIANCE, null, null));
                    } else {
                        existing.setStatus(write.status(), now(), true);
                        outcomes.put(existing.hash, MemberOutcome.EXISTS);
                    }
                } else {
                    outcomes.put(existing.hash, MemberOutcome.EXISTS);
                }
            }
            return outcomes;
        });
    }

    @Override
    public Map<String, MemberOutcome> update(String listId, List<MemberWrite> members) {
        return faults.call(true, () -> {
            writes.add("update " + listId);
            members.stream().filter(write -> !"unsubscribed".equals(write.status()))
                    .forEach(write -> written.add(write.subscriberHash()));
            Audience audience = audience(listId);
            Map<String, MemberOutcome> outcomes = new HashMap<>();
            for (MemberWrite write : members) {
                Member existing = audience.members.get(write.subscriberHash());
                if (existing == null) {
                    outcomes.put(write.subscriberHash(), new MemberOutcome(audience.forgotten.contains(write.subscriberHash())
                            ? MemberOutcome.Kind.FORGOTTEN : MemberOutcome.Kind.REFUSED, "status", "required"));
                    continue;
                }
                if (existing.leftToOthers() && !"unsubscribed".equals(write.status())) {
                    violations.add("changed a " + existing.status + " member left to others: " + existing.email);
                }
                if (write.status() != null && existing.refuses(write.status())) {
                    outcomes.put(existing.hash, new MemberOutcome(MemberOutcome.Kind.COMPLIANCE, null, null));
                    continue;
                }
                if (write.status() != null && !write.status().equals(existing.status)) {
                    existing.setStatus(write.status(), now(), true);
                }
                if (write.mergeFields() != null) {
                    existing.firstName = write.mergeFields().get("FNAME");
                    existing.lastName = write.mergeFields().get("LNAME");
                    existing.lastChanged = now();
                }
                outcomes.put(existing.hash, MemberOutcome.UPDATED);
            }
            return outcomes;
        });
    }

    @Override
    public Set<String> tag(String listId, String tagId, List<String> addEmails, List<String> removeEmails) {
        return faults.call(true, () -> {
            writes.add("tag " + listId);
            addEmails.forEach(email -> written.add(Contact.subscriberHash(email)));
            Audience audience = audience(listId);
            Set<String> members = audience.tagMembers.get(tagId);
            Set<String> refused = new HashSet<>();
            if (members == null) {
                addEmails.forEach(email -> refused.add(Contact.subscriberHash(email)));
                return refused;
            }
            for (String email : addEmails) {
                Member member = audience.members.get(Contact.subscriberHash(email));
                if (member == null || "archived".equals(member.status)) {
                    refused.add(Contact.subscriberHash(email));
                } else {
                    if (member.leftToOthers() && !members.contains(member.hash)) {
                        violations.add("tagged a " + member.status + " member left to others: " + member.email);
                    }
                    members.add(member.hash);
                }
            }
            removeEmails.forEach(email -> members.remove(Contact.subscriberHash(email)));
            return refused;
        });
    }

    @Override
    public Archive archive(String listId, String subscriberHash) {
        return faults.call(true, () -> {
            writes.add("archive " + listId);
            Member member = audience(listId).members.get(subscriberHash);
            if (member == null) {
                return Archive.ABSENT;
            }
            if (!"archived".equals(member.status)) {
                if (!member.createdByUs) {
                    violations.add("archived a member we did not place: " + member.email + " in " + listId);
                }
                member.setStatus("archived", now(), true);
            }
            return Archive.ARCHIVED;
        });
    }

    @Override
    public Optional<AudienceSnapshot.Entry> memberStatus(String listId, String subscriberHash) {
        return faults.call(true, () -> {
            Member member = audience(listId).members.get(subscriberHash);
            return member == null ? Optional.<AudienceSnapshot.Entry>empty()
                    : Optional.of(new AudienceSnapshot.Entry(AudienceStatus.fromWire(member.status), member.lastChanged.toString()));
        });
    }

    @Override
    public Optional<MemberView> member(String listId, String subscriberHash) {
        return faults.call(true, () -> {
            Audience audience = audience(listId);
            Member member = audience.members.get(subscriberHash);
            if (member == null) {
                return Optional.empty();
            }
            Set<String> tags = new HashSet<>();
            audience.tagMembers.forEach((tagId, members) -> {
                if (members.contains(subscriberHash)) {
                    tags.add(tagId);
                }
            });
            return Optional.of(new MemberView(AudienceStatus.fromWire(member.status), member.signupStamp, tags));
        });
    }

    @Override
    public String ensureTag(String listId, String name, String knownTagId) {
        return faults.call(true, () -> {
            Audience audience = audience(listId);
            if (knownTagId != null && audience.tagNames.containsKey(knownTagId)) {
                audience.tagNames.put(knownTagId, name);
                return knownTagId;
            }
            for (Map.Entry<String, String> tag : audience.tagNames.entrySet()) {
                if (tag.getValue().equals(name)) {
                    return tag.getKey();
                }
            }
            String id = Integer.toString(nextTag++);
            audience.tagNames.put(id, name);
            audience.tagMembers.put(id, new HashSet<>());
            return id;
        });
    }

    @Override
    public void deleteTag(String listId, String tagId) {
        faults.run(true, () -> {
            writes.add("deleteTag " + listId);
            audience(listId).tagNames.remove(tagId);
            audience(listId).tagMembers.remove(tagId);
        });
    }

    /** The members our requests moved to another address ({@code list from -> to}), in order. */
    final List<String> moved = new ArrayList<>();

    @Override
    public boolean changeAddress(String listId, String fromHash, String toEmail) {
        return faults.call(true, () -> {
            Audience audience = audience(listId);
            Member from = audience.members.get(fromHash);
            String toHash = Contact.subscriberHash(toEmail);
            // As Mailchimp's PATCH email_address: refused when the new address is taken or was deleted permanently.
            if (from == null || audience.members.containsKey(toHash) || audience.forgotten.contains(toHash)) {
                return false;
            }
            written.add(fromHash);
            written.add(toHash);
            moved.add(listId + " " + fromHash + " -> " + toHash);
            Member to = new Member(toEmail, from.lastChanged);
            to.status = from.status;
            to.statusBeforeArchive = from.statusBeforeArchive;
            to.signupStamp = from.signupStamp;
            to.firstName = from.firstName;
            to.lastName = from.lastName;
            to.createdByUs = from.createdByUs;
            to.statusByUs = from.statusByUs;
            audience.members.remove(fromHash);
            audience.members.put(toHash, to);
            audience.tagMembers.values().forEach(members -> {
                if (members.remove(fromHash)) {
                    members.add(toHash);
                }
            });
            Boolean permission = emailPermissions.remove(listId + "/" + fromHash);
            if (permission != null) {
                emailPermissions.put(listId + "/" + toHash, permission);
            }
            return true;
        });
    }

    @Override
    public List<String> audienceIds() {
        return List.copyOf(audiences.keySet());
    }

    @Override
    public void unsubscribe(String listId, String subscriberHash) {
        Member member = audience(listId).members.get(subscriberHash);
        if (member != null) {
            member.setStatus("unsubscribed", now(), true);
        }
    }

    @Override
    public void unsubscribe(String listId, String subscriberHash, String emailPermissionId) {
        unsubscribe(listId, subscriberHash);
        if (emailPermissionId != null && audience(listId).members.containsKey(subscriberHash)) {
            emailPermissions.put(listId + "/" + subscriberHash, false);
        }
    }

    /** Mailchimp refuses every permission write (the chosen one was removed from the audience). */
    boolean refuseEmailPermissions;

    /** Per {@code listId/hash}, the email permission as our writes left it. */
    final Map<String, Boolean> emailPermissions = new HashMap<>();

    @Override
    public void writeEmailPermission(String listId, String subscriberHash, String permissionId, boolean enabled) {
        faults.call(true, () -> {
            Member member = audience(listId).members.get(subscriberHash);
            if (member == null) {
                throw new com.hrplatform.mailchimp.mailchimp.MailchimpException(
                        com.hrplatform.mailchimp.mailchimp.MailchimpException.Kind.NOT_FOUND, 404, "Resource Not Found", null);
            }
            if (refuseEmailPermissions) {
                throw new com.hrplatform.mailchimp.mailchimp.MailchimpException(
                        com.hrplatform.mailchimp.mailchimp.MailchimpException.Kind.REJECTED, 400, "Invalid Resource", null);
            }
            if (enabled && !"subscribed".equals(member.status) && !"pending".equals(member.status)) {
                violations.add("email permission enabled for a " + member.status + " member " + subscriberHash);
            }
            emailPermissions.put(listId + "/" + subscriberHash, enabled);
            return null;
        });
    }

    // ------------------------------------------------------------ what people and admins do in Mailchimp

    /** Someone else sets a member's status (the person, a form, an admin), creating it when absent. */
    void external(String listId, String email, String status) {
        Audience audience = audience(listId);
        Member member = audience.members.get(Contact.subscriberHash(email));
        if (member == null) {
            if ("archived".equals(status) || audience.forgotten.contains(Contact.subscriberHash(email))) {
                return;
            }
            member = new Member(email, now());
            member.signupStamp = now().truncatedTo(ChronoUnit.SECONDS).toString();
            audience.members.put(member.hash, member);
        } else if ("archived".equals(member.status) && !"archived".equals(status)) {
            member.createdByUs = false; // brought back by someone else: theirs now
        }
        member.setStatus(status, now(), false);
    }

    @Override
    public void deletePermanently(String listId, String subscriberHash) {
        Audience audience = audience(listId);
        if (audience.members.remove(subscriberHash) != null) {
            audience.forgotten.add(subscriberHash);
        }
        audience.tagMembers.values().forEach(members -> members.remove(subscriberHash));
    }

    private Instant now() {
        return clock.get();
    }
}
