package com.hrplatform.mailchimp.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.json.JsonOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * tRPC's HTTP wire format on API Gateway HTTP API (payload v2) events: {@code GET /trpc/<path>?input=<json>}
 * for queries, {@code POST /trpc/<path>} with a JSON body for mutations, answers
 * {@code {"result":{"data":...}}} or the error envelope of api.md.
 */
public final class TrpcRouter {
    static final String PREFIX = "/trpc/";
    static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(TrpcRouter.class);
    private static final Map<String, String> JSON_HEADERS = Map.of("content-type", "application/json");

    private final Map<String, Procedure> procedures = new LinkedHashMap<>();

    public TrpcRouter query(String path, Role role, Procedure.Body body) {
        return add(new Procedure(path, ProcedureType.QUERY, role, body));
    }

    public TrpcRouter mutation(String path, Role role, Procedure.Body body) {
        return add(new Procedure(path, ProcedureType.MUTATION, role, body));
    }

    private TrpcRouter add(Procedure procedure) {
        if (procedures.putIfAbsent(procedure.path(), procedure) != null) {
            throw new IllegalArgumentException("Procedure defined twice: " + procedure.path());
        }
        return this;
    }

    public Set<String> procedurePaths() {
        return Collections.unmodifiableSet(procedures.keySet());
    }

    public APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        String path = procedurePath(event);
        try {
            Identity identity = Identity.fromClaims(claims(event));
            Procedure procedure = procedures.get(path);
            if (procedure == null) {
                throw TrpcException.notFound("No procedure found on path \"" + path + "\"");
            }
            String method = method(event);
            if (!procedure.type().httpMethod.equals(method)) {
                throw new TrpcException(TrpcCode.METHOD_NOT_SUPPORTED, "Unsupported " + method + "-request to "
                        + procedure.type().name().toLowerCase() + " procedure at path \"" + path + "\"");
            }
            if (!identity.role().satisfies(procedure.requiredRole())) {
                throw new TrpcException(TrpcCode.FORBIDDEN, "This action needs the admin role");
            }
            JsonNode input = procedure.type() == ProcedureType.QUERY ? queryInput(event) : bodyInput(event);
            Object output = procedure.body().call(identity, input);
            return respond(200, new Success(new Result(output)));
        } catch (TrpcException | DomainException | MailchimpException e) {
            TrpcException mapped = asTrpc(e);
            if (mapped.code().httpStatus >= 500) {
                LOG.warn("Procedure failed", entry("path", path), entry("code", mapped.code().name()));
            }
            return error(mapped.code(), mapped.getMessage(), path);
        } catch (RuntimeException e) {
            // No stack trace and no exception message: either may carry data that must not be logged.
            LOG.error("Unexpected error", entry("path", path), entry("errorType", e.getClass().getName()));
            return error(TrpcCode.INTERNAL_SERVER_ERROR, "Something went wrong on our side; please try again", path);
        }
    }

    /** Domain and Mailchimp failures in the wire's terms: the only place they meet tRPC codes. */
    static TrpcException asTrpc(RuntimeException e) {
        if (e instanceof TrpcException trpc) {
            return trpc;
        }
        if (e instanceof MailchimpException mailchimp) {
            return MailchimpFailures.asTrpc(mailchimp);
        }
        TrpcCode code = e instanceof DomainException.NotFound ? TrpcCode.NOT_FOUND
                : e instanceof DomainException.Conflict ? TrpcCode.CONFLICT
                : e instanceof DomainException.InvalidInput ? TrpcCode.BAD_REQUEST
                : TrpcCode.PRECONDITION_FAILED; // NotConnected: the sealed hierarchy has no other
        return new TrpcException(code, e.getMessage());
    }

    private static String procedurePath(APIGatewayV2HTTPEvent event) {
        String raw = event.getRawPath() == null ? "" : event.getRawPath();
        return raw.startsWith(PREFIX) ? raw.substring(PREFIX.length()) : raw;
    }

    private static String method(APIGatewayV2HTTPEvent event) {
        var context = event.getRequestContext();
        return context == null || context.getHttp() == null ? "" : context.getHttp().getMethod();
    }

    private static Map<String, String> claims(APIGatewayV2HTTPEvent event) {
        var context = event.getRequestContext();
        if (context == null || context.getAuthorizer() == null || context.getAuthorizer().getJwt() == null) {
            return null;
        }
        return context.getAuthorizer().getJwt().getClaims();
    }

    private static JsonNode queryInput(APIGatewayV2HTTPEvent event) {
        Map<String, String> params = event.getQueryStringParameters();
        String input = params == null ? null : params.get("input");
        return input == null ? null : parse(input);
    }

    private static JsonNode bodyInput(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null || body.isEmpty()) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = event.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new TrpcException(TrpcCode.PARSE_ERROR, "The request body is not valid base64");
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new TrpcException(TrpcCode.PAYLOAD_TOO_LARGE, "The request body is larger than 1 MiB");
        }
        return bytes.length == 0 ? null : parse(new String(bytes, StandardCharsets.UTF_8));
    }

    private static JsonNode parse(String text) {
        if (text.length() > MAX_BODY_BYTES) {
            throw new TrpcException(TrpcCode.PAYLOAD_TOO_LARGE, "The input is larger than 1 MiB");
        }
        try {
            return Json.read(text);
        } catch (JsonProcessingException e) {
            throw new TrpcException(TrpcCode.PARSE_ERROR, "The input is not valid JSON");
        }
    }

    public static APIGatewayV2HTTPResponse error(TrpcCode code, String message, String path) {
        return respond(code.httpStatus,
                new Failure(new Error(message, code.jsonRpcCode, new ErrorData(code.name(), code.httpStatus, path))));
    }

    private static APIGatewayV2HTTPResponse respond(int status, Object envelope) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(status)
                .withHeaders(JSON_HEADERS)
                .withBody(JsonOut.write(envelope))
                .build();
    }

    // The envelopes of api.md, written by JsonOut (no ObjectMapper on the answer path: see JsonOut).
    private record Success(Result result) {
    }

    private record Result(Object data) {
    }

    private record Failure(Error error) {
    }

    private record Error(String message, int code, ErrorData data) {
    }

    private record ErrorData(String code, int httpStatus, String path) {
    }
}
