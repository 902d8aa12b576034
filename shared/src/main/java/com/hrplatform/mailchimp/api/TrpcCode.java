package com.hrplatform.mailchimp.api;

/** tRPC error codes with their HTTP status and JSON-RPC code, as @trpc/server defines them. */
public enum TrpcCode {
    PARSE_ERROR(400, -32700),
    BAD_REQUEST(400, -32600),
    UNAUTHORIZED(401, -32001),
    FORBIDDEN(403, -32003),
    NOT_FOUND(404, -32004),
    METHOD_NOT_SUPPORTED(405, -32005),
    CONFLICT(409, -32009),
    PRECONDITION_FAILED(412, -32012),
    PAYLOAD_TOO_LARGE(413, -32013),
    TOO_MANY_REQUESTS(429, -32029),
    INTERNAL_SERVER_ERROR(500, -32603),
    SERVICE_UNAVAILABLE(503, -32603),
    GATEWAY_TIMEOUT(504, -32603);

    public final int httpStatus;
    public final int jsonRpcCode;

    TrpcCode(int httpStatus, int jsonRpcCode) {
        this.httpStatus = httpStatus;
        this.jsonRpcCode = jsonRpcCode;
    }
}
