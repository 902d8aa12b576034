package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.api.TrpcRouter;
import com.hrplatform.mailchimp.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routing and input validation of mailchimp.campaigns.*: every case here is refused before the service
 * is reached (it is null), so a bad input never costs a Mailchimp or DynamoDB call.
 */
class CampaignsApiHandlerTest {
    private final TrpcRouter router = CampaignsApiHandler.routes(null);

    private static APIGatewayV2HTTPEvent event(String method, String procedure, String input) {
        var jwt = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
        jwt.setClaims(Map.of("sub", "u1", "org_id", "org-1", "role", "member"));
        var authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setJwt(jwt);
        var http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath("/trpc/" + procedure);
        var context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setHttp(http);
        context.setAuthorizer(authorizer);
        context.setRequestId("req-1");
        var builder = APIGatewayV2HTTPEvent.builder().withRawPath("/trpc/" + procedure).withRequestContext(context);
        if (method.equals("GET") && input != null) {
            builder.withQueryStringParameters(Map.of("input", input));
        } else if (input != null) {
            builder.withBody(input);
        }
        return builder.build();
    }

    private JsonNode call(String method, String procedure, String input, int expectedStatus) throws Exception {
        APIGatewayV2HTTPResponse response = router.handle(event(method, procedure, input));
        assertEquals(expectedStatus, response.getStatusCode(), response.getBody());
        return Json.read(response.getBody());
    }

    @Test
    void servesTheFiveProceduresOfApiMd() {
        assertEquals(Set.of("mailchimp.campaigns.list", "mailchimp.campaigns.get", "mailchimp.campaigns.recent",
                "mailchimp.campaigns.trackCampaign", "mailchimp.campaigns.refreshStats"), router.procedurePaths());
    }

    @Test
    void trackCampaignNamesMissingAndUnknownFields() throws Exception {
        JsonNode error = call("POST", "mailchimp.campaigns.trackCampaign", "{\"campaignId\":\"abc\"}", 400);
        String message = error.path("error").path("message").asText();
        assertTrue(message.contains("mailchimpCampaignId: required"), message);
        assertTrue(message.contains("campaignId: unknown field"), message);
        assertEquals("BAD_REQUEST", error.path("error").path("data").path("code").asText());
    }

    @Test
    void idsThatCouldEscapeTheMailchimpPathAreRefused() throws Exception {
        String message = call("POST", "mailchimp.campaigns.trackCampaign", "{\"mailchimpCampaignId\":\"../lists\"}", 400)
                .path("error").path("message").asText();
        assertTrue(message.startsWith("Invalid input: mailchimpCampaignId: must be a Mailchimp campaign id"), message);
        call("POST", "mailchimp.campaigns.refreshStats", "{\"id\":\"a b\"}", 400);
        call("GET", "mailchimp.campaigns.get", "{\"id\":\"x?fields=y\"}", 400);
    }

    @Test
    void getAndRefreshNeedAnId() throws Exception {
        assertTrue(call("GET", "mailchimp.campaigns.get", null, 400).path("error").path("message").asText()
                .contains("input: required"));
        assertTrue(call("POST", "mailchimp.campaigns.refreshStats", "{}", 400).path("error").path("message").asText()
                .contains("id: required"));
    }

    @Test
    void listValidatesPaging() throws Exception {
        String message = call("GET", "mailchimp.campaigns.list", "{\"limit\":0,\"status\":\"sent\"}", 400)
                .path("error").path("message").asText();
        assertTrue(message.contains("limit: expected a whole number from 1 to 100"), message);
        assertTrue(message.contains("status: unknown field"), message);
    }

    @Test
    void recentNamesABadLimitAndUnknownFields() throws Exception {
        String message = call("GET", "mailchimp.campaigns.recent", "{\"limit\":51,\"cursor\":\"x\"}", 400)
                .path("error").path("message").asText();
        assertTrue(message.contains("limit: expected a whole number from 1 to 50"), message);
        assertTrue(message.contains("cursor: unknown field"), message);
    }

    @Test
    void mutationsRefuseGet() throws Exception {
        call("GET", "mailchimp.campaigns.trackCampaign", "{\"mailchimpCampaignId\":\"abc\"}", 405);
    }
}
