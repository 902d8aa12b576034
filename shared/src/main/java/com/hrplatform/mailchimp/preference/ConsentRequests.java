package com.hrplatform.mailchimp.preference;

import com.hrplatform.mailchimp.domain.Timestamps;

import java.time.Clock;
import java.util.Collection;
import java.util.List;

/** Asks the consent worker to take a person's no, or their erasure, to every audience of the account. */
public class ConsentRequests {
    private final ConsentJobs jobs;
    private final ConsentQueue queue;
    private final Clock clock;

    public ConsentRequests(ConsentJobs jobs, ConsentQueue queue, Clock clock) {
        this.jobs = jobs;
        this.queue = queue;
        this.clock = clock;
    }

    /** The address is unsubscribed wherever it is subscribed or pending. */
    public void unsubscribeEverywhere(String orgId, String subscriberHash) {
        send(orgId, ConsentMessage.UNSUBSCRIBE, List.of(subscriberHash), null);
    }

    /** The addresses are deleted for good wherever they are; pending jobs that named them are dropped first. */
    public void eraseEverywhere(String orgId, Collection<String> subscriberHashes) {
        eraseEverywhere(orgId, subscriberHashes, null);
    }

    /** As above, for an erasure request: the worker tells the platform once Mailchimp's part is done. */
    public void eraseEverywhere(String orgId, Collection<String> subscriberHashes, ConsentJobs.ErasureRequest erasure) {
        subscriberHashes.forEach(hash -> jobs.deleteForAddress(orgId, hash));
        send(orgId, ConsentMessage.ERASE, subscriberHashes, erasure);
    }

    private void send(String orgId, String action, Collection<String> subscriberHashes, ConsentJobs.ErasureRequest erasure) {
        String job = jobs.create(orgId, action, subscriberHashes, erasure);
        queue.send(new ConsentMessage(orgId, action, job, Timestamps.format(clock.instant()), 0));
    }
}
