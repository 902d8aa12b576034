package com.hrplatform.mailchimp.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import java.util.HashMap;
import java.util.Map;

/** API Gateway HTTP API (v2) events as the gateway builds them after its JWT authorizer. */
public final class ApiEvents {
    private ApiEvents() {
    }

    public static APIGatewayV2HTTPEvent event(String method, String procedure, Map<String, String> claims,
                                              Map<String, String> query, String body) {
        var http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method);
        http.setPath("/trpc/" + procedure);
        var requestContext = new APIGatewayV2HTTPEvent.RequestContext();
        requestContext.setHttp(http);
        requestContext.setRequestId("req-1");
        if (claims != null) {
            var jwt = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
            jwt.setClaims(claims);
            var authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
            authorizer.setJwt(jwt);
            requestContext.setAuthorizer(authorizer);
        }
        return APIGatewayV2HTTPEvent.builder()
                .withRawPath("/trpc/" + procedure)
                .withQueryStringParameters(query == null ? null : new HashMap<>(query))
                .withBody(body)
                .withRequestContext(requestContext)
                .build();
    }

    public static Map<String, String> claims(String orgId, String role) {
        return Map.of("sub", "user-" + orgId, "org_id", orgId, "role", role);
    }
}
