package com.hrplatform.mailchimp.mailchimp;

import java.time.Duration;
import java.util.Optional;

/**
 * Mailchimp's limit of simultaneous requests per API key (10), shared by every container of every function: a
 * request holds a slot while it is on the wire. A container's own bound ({@link MailchimpClient}'s per-key
 * semaphore) only covers that container; this covers them all.
 */
public interface KeyBudget {
    /** No shared bound (a single process, or tests of code around the client). */
    KeyBudget UNBOUNDED = (key, within) -> Optional.of(() -> { });

    /** A slot for one request, waiting at most {@code within}; empty when none came free in time. */
    Optional<Slot> acquire(MailchimpApiKey key, Duration within) throws InterruptedException;

    /**
     * A stretch of many requests for the key from this container (a sync's batches): while it is open, a slot whose
     * request ended may be kept a moment for this container's next request instead of being freed and taken again;
     * closing it frees every slot so kept. A slot still carries one request at a time.
     */
    default Session session(MailchimpApiKey key) {
        return () -> { };
    }

    /** A held slot; closing it frees it for the next request (a slot never closed frees itself when its lease ends). */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** See {@link #session}. */
    interface Session extends AutoCloseable {
        @Override
        void close();
    }
}
