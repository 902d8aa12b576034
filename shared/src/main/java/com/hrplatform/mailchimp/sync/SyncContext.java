package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.domain.Timestamps;

import java.time.Clock;
import java.util.concurrent.Executor;

/**
 * What a slice works with: the audience port of the org's account, the stores, the pool that carries out
 * batches (a direct executor in the property tests), sizes, and the clock.
 *
 * @param batchSize      addresses per Mailchimp batch (at most 500)
 * @param windowSize     people read from the directory at a time
 * @param batchesInFlight batches carried out at once; the port bounds the requests actually in flight
 * @param backoff        pauses before retrying an add whose answer was lost: attempt to milliseconds
 */
public record SyncContext(AudiencePort audience, SyncStores.Directory directory, SyncStores.Memberships memberships,
                          SyncStores.Placements placements, SyncStores.ConsentJournal journal,
                          SyncStores.ConsentLedger ledger, SyncStores.Moves moves, Executor batches, int batchSize, int windowSize,
                          int batchesInFlight, java.util.function.IntToLongFunction backoff, Clock clock) {

    String now() {
        return Timestamps.format(clock.instant());
    }

    void pause(int attempt) {
        long millis = backoff.applyAsLong(attempt);
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while syncing", e);
        }
    }
}
