package com.hrplatform.mailchimp.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.mailchimp.MailchimpException;

import static com.hrplatform.mailchimp.api.ApiEvents.claims;
import static com.hrplatform.mailchimp.api.ApiEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrpcRouterTest {
    private final AtomicReference<Identity> seenIdentity = new AtomicReference<>();
    private final TrpcRouter router = new TrpcRouter()
            .query("demo.echo", Role.MEMBER, (identity, input) -> {
                seenIdentity.set(identity);
                Input reader = Input.of(input);
                String name = reader.requiredString("name", 10);
                int limit = reader.optionalInt("limit", 1, 100).orElse(20);
                reader.validate();
                return Map.of("name", name, "limit", limit);
            })
            .mutation("demo.admin", Role.ADMIN, (identity, input) -> Map.of("success", true))
            .query("demo.nothing", Role.MEMBER, (identity, input) -> null)
            .query("demo.broken", Role.MEMBER, (identity, input) -> {
                throw new IllegalStateException("secret-key-0123 leaked");
            })
            .query("demo.domain", Role.MEMBER, (identity, input) -> {
                throw switch (Input.of(input).requiredString("kind", 20)) {
                    case "notFound" -> new DomainException.NotFound("No segment with id x");
                    case "conflict" -> new DomainException.Conflict("A sync of this segment is already running");
                    case "invalid" -> new DomainException.InvalidInput("mailchimpListId", "not an audience");
                    case "notConnected" -> new DomainException.NotConnected("No Mailchimp account is connected");
                    default -> new MailchimpException(MailchimpException.Kind.RATE_LIMITED, 429, "Too Many Requests", null);
                };
            });

    private static JsonNode body(APIGatewayV2HTTPResponse response) throws Exception {
        return Json.read(response.getBody());
    }

    private static void assertError(APIGatewayV2HTTPResponse response, TrpcCode code, String path) throws Exception {
        assertEquals(code.httpStatus, response.getStatusCode());
        JsonNode error = body(response).path("error");
        assertEquals(code.jsonRpcCode, error.path("code").asInt());
        assertEquals(code.name(), error.path("data").path("code").asText());
        assertEquals(code.httpStatus, error.path("data").path("httpStatus").asInt());
        assertEquals(path, error.path("data").path("path").asText());
        assertFalse(error.path("message").asText().isBlank());
    }

    @Test
    void queryAnswersResultDataWithTheCallersIdentity() throws Exception {
        var response = router.handle(event("GET", "demo.echo", claims("org-1", "member"),
                Map.of("input", "{\"name\":\"Ada\",\"limit\":5}"), null));
        assertEquals(200, response.getStatusCode());
        assertEquals("application/json", response.getHeaders().get("content-type"));
        assertEquals("Ada", body(response).path("result").path("data").path("name").asText());
        assertEquals(5, body(response).path("result").path("data").path("limit").asInt());
        assertEquals("org-1", seenIdentity.get().orgId());
        assertEquals(Role.MEMBER, seenIdentity.get().role());
    }

    @Test
    void nullOutputIsSerialisedAsNullData() throws Exception {
        var response = router.handle(event("GET", "demo.nothing", claims("org-1", "member"), null, null));
        assertEquals(200, response.getStatusCode());
        assertTrue(body(response).path("result").has("data"));
        assertTrue(body(response).path("result").path("data").isNull());
    }

    @Test
    void domainFailuresBecomeTrpcCodesOnlyHereAtTheEdge() throws Exception {
        Map<String, TrpcCode> expected = Map.of("notFound", TrpcCode.NOT_FOUND, "conflict", TrpcCode.CONFLICT,
                "invalid", TrpcCode.BAD_REQUEST, "notConnected", TrpcCode.PRECONDITION_FAILED,
                "mailchimp", TrpcCode.TOO_MANY_REQUESTS);
        for (var kind : expected.entrySet()) {
            var response = router.handle(event("GET", "demo.domain", claims("org-1", "member"),
                    Map.of("input", "{\"kind\":\"" + kind.getKey() + "\"}"), null));
            assertError(response, kind.getValue(), "demo.domain");
        }
        var invalid = router.handle(event("GET", "demo.domain", claims("org-1", "member"),
                Map.of("input", "{\"kind\":\"invalid\"}"), null));
        assertEquals("Invalid input: mailchimpListId: not an audience", body(invalid).path("error").path("message").asText());
    }

    @Test
    void unknownProcedureIsNotFound() throws Exception {
        assertError(router.handle(event("GET", "demo.missing", claims("org-1", "member"), null, null)),
                TrpcCode.NOT_FOUND, "demo.missing");
    }

    @Test
    void wrongMethodIsMethodNotSupported() throws Exception {
        assertError(router.handle(event("POST", "demo.echo", claims("org-1", "member"), null, "{}")),
                TrpcCode.METHOD_NOT_SUPPORTED, "demo.echo");
        assertError(router.handle(event("GET", "demo.admin", claims("org-1", "admin"), null, null)),
                TrpcCode.METHOD_NOT_SUPPORTED, "demo.admin");
    }

    @Test
    void missingClaimsAreUnauthorizedAndUnknownRolesForbidden() throws Exception {
        assertError(router.handle(event("GET", "demo.nothing", null, null, null)), TrpcCode.UNAUTHORIZED, "demo.nothing");
        assertError(router.handle(event("GET", "demo.nothing", Map.of("sub", "u", "role", "admin"), null, null)),
                TrpcCode.UNAUTHORIZED, "demo.nothing");
        assertError(router.handle(event("GET", "demo.nothing", claims("org-1", "owner"), null, null)),
                TrpcCode.FORBIDDEN, "demo.nothing");
    }

    @Test
    void memberCannotCallAnAdminProcedure() throws Exception {
        assertError(router.handle(event("POST", "demo.admin", claims("org-1", "member"), null, "{}")),
                TrpcCode.FORBIDDEN, "demo.admin");
        assertEquals(200, router.handle(event("POST", "demo.admin", claims("org-1", "admin"), null, "{}")).getStatusCode());
    }

    @Test
    void malformedJsonIsParseError() throws Exception {
        assertError(router.handle(event("GET", "demo.echo", claims("org-1", "member"), Map.of("input", "{name:"), null)),
                TrpcCode.PARSE_ERROR, "demo.echo");
        assertError(router.handle(event("POST", "demo.admin", claims("org-1", "admin"), null, "[1,")),
                TrpcCode.PARSE_ERROR, "demo.admin");
    }

    @Test
    void badInputNamesEveryBadField() throws Exception {
        var response = router.handle(event("GET", "demo.echo", claims("org-1", "member"),
                Map.of("input", "{\"name\":\"far too long a name\",\"limit\":0,\"colour\":\"red\"}"), null));
        assertError(response, TrpcCode.BAD_REQUEST, "demo.echo");
        String message = body(response).path("error").path("message").asText();
        assertTrue(message.contains("name: at most 10 characters"), message);
        assertTrue(message.contains("limit: expected a whole number from 1 to 100"), message);
        assertTrue(message.contains("colour: unknown field"), message);
    }

    @Test
    void missingInputIsBadRequest() throws Exception {
        var response = router.handle(event("GET", "demo.echo", claims("org-1", "member"), null, null));
        assertError(response, TrpcCode.BAD_REQUEST, "demo.echo");
        assertTrue(body(response).path("error").path("message").asText().contains("input: required"));
    }

    @Test
    void unexpectedErrorsHideTheirMessage() throws Exception {
        var response = router.handle(event("GET", "demo.broken", claims("org-1", "member"), null, null));
        assertError(response, TrpcCode.INTERNAL_SERVER_ERROR, "demo.broken");
        assertFalse(response.getBody().contains("secret-key"));
        assertFalse(response.getBody().contains("IllegalStateException"));
    }

    @Test
    void oversizedBodyIsPayloadTooLarge() throws Exception {
        String big = "{\"x\":\"" + "a".repeat(TrpcRouter.MAX_BODY_BYTES) + "\"}";
        assertError(router.handle(event("POST", "demo.admin", claims("org-1", "admin"), null, big)),
                TrpcCode.PAYLOAD_TOO_LARGE, "demo.admin");
    }

    @Test
    void procedurePathsListsTheRouter() {
        assertEquals(java.util.Set.of("demo.echo", "demo.admin", "demo.nothing", "demo.broken", "demo.domain"),
                router.procedurePaths());
        assertNull(router.procedurePaths().stream().filter(p -> p.equals("demo.missing")).findAny().orElse(null));
    }
}
