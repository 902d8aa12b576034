package com.hrplatform.mailchimp.preference;

import java.util.List;

/**
 * A message on the consent FIFO queue ({@code MessageGroupId = orgId}): take an opt-out or an erasure to
 * Mailchimp. It names the address only by its subscriber hash (Mailchimp's member id), never the email.
 * {@code unsubscribe} finds the audiences through the memberships when it runs; {@code erase} carries
 * them, because the erasure has already deleted the memberships. {@code generation} counts how often
 * the message was sent again after using up the queue's receive count (see the worker's handler).
 */
public record ConsentMessage(String orgId, String action, String subscriberHash, List<String> listIds,
                             String requestedAt, int generation) {
    public static final String UNSUBSCRIBE = "unsubscribe";
    public static final String ERASE = "erase";

    public ConsentMessage {
        listIds = listIds == null ? List.of() : List.copyOf(listIds);
    }

    public static ConsentMessage unsubscribe(String orgId, String subscriberHash, String requestedAt) {
        return new ConsentMessage(orgId, UNSUBSCRIBE, subscriberHash, List.of(), requestedAt, 0);
    }

    public static ConsentMessage erase(String orgId, String subscriberHash, List<String> listIds, String requestedAt) {
        return new ConsentMessage(orgId, ERASE, subscriberHash, listIds, requestedAt, 0);
    }

    public ConsentMessage nextGeneration() {
        return new ConsentMessage(orgId, action, subscriberHash, listIds, requestedAt, generation + 1);
    }
}
