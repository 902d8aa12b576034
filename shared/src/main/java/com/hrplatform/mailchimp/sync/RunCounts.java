package com.hrplatform.mailchimp.sync;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** What one slice did, counted from the threads that carry out its batches. */
public final class RunCounts {
    /** The run's errors are capped: the dashboard shows a sample, the counts tell the size. */
    public static final int MAX_ERRORS = 50;

    public record MemberError(String entityId, String reason) {
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

    void skip(SkipReason reason) {
        skipped.computeIfAbsent(reason.wire(), key -> new AtomicInteger()).incrementAndGet();
    }

    void fail(String entityId, String reason) {
        failed.incrementAndGet();
        if (errors.size() < MAX_ERRORS) {
            errors.add(new MemberError(entityId, reason));
        }
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
}
