package com.hrplatform.mailchimp.api;

/**
 * An error a caller is meant to see. The message goes to the client as is, so it must be written for
 * a person and carry no secret, stack trace or class name.
 */
public class TrpcException extends RuntimeException {
    private final TrpcCode code;

    public TrpcException(TrpcCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public TrpcCode code() {
        return code;
    }

    public static TrpcException notFound(String message) {
        return new TrpcException(TrpcCode.NOT_FOUND, message);
    }

    public static TrpcException badRequest(String message) {
        return new TrpcException(TrpcCode.BAD_REQUEST, message);
    }

    public static TrpcException preconditionFailed(String message) {
        return new TrpcException(TrpcCode.PRECONDITION_FAILED, message);
    }

    public static TrpcException conflict(String message) {
        return new TrpcException(TrpcCode.CONFLICT, message);
    }
}
