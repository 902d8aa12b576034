package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.aws.DirectQuery;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.sync.SyncStores;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static com.hrplatform.mailchimp.local.PreferencesTestSupport.cloud;
import static com.hrplatform.mailchimp.local.PreferencesTestSupport.dynamo;
import static com.hrplatform.mailchimp.local.PreferencesTestSupport.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sync's windows over the directory on dynalite (the hash index of template.yaml): whatever the window size,
 * every person is read once, in hash order, and the people who share an address are read in one window; read
 * through the SDK, directly ({@link DirectQuery}), or directly at an endpoint that does not answer (the SDK then
 * reads), the windows are the same people with the same fields.
 */
class ContactWindowTest {

    @Test
    void everyPersonIsReadOnceAndSharersOfAnAddressTogetherWhateverTheWindowSizeAndTheWayRead() throws Exception {
        cloud();
        String org = unique("org");
        // 12 people over 5 addresses, shared by 1 to 4 of them: windows of 1 to 5 cut through every group somewhere.
        int[] sharers = {3, 1, 4, 2, 2};
        Map<String, String> hashOfPerson = new HashMap<>();
        ContactRepository viaSdk = new ContactRepository(dynamo(), "ContactsTable");
        int person = 0;
        for (int address = 0; address < sharers.length; address++) {
            String email = "shared-" + address + "@example.com";
            for (int i = 0; i < sharers[address]; i++, person++) {
                // Names a hand-written reader could get wrong: quotes, backslashes, accents, beyond Latin-1, emoji.
                Contact contact = new Contact("e-" + person, "employee", email, "Zoë \"" + person + "\"",
                        "O\\Brien Łukasz 😀", "Sales", "Berlin", "full_time", "active", Instant.now().toString(), null, null);
                viaSdk.upsert(org, contact, ContactService.version(Instant.now(), person));
                hashOfPerson.put(contact.entityKey(), contact.subscriberHash());
            }
        }
        // Former addresses on two people (a string set), consent on one.
        dynamo().updateItem(request -> request.tableName("ContactsTable")
                .key(Map.of("orgId", AttributeValue.fromS(org), "entityKey", AttributeValue.fromS("employee#e-0")))
                .updateExpression("SET formerHashes = :former, consent = :consent, consentAt = :at")
                .expressionAttributeValues(Map.of(":former", AttributeValue.fromSs(List.of("0123", "4567")),
                        ":consent", AttributeValue.fromS(Contact.OPTED_OUT), ":at", AttributeValue.fromS("2026-12-01T00:00:00Z"))));
        dynamo().updateItem(request -> request.tableName("ContactsTable")
                .key(Map.of("orgId", AttributeValue.fromS(org), "entityKey", AttributeValue.fromS("employee#e-7")))
                .updateExpression("SET formerHashes = :former")
                .expressionAttributeValues(Map.of(":former", AttributeValue.fromSs(List.of("89ab")))));

        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DirectQuery direct = new DirectQuery(UrlConnectionHttpClient.create(), credentials, Region.US_EAST_1,
                URI.create(cloud().dynamoEndpoint()));
        DirectQuery nobodyAnswers = new DirectQuery(UrlConnectionHttpClient.create(), credentials, Region.US_EAST_1,
                URI.create("http://127.0.0.1:" + closedPort));
        DirectQuery.Request firstFive = new DirectQuery.Request("ContactsTable", "OrgHashIndex", "orgId = :org", Map.of(),
                Map.of(":org", org), null, 5);
        assertEquals(5, direct.query(firstFive).orElseThrow().items().size(), "dynalite answers the direct query");
        assertTrue(nobodyAnswers.query(firstFive).isEmpty(), "no answer: the SDK is to read");
        // The functions' own (AwsClients, as Services wires the directory) finds dynalite as their SDK client does.
        assertEquals(5, com.hrplatform.mailchimp.aws.AwsClients.dynamoDbDirect().query(firstFive).orElseThrow().items().size(),
                "the functions read the directory directly");
        Map<String, ContactRepository> ways = new LinkedHashMap<>();
        ways.put("the SDK", viaSdk);
        ways.put("directly", new ContactRepository(dynamo(), "ContactsTable", direct));
        ways.put("directly at a closed port", new ContactRepository(dynamo(), "ContactsTable", nobodyAnswers));

        for (int limit = 1; limit <= 6; limit++) {
            for (boolean syncProjection : new boolean[]{false, true}) {
                Map<String, List<SyncStores.Window>> windowsByWay = new LinkedHashMap<>();
                for (Map.Entry<String, ContactRepository> way : ways.entrySet()) {
                    String label = "limit " + limit + (syncProjection ? ", the sync's projection" : "") + ", " + way.getKey();
                    List<SyncStores.Window> windows = read(way.getValue(), org, limit, syncProjection, label);
                    assertOnceInOrderAndTogether(windows, hashOfPerson, label);
                    windowsByWay.put(way.getKey(), windows);
                }
                List<SyncStores.Window> expected = windowsByWay.get("the SDK");
                for (Map.Entry<String, List<SyncStores.Window>> way : windowsByWay.entrySet()) {
                    assertEquals(expected, way.getValue(), "limit " + limit + ": " + way.getKey());
                }
                if (syncProjection) {
                    assertTrue(expected.stream().anyMatch(window -> Set.of("0123", "4567")
                            .equals(window.formerHashes().get("employee#e-0"))), "former addresses are read");
                }
            }
        }
    }

    private static List<SyncStores.Window> read(ContactRepository contacts, String org, int limit, boolean syncProjection,
                                                String label) {
        List<SyncStores.Window> windows = new ArrayList<>();
        String after = null;
        do {
            SyncStores.Window window = syncProjection ? contacts.window(org, after, limit, Set.of())
                    : contacts.window(org, after, limit);
            windows.add(window);
            after = window.lastHash();
            assertTrue(windows.size() <= 12, label + ": the windows go on");
        } while (after != null);
        return windows;
    }

    private static void assertOnceInOrderAndTogether(List<SyncStores.Window> windows, Map<String, String> hashOfPerson,
                                                     String label) {
        List<String> read = new ArrayList<>();
        Map<String, Integer> windowOfHash = new TreeMap<>();
        String previousHash = "";
        for (int w = 0; w < windows.size(); w++) {
            for (Contact someone : windows.get(w).people()) {
                read.add(someone.entityKey());
                assertEquals(hashOfPerson.get(someone.entityKey()), someone.subscriberHash(), label);
                assertEquals("O\\Brien Łukasz 😀", someone.lastName(), label);
                assertTrue(previousHash.compareTo(someone.subscriberHash()) <= 0, label + ": in hash order");
                previousHash = someone.subscriberHash();
                Integer earlier = windowOfHash.putIfAbsent(someone.subscriberHash(), w);
                assertEquals(earlier == null ? w : earlier, w, label + ": an address's people in one window");
            }
        }
        assertEquals(hashOfPerson.keySet(), Set.copyOf(read), label + ": everyone read");
        assertEquals(hashOfPerson.size(), read.size(), label + ": nobody read twice");
    }
}
