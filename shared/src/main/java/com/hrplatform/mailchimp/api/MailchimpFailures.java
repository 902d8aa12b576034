package com.hrplatform.mailchimp.api;

import com.hrplatform.mailchimp.mailchimp.MailchimpException;

/** Turns a failed Mailchimp call into the error a dashboard user sees, in words they can act on. */
public final class MailchimpFailures {
    private MailchimpFailures() {
    }

    public static TrpcException asTrpc(MailchimpException e) {
        return switch (e.kind()) {
            case INVALID_KEY -> TrpcException.preconditionFailed(
                    "Mailchimp no longer accepts the connected API key; reconnect with a valid key");
            case NOT_FOUND -> TrpcException.notFound("Mailchimp has no such resource");
            case RATE_LIMITED -> new TrpcException(TrpcCode.TOO_MANY_REQUESTS,
                    "Mailchimp is limiting requests for this account; try again in a minute");
            case UNAVAILABLE -> new TrpcException(TrpcCode.SERVICE_UNAVAILABLE,
                    "Mailchimp is not available right now; try again shortly");
            case TIMEOUT -> new TrpcException(TrpcCode.GATEWAY_TIMEOUT,
                    "Mailchimp did not answer in time; try again shortly");
            case REJECTED -> TrpcException.badRequest("Mailchimp refused the request: " + e.title());
        };
    }
}
