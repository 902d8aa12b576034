package com.hrplatform.mailchimp.sync;

import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.membership.Membership;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The storage a sync run reads and writes, as ports: DynamoDB repositories in Lambda, maps in the property tests. */
public final class SyncStores {
    private SyncStores() {
    }

    /** The org's directory in subscriber-hash order. */
    public interface Directory {
        /** Up to about {@code limit} people after {@code afterHash}, all people of the last hash included. */
        Window window(String orgId, String afterHash, int limit);

        /**
         * The same, read for a sync: besides the fields the decision always uses (ids, address, name, consent) only
         * the directory fields in {@code filterFields} need be filled; a store may leave the others null.
         */
        default Window window(String orgId, String afterHash, int limit, Set<String> filterFields) {
            return window(orgId, afterHash, limit);
        }

        /** Every record of the org with this address, as it is now. */
        List<Contact> withAddress(String orgId, String subscriberHash);

        /** The hashes of the addresses the person ({@code entityType#entityId}) held before their current one. */
        default Set<String> formerHashes(String orgId, String entityKey) {
            return Set.of();
        }

        /** The person with this stable id ({@code entityType#entityId}) as they are now; empty when unknown here. */
        default java.util.Optional<Contact> person(String orgId, String entityKey) {
            return java.util.Optional.empty();
        }
    }

    /**
     * A window of the directory; {@code lastHash} null when it reaches the end. {@code formerHashes}: the hashes of
     * the addresses its people held before, by stable id, for those who changed address (a sync's read only).
     */
    public record Window(List<Contact> people, String lastHash, Map<String, Set<String>> formerHashes) {
        public Window(List<Contact> people, String lastHash) {
            this(people, lastHash, Map.of());
        }
    }

    /** A change of our record of one address: {@code before} as the run read it, {@code after} null to delete. */
    public record MembershipChange(String subscriberHash, Membership before, Membership after) {
    }

    /** What we recorded of each address in each audience. */
    public interface Memberships {
        /** The audience's records after {@code afterHash} (null: from the start) up to {@code toHash} (null: the end). */
        List<Membership> range(String orgId, String listId, String afterHash, String toHash);

        /** Our record of one address in the audience, or null. */
        Membership find(String orgId, String listId, String subscriberHash);

        /**
         * Applies the changes. Each is conditional on the record still being what the run read: a change made
         * meanwhile (a webhook's unsubscribe, an erasure) is not overwritten.
         */
        void apply(String orgId, String listId, Collection<MembershipChange> changes);
    }

    /**
     * Batch intents: before a batch writes to Mailchimp, the run notes the addresses it touches, the signup stamp its
     * adds carry and the addresses it sets pending. If the answer is lost or the worker dies before it recorded what
     * happened, the next attempt asks Mailchimp for those members and rebuilds our record of them exactly: the stamp
     * tells whether our add created a member, the tags which segments it carries (see {@link SliceRunner}).
     */
    public interface Placements {
        record Intent(String stamp, Set<String> hashes, Set<String> pendingHashes) {
        }

        String open(String orgId, String listId, Collection<String> subscriberHashes, Collection<String> pendingHashes,
                    String stamp);

        void close(String orgId, String intentId);

        /** The audience's open intents by id. */
        Map<String, Intent> openIntents(String orgId, String listId);
    }

    /** Consent changes of an org as they happen (opt-outs, opt-ins, erasures), kept for a few days. */
    public interface ConsentJournal {
        enum Kind { OPT_OUT, OPT_IN, ERASURE }

        /** One change: the record it changed ({@code entityType#entityId}) and the consent time it wrote there. */
        record Change(String subscriberHash, Kind kind, String entityKey, String consentAt) {
        }

        /** The org's changes recorded at or after {@code from}, oldest first. */
        List<Change> changesSince(String orgId, Instant from);
    }

    /** Recent address changes of the org's people, oldest first (see {@code membership.AddressMoves}). */
    public interface Moves {
        record Move(String entityKey, String fromEmail, String toEmail) {
        }

        List<Move> recent(String orgId);
    }

    /** Writes what Mailchimp says back into the people's consent. */
    public interface ConsentLedger {
        /**
         * Records an opt-out for the record, unless its consent changed after the run read it (then that newer
         * change wins). Answers whether it was recorded.
         */
        boolean optOutIfUnchanged(String orgId, Contact asRead, String source, String at);

        /** Makes sure the address is unsubscribed in every audience of the account (the consent queue). */
        void unsubscribeEverywhere(String orgId, String subscriberHash);
    }
}
