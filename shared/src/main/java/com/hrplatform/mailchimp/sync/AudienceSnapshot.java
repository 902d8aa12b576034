package com.hrplatform.mailchimp.sync;

import java.util.HashMap;
import java.util.Map;

/**
 * The members of one audience that are not subscribed, by subscriber hash, as read at the start of a slice. Kept
 * in memory for the slice only: nothing of people outside the org's directory is stored.
 */
public final class AudienceSnapshot {
    public record Entry(AudienceStatus status, String lastChanged) {
    }

    private final Map<String, Entry> members = new HashMap<>();
    private int requests;

    /** How many Mailchimp requests reading it took. */
    public int requests() {
        return requests;
    }

    public void countRequest() {
        requests++;
    }

    public void put(String subscriberHash, AudienceStatus status, String lastChanged) {
        members.put(subscriberHash, new Entry(status, lastChanged));
    }

    /** The member's entry, or an UNKNOWN one when it was not listed (subscribed, or not in the audience). */
    public Entry get(String subscriberHash) {
        Entry entry = members.get(subscriberHash);
        return entry == null ? new Entry(AudienceStatus.UNKNOWN, null) : entry;
    }

    public int size() {
        return members.size();
    }
}
