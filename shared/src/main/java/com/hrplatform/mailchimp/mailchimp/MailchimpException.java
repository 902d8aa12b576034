package com.hrplatform.mailchimp.mailchimp;

/**
 * A Mailchimp call that did not succeed, classified by what the caller can do about it. Messages
 * carry Mailchimp's problem title and detail (never the key or a request body).
 */
public final class MailchimpException extends RuntimeException {

    public enum Kind {
        /** 401, or a JSON 403: the key is wrong, revoked, or lacks access. */
        INVALID_KEY,
        /** 404: the resource does not exist (or no longer does). */
        NOT_FOUND,
        /** 429 still after the retries. */
        RATE_LIMITED,
        /** 5xx or a non-JSON 403/503 still after the retries, or the connection failed. */
        UNAVAILABLE,
        /** No answer within the timeout, still after the retries. */
        TIMEOUT,
        /** Any other 4xx: Mailchimp refused the request itself; retrying will not help. */
        REJECTED
    }

    private final Kind kind;
    private final int status;
    private final String title;
    private final String detail;

    public MailchimpException(Kind kind, int status, String title, String detail) {
        super(kind + " (" + status + "): " + title + (detail == null || detail.isBlank() ? "" : " - " + detail), null, false, false);
        this.kind = kind;
        this.status = status;
        this.title = title;
        this.detail = detail;
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    public boolean isTransient() {
        return kind == Kind.RATE_LIMITED || kind == Kind.UNAVAILABLE || kind == Kind.TIMEOUT;
    }
}
