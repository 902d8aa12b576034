package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.local.crash.CrashInjector;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, point 8, end to end: the erasure secret is read on first use, not in a static initializer, so a failed
 * first read fails that one request (a clear error, nothing written) and the next request reads it again; it used
 * to leave every function of the container broken for its life. First in the own-cloud JVM (the pom orders its
 * classes), so this is the first use of the secret in this local cloud.
 */
@Tag("own-cloud")
@Order(1)
class ErasureSecretColdStartTest {

    @Test
    void aFailedFirstReadOfTheErasureSecretFailsOneRequestAndTheNextWorks() {
        Org org = connectedOrg("secret");
        String ada = unique("ada") + "@example.com";
        // Every attempt of the first read of the secret's item fails: DynamoDB unreachable for a moment.
        CrashInjector.failCalls("tombstone-key", 3);
        TrpcHttp.Answer first = mutation(org.admin(), "mailchimp.contacts.import", Map.of("contacts", List.of(employee("e-ada", ada))));
        assertEquals(0, CrashInjector.failuresLeft(), "the secret was read (and failed) on first use");
        assertEquals(500, first.status(), () -> first.body().toString());
        assertEquals("INTERNAL_SERVER_ERROR", first.errorCode());
        assertEquals(0, query(org.admin(), "mailchimp.contacts.list", null).data().path("items").size(), "nothing half-written");

        JsonNode second = importContacts(org, List.of(employee("e-ada", ada)));
        assertEquals(1, second.path("created").asInt(), () -> "the next request reads the secret again: " + second);
        assertTrue(mutation(org.admin(), "mailchimp.preferences.gdprDelete", Map.of("email", ada)).data().path("erased").asBoolean());
        assertEquals(1, importContacts(org, List.of(employee("e-ada-2", ada))).path("rejected").size(),
                "the tombstone, made with the secret, refuses the address");
    }
}
