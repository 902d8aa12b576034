package com.hrplatform.mailchimp.local.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/** Test API handler returning a plain object (no statusCode): the gateway answers 200 with it as JSON. */
public class ItemsHandler implements RequestHandler<APIGatewayV2HTTPEvent, Map<String, Object>> {

    public static final ConcurrentLinkedDeque<APIGatewayV2HTTPEvent> EVENTS = new ConcurrentLinkedDeque<>();

    @Override
    public Map<String, Object> handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        EVENTS.add(event);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("handler", "items");
        out.put("proxy", event.getPathParameters() == null ? null : event.getPathParameters().get("proxy"));
        return out;
    }
}
