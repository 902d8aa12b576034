package com.hrplatform.mailchimp.mailchimp;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Bounded retries with exponential backoff and full jitter, for transient Mailchimp failures only. */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Sleeper sleeper) {

    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public static RetryPolicy standard() {
        return new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(4), duration -> Thread.sleep(duration.toMillis()));
    }

    /** Delay before attempt {@code attempt + 1} (attempts count from 1): random in [0, min(max, base * 2^(attempt-1))]. */
    public Duration delayAfter(int attempt, Duration retryAfter) {
        long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 20));
        long jittered = ThreadLocalRandom.current().nextLong(cap + 1);
        if (retryAfter != null) {
            // Mailchimp's Retry-After is a floor; never wait longer than the policy allows.
            jittered = Math.max(jittered, Math.min(retryAfter.toMillis(), maxDelay.toMillis()));
        }
        return Duration.ofMillis(jittered);
    }
}
