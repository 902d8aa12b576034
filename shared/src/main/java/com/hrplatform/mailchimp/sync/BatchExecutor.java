package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.membership.Membership;
import com.hrplatform.mailchimp.sync.AddressPlan.Write;
import com.hrplatform.mailchimp.sync.AudiencePort.MemberOutcome;
import com.hrplatform.mailchimp.sync.AudiencePort.MemberWrite;
import com.hrplatform.mailchimp.sync.SyncStores.ConsentJournal.Change;
import com.hrplatform.mailchimp.sync.SyncStores.MembershipChange;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Carries out the plans of one batch of addresses (at most one Mailchimp batch of each kind): consent is checked
 * again, new members are added and their placement recorded at once, existing members changed, tags added and
 * removed, leavers archived, then our records written, each conditional on what the run read, and consent
 * checked once more for everyone the batch sent.
 * <p>
 * Placement is exact: adds go out with {@code update_existing: false} and a signup stamp noted beforehand in a
 * placement intent. Mailchimp's answer says which addresses were new; when an answer is lost (a timeout, a 5xx,
 * a crash), the stamp on the member tells whether it was our request that added it.
 */
final class BatchExecutor {
    /** Tolerance for clocks of different containers when asking the journal what changed. */
    static final Duration SKEW = Duration.ofMinutes(2);
    private static final int CREATE_ATTEMPTS = 3;

    record Item(AddressFacts facts, AddressPlan plan) {
    }

    private final SyncPass pass;
    private final SyncContext context;
    private final RunCounts counts;

    BatchExecutor(SyncPass pass, SyncContext context, RunCounts counts) {
        this.pass = pass;
        this.context = context;
        this.counts = counts;
    }

    void execute(List<Item> items) {
        List<MemberProgress> batch = items.stream().map(item -> new MemberProgress(item, pass, context.now())).toList();
        if (batch.stream().anyMatch(member -> member.plan.sends())) {
            dropChangedConsent(batch);
        }
        String stamp = signupStamp(context.clock().instant());
        String intent = openIntent(batch, stamp);
        create(batch, stamp);
        update(batch);
        permissions(batch);
        tag(batch);
        archive(batch);
        List<MembershipChange> changes = new ArrayList<>();
        for (MemberProgress member : batch) {
            member.change().ifPresent(changes::add);
            member.count(counts, pass.runSegmentId());
        }
        if (!changes.isEmpty()) {
            context.memberships().apply(pass.orgId(), pass.listId(), changes);
        }
        if (intent != null) {
            context.placements().close(pass.orgId(), intent);
        }
        for (MemberProgress member : batch) {
            member.plan.optOuts().forEach(record -> context.ledger().optOutIfUnchanged(pass.orgId(), record,
                    "mailchimp:reconcile", member.plan.optOutAt() == null ? context.now() : member.plan.optOutAt()));
        }
        recheckSent(batch);
    }

    /**
     * Consent is checked again just before sending: the journal names the addresses whose consent changed lately,
     * their records are read again, and an address whose consent is no longer what the run read waits.
     */
    private void dropChangedConsent(List<MemberProgress> batch) {
        Set<String> changed = changedLately();
        for (MemberProgress member : batch) {
            if (member.plan.sends() && changed.contains(member.plan.subscriberHash())
                    && !consentOf(now(member)).equals(consentOf(member.facts.records()))) {
                member.drop();
            }
        }
    }

    private Set<String> changedLately() {
        Set<String> changed = new java.util.HashSet<>();
        for (Change change : context.journal().changesSince(pass.orgId(), pass.readAt().minus(SKEW))) {
            changed.add(change.subscriberHash());
        }
        return changed;
    }

    private List<Contact> now(MemberProgress member) {
        return context.directory().withAddress(pass.orgId(), member.plan.subscriberHash());
    }

    /** What of the records bears on consent, in a comparable form. */
    private static Set<String> consentOf(List<Contact> records) {
        Set<String> consent = new java.util.TreeSet<>();
        records.forEach(record -> consent.add(record.entityKey() + "=" + record.consent() + "@" + record.consentAt()));
        return consent;
    }

