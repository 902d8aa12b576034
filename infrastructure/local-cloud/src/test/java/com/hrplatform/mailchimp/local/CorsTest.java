package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.local.template.LocalTemplate;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, acceptance 3 at the HTTP level, against the shared local cloud and the project's template.yaml:
 * the dashboard's own origin (the runner's dashboard server, allowed as DashboardOrigin) gets a preflight
 * answer without a token on every tRPC route, and a real call without a token still gets 401.
 */
class CorsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aPreflightWithoutATokenGetsTheCorsAnswerOnEveryTrpcRoute() throws Exception {
        LocalCloud cloud = LocalCloudFixture.get();
        String origin = cloud.dashboardUrl();
        assertNotNull(origin, "the runner serves the dashboard");
        assertNotEquals(cloud.apiUrl(), origin, "the dashboard has an origin of its own");
        List<String> paths = new ArrayList<>();
        for (LocalTemplate.Function f : cloud.template().functions().values()) {
            for (LocalTemplate.HttpRoute r : f.routes()) {
                if (r.path().startsWith("/trpc/")) {
                    paths.add(r.path().replace("{proxy+}", "mailchimp.nothingHere"));
                }
            }
        }
        assertTrue(paths.size() > 20, () -> "the tRPC routes: " + paths);
        for (String path : paths) {
            for (String method : List.of("GET", "POST")) {
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(cloud.apiUrl() + path))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", origin).header("Access-Control-Request-Method", method)
                        .header("Access-Control-Request-Headers", "authorization,content-type"));
                String what = "preflight of " + method + " " + path;
                assertEquals(204, r.statusCode(), what);
                assertEquals(origin, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null), what);
                String methods = r.headers().firstValue("Access-Control-Allow-Methods").orElse("");
                assertTrue(List.of(methods.split(",")).contains(method), () -> what + ": allowed methods " + methods);
                String headers = r.headers().firstValue("Access-Control-Allow-Headers").orElse("");
                assertTrue(List.of(headers.split(",")).containsAll(List.of("authorization", "content-type")),
                        () -> what + ": allowed headers " + headers);
                assertEquals("600", r.headers().firstValue("Access-Control-Max-Age").orElse(null), what);
            }
        }
    }

    @Test
    void aRealCallWithoutATokenStillGets401ThatTheDashboardCanRead() throws Exception {
        LocalCloud cloud = LocalCloudFixture.get();
        String origin = cloud.dashboardUrl();
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(cloud.apiUrl() + "/trpc/mailchimp.connection.get"))
                .header("Origin", origin));
        assertEquals(401, r.statusCode());
        assertEquals("{\"message\":\"Unauthorized\"}", r.body());
        assertEquals(origin, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));

        HttpResponse<String> ok = send(HttpRequest.newBuilder(URI.create(cloud.apiUrl() + "/trpc/mailchimp.connection.get"))
                .header("Origin", origin).header("Authorization", "Bearer " + LocalCloudFixture.memberToken("org-cors")));
        assertEquals(200, ok.statusCode(), ok::body);
        assertEquals(origin, ok.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    }

    @Test
    void theDashboardServerHandsThePageTheApisUrl() throws Exception {
        LocalCloud cloud = LocalCloudFixture.get();
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(cloud.dashboardUrl() + "/")));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("js/app.js"), "index.html");
        HttpResponse<String> config = send(HttpRequest.newBuilder(URI.create(cloud.dashboardUrl() + "/config.js")));
        assertEquals(200, config.statusCode());
        assertTrue(config.body().contains("apiBaseUrl: \"" + cloud.apiUrl() + "\""), config::body);
        assertEquals(404, send(HttpRequest.newBuilder(URI.create(cloud.apiUrl() + "/index.html"))).statusCode(),
                "the API serves no page, as in AWS");
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
