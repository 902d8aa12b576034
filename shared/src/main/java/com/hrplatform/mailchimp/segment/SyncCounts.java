package com.hrplatform.mailchimp.segment;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts of one slice, updated from the threads that send batches. */
final class SyncCounts {
    final AtomicInteger added = new AtomicInteger();
    final AtomicInteger updated = new AtomicInteger();
    final AtomicInteger unchanged = new AtomicInteger();
    final AtomicInteger archived = new AtomicInteger();
    final AtomicInteger skippedNoConsent = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger inSegment = new AtomicInteger();
    final AtomicInteger mailchimpRequests = new AtomicInteger();
    final List<SegmentRun.MemberError> errors = new CopyOnWriteArrayList<>();

    int added() {
        return added.get();
    }

    int updated() {
        return updated.get();
    }

    int unchanged() {
        return unchanged.get();
    }

    int archived() {
        return archived.get();
    }

    int skippedNoConsent() {
        return skippedNoConsent.get();
    }

    int failed() {
        return failed.get();
    }

    int inSegment() {
        return inSegment.get();
    }

    int mailchimpRequests() {
        return mailchimpRequests.get();
    }

    List<SegmentRun.MemberError> errors() {
        return errors;
    }

    void fail(String entityId, String reason) {
        failed.incrementAndGet();
        if (errors.size() < SegmentRun.MAX_ERRORS) {
            errors.add(new SegmentRun.MemberError(entityId, reason));
        }
    }
}
