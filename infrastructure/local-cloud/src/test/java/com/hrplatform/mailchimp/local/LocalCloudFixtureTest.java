package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.sandbox.MailchimpSandbox;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared fixture runs the repository's template.yaml with the real handlers. */
class LocalCloudFixtureTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(LocalCloudFixture.get().apiUrl() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startsOnceWithTheRepositoryTemplate() throws Exception {
        LocalCloud cloud = LocalCloudFixture.get();
        assertSame(cloud, LocalCloudFixture.get());
        assertTrue(cloud.template().functions().containsKey("ConnectionFunction"));
        assertTrue(cloud.sandboxUrl().endsWith("/3.0"));
        assertEquals(cloud.sandboxUrl(), cloud.mailchimpBaseUrl());
        assertTrue(MailchimpSandbox.DEFAULT_API_KEY.endsWith("-us1"));
    }

    @Test
    void theGatewayChecksTokensBeforeTheFunction() throws Exception {
        HttpResponse<String> none = get("/trpc/mailchimp.connection.get", null);
        assertEquals(401, none.statusCode());
        assertEquals("{\"message\":\"Unauthorized\"}", none.body(), "the JWT authorizer's own answer");
        assertEquals(401, get("/trpc/mailchimp.connection.get",
                LocalCloudFixture.token("org-x", "admin", Instant.now().minusSeconds(1))).statusCode());
        HttpResponse<String> ok = get("/trpc/mailchimp.connection.get", LocalCloudFixture.memberToken("org-fixture"));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("{\"result\":{\"data\":null}}", ok.body(), "no connection yet for a fresh org");
    }
}
