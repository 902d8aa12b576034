package com.hrplatform.mailchimp.mailchimp;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The time by which the current invocation must have its answer, for the Mailchimp calls made on this thread: the
 * client starts no attempt it cannot finish and shortens the last one, so an API call answers a tRPC error before
 * API Gateway's 30 s, and a queue worker keeps time to hand back what it did not get to.
 */
public final class CallDeadline {
    private static final ThreadLocal<Instant> DEADLINE = new ThreadLocal<>();

    private CallDeadline() {
    }

    /** Runs {@code work} with calls on this thread bounded by {@code deadline} (nested deadlines keep the earlier). */
    public static <T> T within(Instant deadline, Supplier<T> work) {
        Instant outer = DEADLINE.get();
        DEADLINE.set(outer != null && outer.isBefore(deadline) ? outer : deadline);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                DEADLINE.remove();
            } else {
                DEADLINE.set(outer);
            }
        }
    }

    public static Optional<Instant> current() {
        return Optional.ofNullable(DEADLINE.get());
    }
}
