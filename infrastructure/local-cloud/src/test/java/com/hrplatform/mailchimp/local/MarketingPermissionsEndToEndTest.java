package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13, marketing permissions: where the audience has GDPR fields, the consent of the address is also written to
 * the member's permission the admin chose as email (enabled on opt-in, disabled on opt-out), through the API, the
 * sync worker, the consent worker and the Mailchimp sandbox. Each test has its own org and sandbox account.
 */
class MarketingPermissionsEndToEndTest {

    @BeforeAll
    static void start() {
        cloud();
    }

    /** Turns the audience's GDPR fields on in the sandbox; answers text -> id. */
    private static Map<String, String> gdpr(Org org, String listId, String... texts) {
        JsonNode answer = control("POST", "/_sandbox/lists/" + listId + "/marketing-permissions",
                Map.of("apiKey", org.apiKey(), "permissions", List.of(texts)));
        Map<String, String> ids = new LinkedHashMap<>();
        answer.path("marketing_permissions").forEach(p -> ids.put(p.path("text").asText(), p.path("marketing_permission_id").asText()));
        return ids;
    }

    /** The member's permissions as Mailchimp shows them: text -> enabled. */
    private static Map<String, Boolean> permissionsOf(Org org, String listId, String email) {
        Map<String, Boolean> out = new HashMap<>();
        member(org, listId, email).body().path("marketing_permissions")
                .forEach(p -> out.put(p.path("text").asText(), p.path("enabled").asBoolean()));
        return out;
    }

    private static String status(Org org, String listId, String email) {
        TrpcHttp.Answer answer = member(org, listId, email);
        return answer.status() == 404 ? "absent" : answer.body().path("status").asText();
    }

    private static TrpcHttp.Answer choose(Org org, String listId, Object permissionId) {
        Map<String, Object> input = new HashMap<>();
        input.put("mailchimpListId", listId);
        input.put("marketingPermissionId", permissionId);
        return mutation(org.admin(), "mailchimp.connection.setEmailPermission", input);
    }

    private static void optIn(Org org, String id, boolean optedIn) {
        mutation(org.admin(), "mailchimp.preferences.updateOptStatus", Map.of("entityId", id, "entityType", "employee",
                "optedIn", optedIn, "source", "hr-portal")).data();
    }

    private static long permissionWrites(Org org, int mark) {
        return requests(org, mark).stream().filter(r -> r.path("marketingPermissions").asBoolean()).count();
    }

    @Test
    void optInEnablesTheChosenPermissionAndOptOutDisablesItAndUnsubscribes() {
        Org org = connectedOrg("gdpr-optin");
        Map<String, String> ids = gdpr(org, org.employeesList(), "Email", "Direct Mail", "Customized Online Advertising");
        JsonNode offered = query(org.admin(), "mailchimp.connection.marketingPermissions",
                Map.of("mailchimpListId", org.employeesList())).data();
        assertTrue(offered.path("gdprEnabled").asBoolean(), offered::toString);
        assertEquals(3, offered.path("permissions").size(), offered::toString);
        assertEquals(ids.get("Email"), offered.path("suggestedPermissionId").asText(), "the only one called Email");
        assertTrue(offered.path("emailPermissionId").isNull(), "nothing is chosen until the admin chooses");
        JsonNode chosen = choose(org, org.employeesList(), ids.get("Email")).data();
        assertEquals(ids.get("Email"), chosen.path("emailPermissionId").asText());
        assertEquals(ids.get("Email"), query(org.admin(), "mailchimp.connection.marketingPermissions",
                Map.of("mailchimpListId", org.employeesList())).data().path("emailPermissionId").asText(), "stored");
        mutation(org.admin(), "mailchimp.connection.connect", Map.of("apiKey", org.apiKey())).data();
        assertEquals(ids.get("Email"), query(org.admin(), "mailchimp.connection.marketingPermissions",
                Map.of("mailchimpListId", org.employeesList())).data().path("emailPermissionId").asText(),
                "reconnecting the same account keeps the choice");

        String ann = unique("ann") + "@example.com";
        String bob = unique("bob") + "@example.com";
        importContacts(org, List.of(employee("e-ann", ann), employee("e-bob", bob)));
        optIn(org, "e-ann", true);
        optIn(org, "e-bob", false);
        String everyone = segment(org, "Everyone", org.employeesList());
        sync(org, everyone);
        assertEquals("subscribed", status(org, org.employeesList(), ann));
        assertEquals(Map.of("Email", true, "Direct Mail", false, "Customized Online Advertising", false),
                permissionsOf(org, org.employeesList(), ann), "only the permission chosen as email");
        assertEquals("absent", status(org, org.employeesList(), bob), "said no: neither added nor given the permission");

        int mark = requestMark();
        optIn(org, "e-ann", false); // the preferences API: the consent worker takes it to Mailchimp at once
        await(Duration.ofSeconds(30), () -> "unsubscribed".equals(status(org, org.employeesList(), ann)),
                () -> "ann unsubscribed");
        assertEquals(Boolean.FALSE, permissionsOf(org, org.employeesList(), ann).get("Email"), "disabled with the unsubscribe");
        assertTrue(permissionWrites(org, mark) >= 1, "the unsubscribe carried the permission");
        sync(org, everyone);
        assertEquals("unsubscribed", status(org, org.employeesList(), ann));
        assertEquals(Boolean.FALSE, permissionsOf(org, org.employeesList(), ann).get("Email"), "a sync does not bring it back");
    }

