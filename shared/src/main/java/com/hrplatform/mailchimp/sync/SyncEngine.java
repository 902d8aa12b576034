package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * Runs slices: binds the Mailchimp audiences of an account to one run's request limit and the stores, and
 * hands the slice to a {@link SliceRunner}. Built once per container.
 */
public final class SyncEngine {
    private final MailchimpAudiences audiences;
    private final SyncStores.Directory directory;
    private final SyncStores.Memberships memberships;
    private final SyncStores.Placements placements;
    private final SyncStores.ConsentJournal journal;
    private final SyncStores.ConsentLedger ledger;
    private final SyncStores.Moves moves;
    private final ExecutorService pool;
    private final Settings settings;
    private final Clock clock;

    /**
     * @param concurrency Mailchimp requests one run keeps in flight (Mailchimp allows 10 per key in all)
     * @param batchSize   addresses per Mailchimp batch (at most 500)
     * @param windowSize  people read from the directory at a time
     */
    public record Settings(int concurrency, int batchSize, int windowSize) {
    }

    public SyncEngine(MailchimpAudiences audiences, SyncStores.Directory directory, SyncStores.Memberships memberships,
                      SyncStores.Placements placements, SyncStores.ConsentJournal journal, SyncStores.ConsentLedger ledger,
                      SyncStores.Moves moves, ExecutorService pool, Settings settings, Clock clock) {
        this.moves = moves;
        this.audiences = audiences;
        this.directory = directory;
        this.memberships = memberships;
        this.placements = placements;
        this.journal = journal;
        this.ledger = ledger;
        this.pool = pool;
        this.settings = settings;
        this.clock = clock;
    }

    /** The account's audiences for one slice: at most {@code concurrency} of its requests in flight. */
    public AudiencePort audience(MailchimpApiKey key) {
        return audiences.forKey(key, new Semaphore(settings.concurrency()));
    }

    public SliceRunner.Result run(AudiencePort audience, SyncPass pass, String afterHash, Instant deadline) {
        // A few batches more than request slots: the next batch is ready when a slot frees up.
        SyncContext context = new SyncContext(audience, directory, memberships, placements, journal, ledger, moves, pool,
                settings.batchSize(), settings.windowSize(), settings.concurrency() * 2, attempt -> 250L << attempt, clock);
        return new SliceRunner(context).run(pass, afterHash, deadline);
    }

    /** The change path: {@link SliceRunner#runAddresses} for the addresses that changed lately. */
    public SliceRunner.Result runAddresses(AudiencePort audience, SyncPass pass, java.util.Collection<String> subscriberHashes) {
        SyncContext context = new SyncContext(audience, directory, memberships, placements, journal, ledger, moves, pool,
                settings.batchSize(), settings.windowSize(), settings.concurrency() * 2, attempt -> 250L << attempt, clock);
        return new SliceRunner(context).runAddresses(pass, subscriberHashes);
    }

    public Instant now() {
        return clock.instant();
    }
}
