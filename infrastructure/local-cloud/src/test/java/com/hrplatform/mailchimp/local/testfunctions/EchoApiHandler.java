package com.hrplatform.mailchimp.local.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/** Test API handler: records each event, answers 201 with headers, multi-value headers and a cookie. */
public class EchoApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    public static final ConcurrentLinkedDeque<APIGatewayV2HTTPEvent> EVENTS = new ConcurrentLinkedDeque<>();

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        EVENTS.add(event);
        if (event.getRawPath().equals("/boom")) {
            throw new IllegalStateException("boom for test");
        }
        if (event.getRawPath().equals("/public/binary-response")) {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                    .withHeaders(Map.of("content-type", "application/octet-stream"))
                    .withBody(Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 255}))
                    .withIsBase64Encoded(true).build();
        }
        return APIGatewayV2HTTPResponse.builder().withStatusCode(201)
                .withHeaders(Map.of("content-type", "application/json", "x-test", "yes"))
                .withMultiValueHeaders(Map.of("x-multi", List.of("a", "b")))
                .withCookies(List.of("c1=v1"))
                .withBody("{\"fn\":\"" + context.getFunctionName() + "\",\"path\":\"" + event.getRawPath() + "\"}")
                .build();
    }

}
