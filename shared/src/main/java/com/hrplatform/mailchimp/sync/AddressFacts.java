package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;

import java.util.List;

/**
 * Everything the decision for one address in one audience looks at, read by a sync run.
 *
 * @param records           the org's directory records with this address (several: a shared mailbox, or one
 *                          person as employee and vendor), in entity-key order; empty when the address left
 * @param erased            an erasure tombstone matches the address
 * @param mailchimp         its status in the audience; {@link AudienceStatus#UNKNOWN} when Mailchimp did not list
 *                          it as anything but subscribed
 * @param mailchimpChangedAt Mailchimp's {@code last_changed} of a listed member (ISO-8601), else null
 * @param ours              what we recorded of the address in this audience, or null
 * @param liveSegments      the org's segments on this audience that are not deleted
 * @param runSegmentId      the segment whose people this run adds; null for a pass that only releases
 */
public record AddressFacts(String subscriberHash, List<Contact> records, boolean erased, AudienceStatus mailchimp,
                           String mailchimpChangedAt, Membership ours, List<SegmentRule> liveSegments,
                           String runSegmentId) {
    public AddressFacts {
        records = List.copyOf(records);
        liveSegments = List.copyOf(liveSegments);
    }

    /** The address as the records or our record spell it (normalised). */
    public String email() {
        return records.isEmpty() ? (ours == null ? null : ours.email()) : records.get(0).email();
    }
}
