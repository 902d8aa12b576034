package com.hrplatform.mailchimp.local;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 11, point 7, end to end: with the production Mailchimp timeout (10 s per attempt, 4 attempts: 40 s and
 * more), a Mailchimp that never answers still gets the dashboard a tRPC error from the API function before its
 * 29 s limit, never the gateway's 5xx. Runs in the own-cloud JVM, whose functions have the production timeout.
 */
@Tag("own-cloud")
class DeadlineEndToEndTest {
    private Org org;

    @AfterEach
    void clearFaults() {
        clearFaultsOf(org);
    }

    @Test
    void anApiCallWhoseMailchimpHangsAnswersATrpcErrorInTime() {
        assertEquals("10", System.getProperty("MAILCHIMP_TIMEOUT_SECONDS"), "the production timeout per attempt");
        org = connectedOrg("deadline");
        // Every request is held past the client's timeout, then dropped: four attempts would take 40 s.
        control("POST", "/_sandbox/faults", Map.of("apiKey", org.apiKey(), "pathPrefix", "/3.0/lists",
                "kind", "timeout", "latencyMs", 60_000));
        TrpcHttp.Answer answer = query(org.member(), "mailchimp.connection.listAudiences", null);

        assertEquals(504, answer.status(), () -> "a tRPC error, not the runner's 502 for a timed-out function: " + answer.body());
        assertEquals("GATEWAY_TIMEOUT", answer.errorCode(), () -> answer.body().toString());
    }
}
