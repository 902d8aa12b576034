package com.hrplatform.mailchimp.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.mailchimp.MailchimpApiKey;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Makes sure an audience a segment uses calls our webhook: {@code POST /lists/{id}/webhooks} with
 * {@code <PUBLIC_API_URL>/webhooks/mailchimp/<token>}, events subscribe, unsubscribe, cleaned, upemail and profile,
 * sources user and admin but not api (our own writes must not echo back). Registered audiences are
 * remembered in the locks table ({@code whk#<listId>} -> webhook id and token id), so a registered
 * audience costs one read and no Mailchimp call; an audience whose record names another token (or none)
 * is registered again, reusing a webhook Mailchimp already has for our URL.
 */
public class WebhookRegistrar {
    public static final String PATH = "/webhooks/mailchimp/";

    private final DynamoDbClient dynamoDb;
    private final String locksTable;
    private final WebhookTokens tokens;
    private final ConnectionService connections;
    private final MailchimpClient mailchimp;
    private final String publicApiUrl;
    private final Clock clock;

    public WebhookRegistrar(DynamoDbClient dynamoDb, String locksTable, WebhookTokens tokens,
                            ConnectionService connections, MailchimpClient mailchimp, String publicApiUrl, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.locksTable = locksTable;
        this.tokens = tokens;
        this.connections = connections;
        this.mailchimp = mailchimp;
        this.publicApiUrl = publicApiUrl.endsWith("/") ? publicApiUrl.substring(0, publicApiUrl.length() - 1) : publicApiUrl;
        this.clock = clock;
    }

    /** @return true when this call registered the webhook, false when it already was */
    public boolean ensureRegistered(String orgId, String listId) {
        Optional<String> currentTokenId = tokens.tokenId(orgId);
        var record = dynamoDb.getItem(request -> request.tableName(locksTable).consistentRead(true)
                .key(Map.of("orgId", Items.s(orgId), "sk", Items.s(recordKey(listId))))).item();
        if (record != null && !record.isEmpty() && currentTokenId.isPresent()
                && currentTokenId.get().equals(Items.string(record, "tokenId"))) {
            return false;
        }
        String token = tokens.tokenFor(orgId);
        String tokenId = token.substring(0, token.indexOf('.'));
        String url = publicApiUrl + PATH + token;
        MailchimpApiKey key = connections.activeKey(orgId);
        String webhookId = null;
        // Only what is compared: Mailchimp's partial responses (fields=) work on every GET.
        JsonNode existing = mailchimp.get(key, "/lists/" + listId + "/webhooks?fields=webhooks.id,webhooks.url");
        for (JsonNode webhook : existing.path("webhooks")) {
            if (url.equals(webhook.path("url").asText())) {
                webhookId = webhook.path("id").asText();
            }
        }
        if (webhookId == null) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("url", url);
            body.put("events", Map.of("subscribe", true, "unsubscribe", true, "profile", true, "cleaned", true,
                    "upemail", true, "campaign", false));
            body.put("sources", Map.of("user", true, "admin", true, "api", false));
            webhookId = mailchimp.send(key, "POST", "/lists/" + listId + "/webhooks", body).path("id").asText();
        }
        String id = webhookId;
        dynamoDb.putItem(request -> request.tableName(locksTable).item(Map.of(
                "orgId", Items.s(orgId), "sk", Items.s(recordKey(listId)), "webhookId", Items.s(id),
                "tokenId", Items.s(tokenId), "registeredAt", Items.s(Timestamps.format(clock.instant())))));
        return true;
    }

    private static String recordKey(String listId) {
        return "whk#" + listId;
    }
}
