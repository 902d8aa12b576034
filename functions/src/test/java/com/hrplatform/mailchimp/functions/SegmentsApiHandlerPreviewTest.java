package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.api.TrpcRouter;
import com.hrplatform.mailchimp.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routing and input validation of mailchimp.segments.preview: refused before the services are reached (they are null),
 * so a bad input costs no Mailchimp or DynamoDB call. What it answers is in SegmentPreviewEndToEndTest.
 */
class SegmentsApiHandlerPreviewTest {
    private final TrpcRouter router = SegmentsApiHandler.routes(null, null);

    private static APIGatewayV2HTTPEvent event(String method, String input) {
        var jwt = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
        jwt.setClaims(Map.of("sub", "u1", "org_id", "org-1", "role", "member"));
        var authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setJwt(jwt);
        var http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath("/trpc/mailchimp.segments.preview");
        var context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setHttp(http);
        context.setAuthorizer(authorizer);
        context.setRequestId("req-1");
        var builder = APIGatewayV2HTTPEvent.builder().withRawPath("/trpc/mailchimp.segments.preview").withRequestContext(context);
        if (method.equals("GET") && input != null) {
            builder.withQueryStringParameters(Map.of("input", input));
        } else if (input != null) {
            builder.withBody(input);
        }
        return builder.build();
    }

    private JsonNode call(String method, String input, int expectedStatus) throws Exception {
        APIGatewayV2HTTPResponse response = router.handle(event(method, input));
        assertEquals(expectedStatus, response.getStatusCode(), response.getBody());
        return Json.read(response.getBody());
    }

    @Test
    void previewIsAQueryAMemberMayAsk() throws Exception {
        assertTrue(router.procedurePaths().contains("mailchimp.segments.preview"));
        assertEquals("METHOD_NOT_SUPPORTED", call("POST", "{\"id\":\"s1\"}", 405).path("error").path("data").path("code").asText());
    }

    @Test
    void previewNamesAMissingOrUnknownField() throws Exception {
        JsonNode error = call("GET", "{\"segmentId\":\"s1\"}", 400);
        String message = error.path("error").path("message").asText();
        assertTrue(message.contains("id: required"), message);
        assertTrue(message.contains("segmentId: unknown field"), message);
        assertEquals("BAD_REQUEST", error.path("error").path("data").path("code").asText());
        assertTrue(call("GET", null, 400).path("error").path("message").asText().contains("input: required"));
    }
}