    @Test
    void anAudienceWithoutGdprFieldsGetsNoPermissionsAndHasNothingToChoose() {
        Org org = connectedOrg("gdpr-none");
        JsonNode offered = query(org.admin(), "mailchimp.connection.marketingPermissions",
                Map.of("mailchimpListId", org.employeesList())).data();
        assertFalse(offered.path("gdprEnabled").asBoolean(true), offered::toString);
        assertEquals("no_gdpr_fields", offered.path("unavailableReason").asText(), offered::toString);
        assertEquals(0, offered.path("permissions").size());
        TrpcHttp.Answer refused = choose(org, org.employeesList(), "abcdef0123");
        assertEquals(400, refused.status(), refused.body()::toString);
        assertTrue(refused.message().contains("marketingPermissionId"), refused::message);

        String cat = unique("cat") + "@example.com";
        importContacts(org, List.of(employee("e-cat", cat)));
        int mark = requestMark();
        sync(org, segment(org, "Everyone", org.employeesList()));
        assertEquals("subscribed", status(org, org.employeesList(), cat));
        optIn(org, "e-cat", false);
        await(Duration.ofSeconds(30), () -> "unsubscribed".equals(status(org, org.employeesList(), cat)),
                () -> "cat unsubscribed");
        assertFalse(requests(org, mark).isEmpty());
        assertEquals(0, permissionWrites(org, mark), "no request body named marketing_permissions");
        assertTrue(member(org, org.employeesList(), cat).body().path("marketing_permissions").isMissingNode());
    }

    @Test
    void aChoiceMadeAfterTheFirstSyncUpdatesTheMembersAlreadyThereOnce() {
        Org org = connectedOrg("gdpr-later");
        Map<String, String> ids = gdpr(org, org.employeesList(), "Email", "Direct Mail");
        String dan = unique("dan") + "@example.com";
        String eve = unique("eve") + "@example.com";
        importContacts(org, List.of(employee("e-dan", dan), employee("e-eve", eve)));
        String everyone = segment(org, "Everyone", org.employeesList());
        int mark = requestMark();
        sync(org, everyone);
        assertEquals(0, permissionWrites(org, mark), "no choice yet: no permission written");
        assertEquals(Boolean.FALSE, permissionsOf(org, org.employeesList(), dan).get("Email"));

        choose(org, org.employeesList(), ids.get("Email")).data();
        mark = requestMark();
        JsonNode second = sync(org, everyone);
        assertEquals(Boolean.TRUE, permissionsOf(org, org.employeesList(), dan).get("Email"));
        assertEquals(Boolean.TRUE, permissionsOf(org, org.employeesList(), eve).get("Email"));
        assertEquals(2, permissionWrites(org, mark), "one permission write per member already there");
        assertEquals(2, second.path("lastRun").path("updated").asInt(), second::toString);

        mark = requestMark();
        sync(org, everyone);
        assertEquals(0, permissionWrites(org, mark), "members whose permission is as chosen are not written again");

        // Cleared: nothing more is written; the members keep what they were given.
        assertTrue(choose(org, org.employeesList(), null).data().path("emailPermissionId").isNull());
        mark = requestMark();
        sync(org, everyone);
        assertEquals(0, permissionWrites(org, mark));
    }

    @Test
    void anInvalidChoiceIsRefusedNamingTheField() {
        Org org = connectedOrg("gdpr-invalid");
        gdpr(org, org.employeesList(), "Email");
        Map<String, String> vendorIds = gdpr(org, org.vendorsList(), "Email");

        TrpcHttp.Answer otherAudiences = choose(org, org.employeesList(), vendorIds.get("Email"));
        assertEquals(400, otherAudiences.status(), "ids are per audience: another audience's id is not this one's");
        assertTrue(otherAudiences.message().contains("marketingPermissionId"), otherAudiences::message);
        assertEquals("BAD_REQUEST", otherAudiences.errorCode());

        TrpcHttp.Answer badList = choose(org, "not-a-list", vendorIds.get("Email"));
        assertEquals(400, badList.status());
        assertTrue(badList.message().contains("mailchimpListId"), badList::message);
        TrpcHttp.Answer unknownList = choose(org, "0123456789", vendorIds.get("Email"));
        assertEquals(400, unknownList.status());
        assertTrue(unknownList.message().contains("mailchimpListId"), unknownList::message);
        TrpcHttp.Answer missing = mutation(org.admin(), "mailchimp.connection.setEmailPermission",
                Map.of("mailchimpListId", org.employeesList()));
        assertEquals(400, missing.status());
        assertTrue(missing.message().contains("marketingPermissionId"), missing::message);

        TrpcHttp.Answer member = mutation(org.member(), "mailchimp.connection.setEmailPermission",
                Map.of("mailchimpListId", org.employeesList(), "marketingPermissionId", vendorIds.get("Email")));
        assertEquals(403, member.status(), "admins only");
        assertEquals(403, query(org.member(), "mailchimp.connection.marketingPermissions",
                Map.of("mailchimpListId", org.employeesList())).status());
        assertTrue(query(org.admin(), "mailchimp.connection.marketingPermissions",
                Map.of("mailchimpListId", org.employeesList())).data().path("emailPermissionId").isNull(),
                "nothing was stored by the refused choices");

        // An audience with GDPR fields but no member yet: Mailchimp shows permissions only on members.
        marketing(org, "POST", "/lists/" + org.vendorsList() + "/members/"
                + subscriberHash("vendor.contact@example.org") + "/actions/delete-permanent", null);
        JsonNode empty = query(org.admin(), "mailchimp.connection.marketingPermissions",
                Map.of("mailchimpListId", org.vendorsList())).data();
        assertTrue(empty.path("gdprEnabled").asBoolean(), empty::toString);
        assertEquals("no_members", empty.path("unavailableReason").asText(), empty::toString);
        assertEquals(400, choose(org, org.vendorsList(), vendorIds.get("Email")).status());
    }
}
