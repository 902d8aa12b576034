package com.hrplatform.mailchimp.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One time-boxed slice of a pass over an audience. An {@link AddressWalk} reads the audience's members that are not
 * subscribed, then walks the org's directory and our records of the audience together in subscriber-hash order,
 * window by window, and decides each address ({@link AddressDecision}); the slice hands the decisions in batches to
 * a {@link BatchExecutor}, a few at a time. The slice only executes decisions; re-running it converges to the same
 * audience. The preview ({@link SyncPreview}) walks the same way and executes nothing.
 */
public final class SliceRunner {
    /** Archives are one request each: fewer of them per batch keeps batches of similar length. */
    private static final int ARCHIVES_PER_BATCH = 50;
    /** Addresses that only change our records, per batch. */
    private static final int ITEMS_PER_BATCH = 2000;

    private final SyncContext context;

    public SliceRunner(SyncContext context) {
        this.context = context;
    }

    /** What the slice did; {@code afterHash} is where the next slice starts (null once the pass is finished). */
    public record Result(RunCounts counts, String afterHash, boolean finished) {
    }

    public Result run(SyncPass pass, String startAfterHash, Instant deadline) {
        RunCounts counts = new RunCounts();
        Pipeline pipeline = new Pipeline(new BatchExecutor(pass, context, counts));
        AddressWalk.End end;
        // The batches' requests follow each other closely: the key budget keeps their slots between them.
        try (AudiencePort.Session session = context.audience().session()) {
            try {
                end = new AddressWalk(context).walk(pass, startAfterHash, deadline, counts, new AddressWalk.Visitor() {
                    @Override
                    public void visit(AddressFacts facts, AddressPlan plan, String now) {
                        pipeline.add(facts, plan, counts, pass.runSegmentId(), now);
                    }

                    @Override
                    public boolean stopped() {
                        return pipeline.failed();
                    }
                });
                pipeline.flush();
            } finally {
                pipeline.awaitAll();
            }
        }
        pipeline.rethrow();
        return new Result(counts, end.afterHash(), end.finished());
    }

    /**
     * The change path: the same decision and execution as {@link #run}, for the given addresses only (the directory
     * changed for them lately; {@link AddressWalk#walkAddresses}). Re-running it converges like a slice does.
     */
    public Result runAddresses(SyncPass pass, Collection<String> subscriberHashes) {
        RunCounts counts = new RunCounts();
        Pipeline pipeline = new Pipeline(new BatchExecutor(pass, context, counts));
        try (AudiencePort.Session session = context.audience().session()) {
            try {
                new AddressWalk(context).walkAddresses(pass, subscriberHashes, counts,
                        (facts, plan, now) -> pipeline.add(facts, plan, counts, pass.runSegmentId(), now));
                pipeline.flush();
            } finally {
                pipeline.awaitAll();
            }
        }
        pipeline.rethrow();
        return new Result(counts, null, true);
    }

    /** Fills batches and carries them out a few at a time; the first failure stops the slice. */
    private final class Pipeline {
        private final BatchExecutor executor;
        private final Semaphore inFlight;
        /** The first failure of a batch: an Error too, which must end the slice as it would a single thread. */
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private List<BatchExecutor.Item> batch = new ArrayList<>();
        private int writes;
        private int archives;

        Pipeline(BatchExecutor executor) {
            this.executor = executor;
            this.inFlight = new Semaphore(context.batchesInFlight());
        }

        /** @param now the window's time: a no-op changes no record, so it needs no time of its own */
        void add(AddressFacts facts, AddressPlan plan, RunCounts counts, String runSegmentId, String now) {
            BatchExecutor.Item item = new BatchExecutor.Item(facts, plan);
            if (plan.isNoop()) {
                new MemberProgress(item, null, now).count(counts, runSegmentId);
                return;
            }
            batch.add(item);
            if (plan.needsMailchimp() && !plan.archive()) {
                writes++;
            }
            if (plan.archive()) {
                archives++;
            }
            if (writes >= context.batchSize() || archives >= ARCHIVES_PER_BATCH || batch.size() >= ITEMS_PER_BATCH) {
                flush();
            }
        }

        void flush() {
            if (batch.isEmpty() || failed()) {
                return;
            }
            List<BatchExecutor.Item> items = batch;
            batch = new ArrayList<>();
            writes = 0;
            archives = 0;
            inFlight.acquireUninterruptibly();
            java.time.Instant callDeadline = com.hrplatform.mailchimp.mailchimp.CallDeadline.current().orElse(null);
            try {
                context.batches().execute(() -> {
                    try {
                        if (!failed()) {
                            // The invocation's deadline holds on the pool's threads too.
                            if (callDeadline == null) {
                                executor.execute(items);
                            } else {
                                com.hrplatform.mailchimp.mailchimp.CallDeadline.within(callDeadline, () -> {
                                    executor.execute(items);
                                    return null;
                                });
                            }
                        }
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        inFlight.release();
                    }
                });
            } catch (RuntimeException rejected) {
                inFlight.release();
                throw rejected;
            }
        }

        boolean failed() {
            return failure.get() != null;
        }

        void awaitAll() {
            inFlight.acquireUninterruptibly(context.batchesInFlight());
            inFlight.release(context.batchesInFlight());
        }

        void rethrow() {
            Throwable e = failure.get();
            if (e instanceof Error error) {
                throw error;
            }
            if (e != null) {
                throw (RuntimeException) e;
            }
        }
    }
}
