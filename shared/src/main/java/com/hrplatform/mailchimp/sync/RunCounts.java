package com.hrplatform.mailchimp.sync;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** What one slice did, counted from the threads that carry out its batches. */
public final class RunCounts {
    /** The run's errors are capped: the dashboard shows a sample, the counts tell the size. */
    public static final int MAX_ERRORS = 50;

    /** Per-member failures and skips a slice keeps for the run's history; the counts stay exact beyond it. */
    public static final int MAX_ISSUES = 10_000;

    public record MemberError(String entityId, String reason) {
    }

    /**
     * One person the slice skipped or failed, for the run's history: who (their directory record; null when the
     * address has none left) and why, never the address. {@code hashPrefix} is the first 8 hex digits of the
     * subscriber hash: enough to tell, when the history is read, whether the record still has the same address.
     *
     * @param kind    {@link #SKIPPED} or {@link #FAILED}
     * @param reason  a skip's {@link SkipReason#wire()}, or a failure's code
     * @param message a failure's explanation; null for a skip (its reason's text says it)
     */
    public record MemberIssue(String kind, String entityKey, String hashPrefix, String reason, String message) {
        public static final String SKIPPED = "skipped";
        public static final String FAILED = "failed";
    }

    final AtomicInteger added = new AtomicInteger();
    final AtomicInteger updated = new AtomicInteger();
    final AtomicInteger unchanged = new AtomicInteger();
    final AtomicInteger archived = new AtomicInteger();
    final AtomicInteger unsubscribed = new AtomicInteger();
    final AtomicInteger pendingConfirmation = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger inSegment = new AtomicInteger();
    final AtomicInteger mailchimpRequests = new AtomicInteger();
    private final Map<String, AtomicInteger> skipped = new ConcurrentHashMap<>();
    private final List<MemberError> errors = new CopyOnWriteArrayList<>();
    private final Queue<MemberIssue> issues = new ConcurrentLinkedQueue<>();
    private final AtomicInteger issueCount = new AtomicInteger();

    void skip(SkipReason reason) {
        skipped.computeIfAbsent(reason.wire(), key -> new AtomicInteger()).incrementAndGet();
    }

    void skip(SkipReason reason, String entityKey, String subscriberHash) {
        skip(reason);
        keep(new MemberIssue(MemberIssue.SKIPPED, entityKey, prefix(subscriberHash), reason.wire(), null));
    }

    void fail(String entityId, String reason) {
        failed.incrementAndGet();
        if (errors.size() < MAX_ERRORS) {
            errors.add(new MemberError(entityId, reason));
        }
    }

    void fail(String entityId, String entityKey, String subscriberHash, String code, String reason) {
        fail(entityId, reason);
        keep(new MemberIssue(MemberIssue.FAILED, entityKey, prefix(subscriberHash), code, reason));
    }

    private void keep(MemberIssue issue) {
        if (issueCount.getAndIncrement() < MAX_ISSUES) {
            issues.add(issue);
        }
    }

    private static String prefix(String subscriberHash) {
        return subscriberHash == null ? null : subscriberHash.substring(0, Math.min(8, subscriberHash.length()));
    }

    public int added() {
        return added.get();
    }

    public int updated() {
        return updated.get();
    }

    public int unchanged() {
        return unchanged.get();
    }

    public int archived() {
        return archived.get();
    }

    public int unsubscribed() {
        return unsubscribed.get();
    }

    public int pendingConfirmation() {
        return pendingConfirmation.get();
    }

    public int failed() {
        return failed.get();
    }

    public int inSegment() {
        return inSegment.get();
    }

    public int mailchimpRequests() {
        return mailchimpRequests.get();
    }

    /** Skips by reason (wire names), in name order. */
    public Map<String, Integer> skipped() {
        Map<String, Integer> copy = new TreeMap<>();
        skipped.forEach((reason, count) -> copy.put(reason, count.get()));
        return copy;
    }

    public List<MemberError> errors() {
        return List.copyOf(errors);
    }

    /** The skips and failures kept (at most {@link #MAX_ISSUES}), in a stable order: kind, reason, record, hash. */
    public List<MemberIssue> issues() {
        List<MemberIssue> sorted = new ArrayList<>(issues);
        sorted.sort(ISSUE_ORDER);
        return sorted;
    }

    private static final Comparator<MemberIssue> ISSUE_ORDER = Comparator.comparing(MemberIssue::kind)
            .thenComparing(MemberIssue::reason)
            .thenComparing(MemberIssue::entityKey, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(MemberIssue::hashPrefix, Comparator.nullsLast(Comparator.naturalOrder()));
}