    /**
     * Notes what the batch is about to write (see {@link SyncStores.Placements}): the addresses it adds, changes or
     * tags, and those it sets pending. Archives need none: our record says archived before the request goes.
     */
    private String openIntent(List<MemberProgress> batch, String stamp) {
        List<String> touched = batch.stream().filter(member -> !member.failed() && (member.plan.write() != Write.NONE
                || !member.plan.tagAdds().isEmpty() || !member.plan.tagRemoves().isEmpty()))
                .map(member -> member.plan.subscriberHash()).toList();
        if (touched.isEmpty()) {
            return null;
        }
        List<String> pending = batch.stream().filter(member -> !member.failed() && member.setsPending())
                .map(member -> member.plan.subscriberHash()).toList();
        return context.placements().open(pass.orgId(), pass.listId(), touched, pending, stamp);
    }

    private void create(List<MemberProgress> batch, String stamp) {
        List<MemberProgress> adds = batch.stream().filter(member -> member.wants(Write.CREATE)).toList();
        if (adds.isEmpty()) {
            return;
        }
        List<MemberWrite> writes = adds.stream().map(member -> member.write(stamp)).toList();
        Map<String, MemberOutcome> outcomes = null;
        boolean uncertain = false;
        for (int attempt = 1; outcomes == null; attempt++) {
            try {
                counts.mailchimpRequests.incrementAndGet();
                outcomes = context.audience().create(pass.listId(), writes);
            } catch (MailchimpException e) {
                if (!e.isTransient() || attempt >= CREATE_ATTEMPTS) {
                    throw e; // the intent stays open: the slice's next attempt resolves it
                }
                uncertain = true; // Mailchimp may have applied it before the answer was lost
                context.pause(attempt);
            }
        }
        for (MemberProgress member : adds) {
            MemberOutcome outcome = outcomes.getOrDefault(member.plan.subscriberHash(),
                    new MemberOutcome(MemberOutcome.Kind.REFUSED, null, "no answer for this member"));
            if (outcome.kind() == MemberOutcome.Kind.EXISTS && uncertain && addedByUs(member, stamp)) {
                outcome = MemberOutcome.CREATED;
            }
            member.created(outcome);
        }
    }

    private boolean addedByUs(MemberProgress member, String stamp) {
        counts.mailchimpRequests.incrementAndGet();
        return context.audience().member(pass.listId(), member.plan.subscriberHash())
                .map(view -> stamp.equals(view.signupStamp())).orElse(false);
    }

    private void update(List<MemberProgress> batch) {
        List<MemberProgress> changes = batch.stream().filter(member -> member.wants(Write.UPDATE)).toList();
        if (changes.isEmpty()) {
            return;
        }
        counts.mailchimpRequests.incrementAndGet();
        Map<String, MemberOutcome> outcomes = context.audience().update(pass.listId(),
                changes.stream().map(member -> member.write(null)).toList());
        for (MemberProgress member : changes) {
            member.updated(outcomes.getOrDefault(member.plan.subscriberHash(),
                    new MemberOutcome(MemberOutcome.Kind.REFUSED, null, "no answer for this member")));
        }
    }

    /**
     * The audience's email permission, for the members whose write Mailchimp accepted: one request each, since the
     * batch subscribe takes no marketing permissions. A failure leaves the member as written and retried next run.
     */
    private void permissions(List<MemberProgress> batch) {
        String permissionId = pass.emailPermissionId();
        if (permissionId == null) {
            return;
        }
        for (MemberProgress member : batch) {
            if (!member.writesPermission()) {
                continue;
            }
            counts.mailchimpRequests.incrementAndGet();
            try {
                context.audience().writeEmailPermission(pass.listId(), member.plan.subscriberHash(), permissionId,
                        member.permissionToWrite());
            } catch (MailchimpException e) {
                member.permissionNotWritten("Mailchimp did not take the email marketing permission ("
                        + (e.title() == null ? e.kind() : e.title()) + "); the next sync tries again");
            }
        }
    }

