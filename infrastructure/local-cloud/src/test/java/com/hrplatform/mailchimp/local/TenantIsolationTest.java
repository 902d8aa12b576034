package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2, acceptance 4: two orgs, each with its own Mailchimp account. Neither reads nor changes the
 * other's connection, and neither sees the other's audit entries, not even by paging with the other
 * org's cursor.
 */
class TenantIsolationTest {

    @BeforeAll
    static void startCloud() {
        LocalCloudFixture.get();
    }

    record Org(String id, String admin, String member, JsonNode account) {
        static Org fresh(String label) {
            String id = "org-" + UUID.randomUUID();
            return new Org(id, LocalCloudFixture.adminToken(id), LocalCloudFixture.memberToken(id),
                    SandboxControl.newAccount(label + " " + id));
        }

        String key() {
            return account.path("apiKey").asText();
        }
    }

    @Test
    void neitherOrgReadsOrChangesTheOthersConnectionOrAudit() {
        Org a = Org.fresh("Tenant A");
        Org b = Org.fresh("Tenant B");
        Org a2 = new Org(a.id(), a.admin(), a.member(), SandboxControl.newAccount("Tenant A second " + a.id()));

        JsonNode aFirst = TrpcHttp.mutation(a.admin(), "mailchimp.connection.connect", Map.of("apiKey", a.key())).data();
        assertTrue(TrpcHttp.query(b.member(), "mailchimp.connection.get", null).data().isNull(), "B sees no connection of A");
        TrpcHttp.Answer bAudiencesBefore = TrpcHttp.query(b.member(), "mailchimp.connection.listAudiences", null);
        assertEquals("PRECONDITION_FAILED", bAudiencesBefore.errorCode(), "B cannot use A's connection: " + bAudiencesBefore);

        JsonNode aConnected = TrpcHttp.mutation(a.admin(), "mailchimp.connection.connect", Map.of("apiKey", a2.key())).data();
        JsonNode bConnected = TrpcHttp.mutation(b.admin(), "mailchimp.connection.connect", Map.of("apiKey", b.key())).data();
        assertNotEquals(aFirst.path("accountId"), aConnected.path("accountId"));
        assertEquals(a2.account().path("accountId").asText(), aConnected.path("accountId").asText());
        assertEquals(b.account().path("accountId").asText(), bConnected.path("accountId").asText());

        // Each reads only its own connection and its own audiences.
        assertEquals(aConnected, TrpcHttp.query(a.member(), "mailchimp.connection.get", null).data(), "B's connect left A alone");
        assertEquals(bConnected, TrpcHttp.query(b.member(), "mailchimp.connection.get", null).data());
        assertEquals(listIds(a2.account()), audienceIds(TrpcHttp.query(a.member(), "mailchimp.connection.listAudiences", null).data()));
        assertEquals(listIds(b.account()), audienceIds(TrpcHttp.query(b.member(), "mailchimp.connection.listAudiences", null).data()));

        // Input cannot name another org.
        TrpcHttp.Answer named = TrpcHttp.query(b.member(), "mailchimp.connection.get", Map.of("orgId", a.id()));
        assertEquals("BAD_REQUEST", named.errorCode(), named::toString);
        assertFalse(named.body().toString().contains(aConnected.path("accountId").asText()));

        // B disconnects: A stays connected and can still list its audiences.
        TrpcHttp.mutation(b.admin(), "mailchimp.connection.disconnect", null).data();
        assertTrue(TrpcHttp.query(b.member(), "mailchimp.connection.get", null).data().isNull());
        assertEquals(aConnected, TrpcHttp.query(a.member(), "mailchimp.connection.get", null).data(), "B's disconnect left A alone");
        assertEquals(listIds(a2.account()), audienceIds(TrpcHttp.query(a.member(), "mailchimp.connection.listAudiences", null).data()));

        // Audit: each org sees exactly its own actions.
        List<JsonNode> aAudit = audit(a, Map.of("limit", 100));
        List<JsonNode> bAudit = audit(b, Map.of("limit", 100));
        assertEquals(List.of("connection.reconnected", "connection.connected"), actions(aAudit));
        assertEquals(List.of("connection.disconnected", "connection.connected"), actions(bAudit));
        aAudit.forEach(entry -> assertOwnedBy(a, entry));
        bAudit.forEach(entry -> assertOwnedBy(b, entry));

        // Paging with the other org's cursor yields nothing of the other org.
        JsonNode aFirstPage = TrpcHttp.query(a.member(), "mailchimp.audit.list", Map.of("limit", 1)).data();
        String aCursor = aFirstPage.path("nextCursor").asText(null);
        assertTrue(aCursor != null && !aCursor.isBlank(), () -> "A's first page of one has a cursor: " + aFirstPage);
        JsonNode bFirstPage = TrpcHttp.query(b.member(), "mailchimp.audit.list", Map.of("limit", 1)).data();
        String bCursor = bFirstPage.path("nextCursor").asText(null);
        assertTrue(bCursor != null && !bCursor.isBlank(), () -> "B's first page of one has a cursor: " + bFirstPage);

        assertSeesOnlyItsOwn(b, a, TrpcHttp.query(b.member(), "mailchimp.audit.list", Map.of("limit", 100, "cursor", aCursor)));
        assertSeesOnlyItsOwn(a, b, TrpcHttp.query(a.member(), "mailchimp.audit.list", Map.of("limit", 100, "cursor", bCursor)));
        // A's cursor still works for A: the second page is A's older entry.
        JsonNode aSecond = TrpcHttp.query(a.member(), "mailchimp.audit.list", Map.of("limit", 1, "cursor", aCursor)).data();
        assertEquals(List.of("connection.connected"), actions(iterable(aSecond.path("items"))));
    }

    private static void assertSeesOnlyItsOwn(Org reader, Org other, TrpcHttp.Answer answer) {
        String text = answer.body().toString();
        assertFalse(text.contains(other.id()), () -> "nothing of " + other.id() + " reaches " + reader.id() + ": " + text);
        if (answer.status() == 200) {
            answer.data().path("items").forEach(entry -> assertOwnedBy(reader, entry));
        } else {
            assertEquals("BAD_REQUEST", answer.errorCode(), text);
        }
    }

    private static void assertOwnedBy(Org org, JsonNode entry) {
        assertEquals(org.id(), entry.path("targetId").asText(), entry::toString);
        assertTrue(entry.path("actor").asText().contains(org.id()), entry::toString);
    }

    private static List<JsonNode> audit(Org org, Map<String, Object> input) {
        return iterable(TrpcHttp.query(org.member(), "mailchimp.audit.list", input).data().path("items"));
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static List<String> actions(List<JsonNode> entries) {
        return entries.stream().map(e -> e.path("action").asText()).toList();
    }

    private static List<String> listIds(JsonNode account) {
        List<String> ids = new ArrayList<>();
        account.path("lists").forEach(l -> ids.add(l.path("id").asText()));
        return ids.stream().sorted().toList();
    }

    private static List<String> audienceIds(JsonNode audiences) {
        List<String> ids = new ArrayList<>();
        audiences.forEach(l -> ids.add(l.path("id").asText()));
        return ids.stream().sorted().toList();
    }
}
