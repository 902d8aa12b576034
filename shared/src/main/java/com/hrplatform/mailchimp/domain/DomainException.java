package com.hrplatform.mailchimp.domain;

/**
 * A failure the caller can act on, in words written for a person (no secret, no class name, no address). Services
 * throw these; each edge maps them to its own terms: the tRPC API to error codes, the queue workers to retries.
 */
public abstract sealed class DomainException extends RuntimeException
        permits DomainException.NotFound, DomainException.Conflict, DomainException.InvalidInput,
        DomainException.NotConnected {

    protected DomainException(String message) {
        super(message, null, false, false);
    }

    /** The record is absent, or belongs to another org (which must look the same). */
    public static final class NotFound extends DomainException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** The change collides with the record's state, e.g. a sync already running. */
    public static final class Conflict extends DomainException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** A value the caller gave is not acceptable; the message names the field. */
    public static final class InvalidInput extends DomainException {
        public InvalidInput(String field, String problem) {
            super("Invalid input: " + field + ": " + problem);
        }
    }

    /** No Mailchimp account is connected, or its key can no longer be used. */
    public static final class NotConnected extends DomainException {
        public NotConnected(String message) {
            super(message);
        }
    }
}