    private void tag(List<MemberProgress> batch) {
        Map<String, List<MemberProgress>> adds = new LinkedHashMap<>();
        Map<String, List<MemberProgress>> removes = new LinkedHashMap<>();
        for (MemberProgress member : batch) {
            if (member.mayTag()) {
                member.plan.tagAdds().forEach(id -> adds.computeIfAbsent(id, key -> new ArrayList<>()).add(member));
                member.plan.tagRemoves().forEach(id -> removes.computeIfAbsent(id, key -> new ArrayList<>()).add(member));
            }
        }
        Set<String> segments = new java.util.TreeSet<>(adds.keySet());
        segments.addAll(removes.keySet());
        for (String segmentId : segments) {
            List<MemberProgress> joining = adds.getOrDefault(segmentId, List.of());
            List<MemberProgress> leaving = removes.getOrDefault(segmentId, List.of());
            String tagId = pass.tagIds().get(segmentId);
            if (tagId == null) {
                // The segment's tag id is not known yet (its own next run finds it): nothing changes meanwhile.
                joining.forEach(member -> member.fail("no_tag", "This segment has no tag in the audience yet"));
                continue;
            }
            counts.mailchimpRequests.incrementAndGet();
            Set<String> refused = context.audience().tag(pass.listId(), tagId,
                    joining.stream().map(member -> member.plan.email()).toList(),
                    leaving.stream().map(member -> member.plan.email()).toList());
            for (MemberProgress member : joining) {
                if (refused.contains(member.plan.subscriberHash())) {
                    member.fail("tag_failed", "Mailchimp could not add this person to the segment's tag");
                } else {
                    member.tagged(segmentId);
                }
            }
            leaving.stream().filter(member -> !refused.contains(member.plan.subscriberHash()))
                    .forEach(member -> member.untagged(segmentId));
        }
    }

    /**
     * Leavers: our record says archived before the request goes, so an archive whose answer is lost is still known
     * as ours; a member that turns out to be gone leaves our records too.
     */
    private void archive(List<MemberProgress> batch) {
        List<MemberProgress> leaving = batch.stream().filter(member -> member.plan.archive() && !member.failed()).toList();
        if (leaving.isEmpty()) {
            return;
        }
        List<MembershipChange> intents = new ArrayList<>();
        for (MemberProgress member : leaving) {
            member.archiving();
            member.change().ifPresent(intents::add);
        }
        if (!intents.isEmpty()) {
            context.memberships().apply(pass.orgId(), pass.listId(), intents);
            leaving.forEach(MemberProgress::settle);
        }
        for (MemberProgress member : leaving) {
            counts.mailchimpRequests.incrementAndGet();
            member.archived(context.audience().archive(pass.listId(), member.plan.subscriberHash()));
        }
    }

    /**
     * Consent checked once more after sending: a change that landed between the check before and the request
     * itself is taken to Mailchimp again through the consent queue, which finds the member as we left it.
     */
    private void recheckSent(List<MemberProgress> batch) {
        List<MemberProgress> sent = batch.stream().filter(MemberProgress::sent).toList();
        if (sent.isEmpty()) {
            return;
        }
        Set<String> changed = changedLately();
        for (MemberProgress member : sent) {
            if (changed.contains(member.plan.subscriberHash())
                    && now(member).stream().anyMatch(record -> record.optedOut() || record.erased())) {
                context.ledger().unsubscribeEverywhere(pass.orgId(), member.plan.subscriberHash());
            }
        }
    }

    /**
     * The signup time our adds carry: two seconds ahead of now (Mailchimp keeps seconds), so no member that
     * existed before our request can carry it, even one that signed up in this very second; a clock up to a
     * second off Mailchimp's does not change that.
     */
    static String signupStamp(Instant at) {
        return Timestamps.format(at.truncatedTo(ChronoUnit.SECONDS).plusSeconds(2));
    }

    /** Our record of an address as the batch goes: what it read, and what it makes of Mailchimp's answers. */
    static Membership start(AddressFacts facts, AddressPlan plan, String now) {
        Membership ours = facts.ours();
        if (ours == null || plan.tagForgets().isEmpty() && plan.learned() == null) {
            return ours; // unchanged, as most are: no copy
        }
        Set<String> segments = new java.util.TreeSet<>(ours.segments());
        segments.removeAll(plan.tagForgets());
        String status = plan.learned() == null ? ours.status() : plan.learned();
        return ours.with(status, ours.digest(), segments, ours.placedByUs(), ours.email(), ours.entityKey(),
                plan.tagForgets().isEmpty() && plan.learned() == null ? ours.updatedAt() : now);
    }
}
