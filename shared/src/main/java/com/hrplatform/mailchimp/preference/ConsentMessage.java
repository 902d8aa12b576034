package com.hrplatform.mailchimp.preference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A message on the consent FIFO queue ({@code MessageGroupId = orgId}): take job {@code job} (an opt-out or an
 * erasure, see {@link ConsentJobs}) to Mailchimp. It names no address, not even by hash. {@code generation} counts
 * how often the message was sent again after using up the queue's receive count (see the worker's handler).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConsentMessage(String orgId, String action, String job, String requestedAt, int generation) {
    public static final String UNSUBSCRIBE = "unsubscribe";
    public static final String ERASE = "erase";

    public ConsentMessage nextGeneration() {
        return new ConsentMessage(orgId, action, job, requestedAt, generation + 1);
    }
}
