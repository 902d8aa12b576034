package com.hrplatform.mailchimp.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.hrplatform.mailchimp.config.Services;
import com.hrplatform.mailchimp.json.Json;
import com.hrplatform.mailchimp.webhook.MailchimpWebhookService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * {@code GET|POST /webhooks/mailchimp/{token}} (no JWT: the secret token is the credential). GET is
 * Mailchimp's URL check; POST carries Mailchimp's form-encoded event. Not tRPC: plain JSON answers
 * {@code {"ok":true}} or {@code {"error":"..."}}. Neither the token nor the payload is logged.
 */
public class MailchimpWebhookHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    static final String PREFIX = "/webhooks/mailchimp/";
    static final int MAX_BODY = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(MailchimpWebhookHandler.class);

    private final MailchimpWebhookService webhooks;

    public MailchimpWebhookHandler() {
        this(Services.mailchimpWebhookService());
    }

    public MailchimpWebhookHandler(MailchimpWebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return PowertoolsLogging.withLogging(context, () -> {
            String requestId = event.getRequestContext() != null ? event.getRequestContext().getRequestId() : null;
            MDC.put("correlation_id", requestId != null ? requestId : context.getAwsRequestId());
            try {
                return handle(event);
            } finally {
                MDC.remove("correlation_id");
            }
        });
    }

    APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        String method = event.getRequestContext() == null || event.getRequestContext().getHttp() == null ? ""
                : event.getRequestContext().getHttp().getMethod();
        String token = token(event);
        try {
            MailchimpWebhookService.Answer answer;
            if ("GET".equals(method)) {
                answer = webhooks.verify(token);
            } else if ("POST".equals(method)) {
                String body = body(event);
                answer = body == null ? new MailchimpWebhookService.Answer(400, "Invalid payload: not form-encoded")
                        : webhooks.handle(token, parseForm(body));
            } else {
                answer = new MailchimpWebhookService.Answer(405, "Use GET or POST");
            }
            LOG.info("Mailchimp webhook answered", entry("method", method), entry("status", answer.status()));
            return respond(answer);
        } catch (RuntimeException e) {
            LOG.error("Mailchimp webhook failed", entry("method", method), entry("errorType", e.getClass().getName()));
            // 5xx: Mailchimp delivers the event again later.
            return respond(new MailchimpWebhookService.Answer(500, "Something went wrong on our side"));
        }
    }

    private static String token(APIGatewayV2HTTPEvent event) {
        if (event.getPathParameters() != null && event.getPathParameters().get("token") != null) {
            return event.getPathParameters().get("token");
        }
        String path = event.getRawPath() == null ? "" : event.getRawPath();
        return path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : null;
    }

    /** The body as text, or null when it is too large or not decodable. */
    private static String body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody() == null ? "" : event.getBody();
        try {
            String text = event.getIsBase64Encoded() ? new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8) : body;
            return text.length() > MAX_BODY ? null : text;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code application/x-www-form-urlencoded}: the first value of each name; null when malformed. */
    static Map<String, String> parseForm(String body) {
        Map<String, String> form = new HashMap<>();
        if (body.isBlank()) {
            return form;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                form.putIfAbsent(name, value);
            } catch (IllegalArgumentException malformed) {
                form.clear();
                form.put("type", "");
                return form;
            }
        }
        return form;
    }

    private static APIGatewayV2HTTPResponse respond(MailchimpWebhookService.Answer answer) {
        var body = Json.object();
        if (answer.status() == 200) {
            body.put("ok", true);
        } else {
            body.put("error", answer.message());
        }
        return APIGatewayV2HTTPResponse.builder().withStatusCode(answer.status())
                .withHeaders(Map.of("content-type", "application/json")).withBody(Json.write(body)).build();
    }
}
