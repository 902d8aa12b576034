package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.config.Env;

import java.time.Duration;

/**
 * Tuning of the sync worker. {@code concurrency} is how many Mailchimp requests one sync keeps in
 * flight; with one sync per org at a time (FIFO group) it stays well under Mailchimp's 10 per key.
 */
public record SyncSettings(int concurrency, int batchSize, int windowSize, Duration sliceBudget, Duration lease) {
    public static final int MAILCHIMP_BATCH_LIMIT = 500;

    public static SyncSettings fromEnv() {
        return new SyncSettings(
                Env.intValue("SYNC_CONCURRENCY", 4),
                Math.min(MAILCHIMP_BATCH_LIMIT, Env.intValue("SYNC_BATCH_SIZE", MAILCHIMP_BATCH_LIMIT)),
                Env.intValue("SYNC_WINDOW_SIZE", 1000),
                Duration.ofSeconds(Env.intValue("SYNC_SLICE_SECONDS", 120)),
                Duration.ofSeconds(Env.intValue("SYNC_LEASE_SECONDS", 900)));
    }

    /**
     * How long the change path lets a burst gather after its first change before applying it
     * ({@code CHANGE_DEBOUNCE_SECONDS}, 5): a burst becomes a few claims instead of one per change.
     */
    public Duration changeDebounce() {
        return Duration.ofSeconds(Env.intValue("CHANGE_DEBOUNCE_SECONDS", 5));
    }
}
