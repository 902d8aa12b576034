package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a sync does for one address in one audience, as {@link AddressDecision} decided it. A run executes it:
 * the write first, then tags, then the archive; our record follows what Mailchimp accepted.
 *
 * @param write       the member write to send
 * @param sendStatus  the status a write sets: {@code subscribed} or {@code pending} (new consent after an
 *                    unsubscribe), {@code unsubscribed} (the address said no); null leaves the status alone
 * @param fields      the record whose directory fields become the member's merge fields, or null
 * @param digest      what {@code fields} amount to, to tell later whether they changed
 * @param tagAdds     live segments whose tag the member gets
 * @param tagRemoves  live segments whose tag the member loses
 * @param tagForgets  segments no longer on this audience: dropped from our record (their tag goes as a whole)
 * @param archive     archive the member (we placed it and no live segment selects it)
 * @param skip        why the run's segment leaves the address out or as it is; null when it does not
 * @param optOuts     records to mark opted out: Mailchimp's unsubscribe came after their last consent
 * @param optOutAt    when Mailchimp changed the member (the opt-out's time)
 * @param learned     a status to store in our record because Mailchimp reports it; null: none
 * @param runSelects  the run's segment selects the address (consent aside)
 * @param runWants    the run's segment selects it and its consent allows that segment
 * @param mergeFields the merge field values the write sends (tag to value, the audience's mapping of {@code fields}),
 *                    or null with {@code fields}
 */
public record AddressPlan(String subscriberHash, String email, Write write, String sendStatus, Contact fields,
                          String digest, Set<String> tagAdds, Set<String> tagRemoves, Set<String> tagForgets,
                          boolean archive, SkipReason skip, List<Contact> optOuts, String optOutAt, String learned,
                          boolean runSelects, boolean runWants, Map<String, String> mergeFields) {

    public enum Write {
        NONE,
        /** Add a new member ({@code update_existing: false}): tells whether it was absent, so we know we placed it. */
        CREATE,
        /** Change an existing member ({@code update_existing: true}). */
        UPDATE
    }

    public AddressPlan {
        tagAdds = Set.copyOf(tagAdds);
        tagRemoves = Set.copyOf(tagRemoves);
        tagForgets = Set.copyOf(tagForgets);
        optOuts = List.copyOf(optOuts);
        mergeFields = mergeFields == null ? null : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(mergeFields));
    }

    /** A plan whose fields travel under the default mapping (FNAME, LNAME). */
    public AddressPlan(String subscriberHash, String email, Write write, String sendStatus, Contact fields,
                       String digest, Set<String> tagAdds, Set<String> tagRemoves, Set<String> tagForgets,
                       boolean archive, SkipReason skip, List<Contact> optOuts, String optOutAt, String learned,
                       boolean runSelects, boolean runWants) {
        this(subscriberHash, email, write, sendStatus, fields, digest, tagAdds, tagRemoves, tagForgets, archive, skip,
                optOuts, optOutAt, learned, runSelects, runWants,
                fields == null ? null : com.hrplatform.mailchimp.mapping.MergeFieldMapping.DEFAULT.values(fields));
    }

    /** Whether carrying this out takes a Mailchimp request. */
    public boolean needsMailchimp() {
        return write != Write.NONE || !tagAdds.isEmpty() || !tagRemoves.isEmpty() || archive;
    }

    /** Whether it may put the address in front of Mailchimp's senders (consent is checked again before). */
    public boolean sends() {
        return write != Write.NONE && !"unsubscribed".equals(sendStatus) || !tagAdds.isEmpty();
    }

    /** Whether there is anything to do at all, in Mailchimp or in our records. */
    public boolean isNoop() {
        return !needsMailchimp() && tagForgets.isEmpty() && optOuts.isEmpty() && learned == null;
    }
}
