package com.hrplatform.mailchimp.local.coldstart;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.hrplatform.mailchimp.functions.ConnectionApiHandler;
import com.hrplatform.mailchimp.local.LocalContext;

import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Child JVM of {@link ColdStartProbe}: builds {@code new ConnectionApiHandler()} (as Lambda's init does) and
 * serves one {@code GET /trpc/mailchimp.connection.get} event for the org named by the first argument, then
 * prints one {@code COLDSTART ...} line with milliseconds since JVM start. Nothing else is loaded before the
 * answer: the JVM's start time is read only afterwards.
 */
public final class HandlerColdStart {
    private HandlerColdStart() {
    }

    public static void main(String[] args) {
        long mainAt = System.currentTimeMillis();
        ConnectionApiHandler handler = new ConnectionApiHandler();
        long builtAt = System.currentTimeMillis();
        APIGatewayV2HTTPResponse response = handler.handleRequest(event(args[0]), new LocalContext("cold-start-probe", "ConnectionFunction", 1024, 29));
        long answeredAt = System.currentTimeMillis();
        String body = response.getBody();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        System.out.println("COLDSTART kind=handler jvmStart=" + jvmStart + " main=" + (mainAt - jvmStart)
                + " built=" + (builtAt - jvmStart) + " answered=" + (answeredAt - jvmStart) + " classes=" + classes
                + " status=" + response.getStatusCode() + " body=" + body);
        System.out.flush();
        System.out.println("COLDSTART-END printed=" + (System.currentTimeMillis() - jvmStart));
        System.out.flush();
        // Like Lambda after the response: freeze, here exit (Powertools metrics must not hold the JVM).
        Runtime.getRuntime().halt(response.getStatusCode() == 200 ? 0 : 3);
    }

    static APIGatewayV2HTTPEvent event(String orgId) {
        var jwt = new APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT();
        jwt.setClaims(Map.of("sub", "member-" + orgId, "org_id", orgId, "role", "member"));
        var authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setJwt(jwt);
        var http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod("GET");
        http.setPath("/trpc/mailchimp.connection.get");
        var requestContext = new APIGatewayV2HTTPEvent.RequestContext();
        requestContext.setHttp(http);
        requestContext.setAuthorizer(authorizer);
        requestContext.setRequestId("cold-start-probe");
        requestContext.setRouteKey("GET /trpc/mailchimp.connection.get");
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("GET /trpc/mailchimp.connection.get")
                .withRawPath("/trpc/mailchimp.connection.get")
                .withRawQueryString("")
                .withHeaders(Map.of("authorization", "Bearer (checked by API Gateway)"))
                .withRequestContext(requestContext)
                .build();
    }
}
