package com.hrplatform.mailchimp.contact;

import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.aws.DirectQuery;
import com.hrplatform.mailchimp.aws.DynamoCursor;
import com.hrplatform.mailchimp.aws.Items;
import com.hrplatform.mailchimp.sync.SyncStores;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The directory replica: one item per person, {@code orgId} + {@code entityType#entityId}. The index
 * {@code OrgHashIndex} (orgId, subscriberHash) lists an org's people in subscriber-hash order, the
 * order of the memberships table, so a sync can merge the two without random reads.
 */
public final class ContactRepository implements SyncStores.Directory {
    static final String HASH_INDEX = "OrgHashIndex";
    private static final String[] DIRECTORY_FIELDS = {"firstName", "lastName", "department", "location",
            "employmentType", "employmentStatus", "jobTitle", "startDate"};

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    /** A sync's windows, read without the SDK's object model (null: through the SDK, as everything else). */
    private final DirectQuery direct;

    public ContactRepository(DynamoDbClient dynamoDb, String tableName) {
        this(dynamoDb, tableName, null);
    }

    public ContactRepository(DynamoDbClient dynamoDb, String tableName, DirectQuery direct) {
        this.dynamoDb = dynamoDb;
        this.tableName = tableName;
        this.direct = direct;
    }

    /**
     * What a versioned write found: the person as they were (empty: new, or deleted), whether it applied, and the
     * address whose follow-up work was last finished ({@link #settle}; null: none yet).
     */
    public record Written(Optional<Contact> before, boolean applied, String settledEmail) {
        Written(Optional<Contact> before, boolean applied) {
            this(before, applied, null);
        }
    }

    /**
     * Writes the directory fields of a person, leaving its consent as it is (an import must never undo an
     * opt-out), unless the stored version is newer: a late, older event changes nothing (the same version, e.g.
     * two events of one second without a sequence, applies in arrival order).
     */
    public Written upsert(String orgId, Contact contact, String version) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        List<String> sets = new ArrayList<>();
        List<String> removes = new ArrayList<>(List.of("#deletedAt"));
        names.put("#deletedAt", "deletedAt");
        set(sets, names, values, "entityId", contact.entityId());
        set(sets, names, values, "entityType", contact.entityType());
        set(sets, names, values, "email", contact.email());
        set(sets, names, values, "subscriberHash", contact.subscriberHash());
        set(sets, names, values, "updatedAt", contact.updatedAt());
        set(sets, names, values, "version", version);
        String[] directoryValues = {contact.firstName(), contact.lastName(), contact.department(), contact.location(),
                contact.employmentType(), contact.employmentStatus(), contact.jobTitle(), contact.startDate()};
        for (int i = 0; i < DIRECTORY_FIELDS.length; i++) {
            if (directoryValues[i] == null) {
                names.put("#" + DIRECTORY_FIELDS[i], DIRECTORY_FIELDS[i]);
                removes.add("#" + DIRECTORY_FIELDS[i]);
            } else {
                set(sets, names, values, DIRECTORY_FIELDS[i], directoryValues[i]);
            }
        }
        String expression = "SET " + String.join(", ", sets) + " REMOVE " + String.join(", ", removes);
        try {
            var response = dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(key(orgId, contact.entityKey()))
                    .updateExpression(expression)
                    .conditionExpression("attribute_not_exists(#version) OR #version <= :version")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_OLD));
            Map<String, AttributeValue> old = response.attributes();
            Optional<Contact> before = present(old);
            return new Written(before, true, before.isPresent() && old.containsKey("settledEmail")
                    ? Items.string(old, "settledEmail") : null);
        } catch (ConditionalCheckFailedException newerStored) {
            return new Written(Optional.empty(), false);
        }
    }

    /**
     * Notes that everything that follows from the person holding {@code email} is done (the address ledger, a move,
     * an opt-out taken to the new address), so a write that crashed before that is finished by the next one.
     * {@code formerEmails}: the addresses the person held before (none for someone new); their subscriber hashes stay
     * on the item ({@code formerHashes}, gone with the item on erasure) so that a sync that no longer has the recorded
     * move can still find the person's member at an old address, whichever of the two addresses it reaches first.
     */
    public void settle(String orgId, String entityKey, String email, java.util.Collection<String> formerEmails) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":email", Items.s(email)));
        String update = "SET settledEmail = :email";
        List<String> former = formerEmails.stream().filter(held -> !held.equals(email)).map(Contact::subscriberHash)
                .distinct().toList();
        if (!former.isEmpty()) {
            update += " ADD formerHashes :former";
            values.put(":former", AttributeValue.fromSs(former));
        }
        String expression = update;
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName).key(key(orgId, entityKey))
                    .conditionExpression("email = :email")
                    .updateExpression(expression)
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException changedMeanwhile) {
            // a newer write holds another address: the write that made it settles it
        }
    }

    /**
     * The person left the directory, as of {@code version}: only a marker of the deletion stays (ids, version), so an
     * older upsert arriving later does not bring them back. Answers the person as they were, when it applied.
     */
    public Written markDeleted(String orgId, String entityType, String entityId, String version, String at) {
        try {
            var response = dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(key(orgId, Contact.entityKey(entityType, entityId)))
                    .updateExpression("SET #version = :version, deletedAt = :at REMOVE email, subscriberHash, firstName, "
                            + "lastName, department, #location, employmentType, employmentStatus, jobTitle, startDate, consent, "
                            + "consentAt, settledEmail")
                    .conditionExpression("attribute_not_exists(#version) OR #version <= :version")
                    .expressionAttributeNames(Map.of("#version", "version", "#location", "location"))
                    .expressionAttributeValues(Map.of(":version", Items.s(version), ":at", Items.s(at)))
                    .returnValues(ReturnValue.ALL_OLD));
            return new Written(present(response.attributes()), true);
        } catch (ConditionalCheckFailedException newerStored) {
            return new Written(Optional.empty(), false);
        }
    }

    /** A stored person, unless the item is absent or only marks a deletion. */
    private static Optional<Contact> present(Map<String, AttributeValue> item) {
        return item == null || item.isEmpty() || item.containsKey("deletedAt") || !item.containsKey("email")
                ? Optional.empty() : Optional.of(fromItem(item));
    }

    private static void set(List<String> sets, Map<String, String> names, Map<String, AttributeValue> values,
                            String field, String value) {
        names.put("#" + field, field);
        values.put(":" + field, Items.s(value));
        sets.add("#" + field + " = :" + field);
    }

    public Optional<Contact> find(String orgId, String entityType, String entityId) {
        return present(dynamoDb.getItem(request -> request.tableName(tableName)
                .key(key(orgId, Contact.entityKey(entityType, entityId))).consistentRead(true)).item());
    }

    /**
     * The present records among these keys (one BatchGetItem per 100 keys; keys DynamoDB leaves unprocessed are asked
     * again), by entity key; deleted and unknown ones are absent.
     */
    public Map<String, Contact> findAll(String orgId, java.util.Collection<String> entityKeys) {
        Map<String, Contact> found = new HashMap<>();
        List<String> keys = new ArrayList<>(new TreeSet<>(entityKeys));
        for (int from = 0; from < keys.size(); from += 100) {
            List<Map<String, AttributeValue>> batch = keys.subList(from, Math.min(keys.size(), from + 100)).stream()
                    .map(entityKey -> key(orgId, entityKey)).toList();
            Map<String, KeysAndAttributes> request = Map.of(tableName, KeysAndAttributes.builder().keys(batch)
                    .projectionExpression(CONTACT_PROJECTION + ", deletedAt").expressionAttributeNames(CONTACT_ATTRIBUTES).build());
            for (int attempt = 0; !request.isEmpty() && attempt < 5; attempt++) {
                Map<String, KeysAndAttributes> asked = request;
                BatchGetItemResponse response = dynamoDb.batchGetItem(builder -> builder.requestItems(asked));
                response.responses().getOrDefault(tableName, List.of()).forEach(item ->
                        present(item).ifPresent(contact -> found.put(contact.entityKey(), contact)));
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
            }
            if (!request.isEmpty()) {
                throw new IllegalStateException("DynamoDB kept directory records unprocessed; try again");
            }
        }
        return found;
    }

    @Override
    public java.util.Set<String> formerHashes(String orgId, String entityKey) {
        var item = dynamoDb.getItem(request -> request.tableName(tableName).key(key(orgId, entityKey))
                .projectionExpression("formerHashes")).item();
        AttributeValue former = item == null ? null : item.get("formerHashes");
        return former != null && former.hasSs() ? java.util.Set.copyOf(former.ss()) : java.util.Set.of();
    }

    @Override
    public Optional<Contact> person(String orgId, String entityKey) {
        int separator = entityKey.indexOf('#');
        return separator < 0 ? Optional.empty()
                : find(orgId, entityKey.substring(0, separator), entityKey.substring(separator + 1));
    }

    /** Answers the deleted contact, if there was one. */
    public Optional<Contact> delete(String orgId, String entityType, String entityId) {
        var response = dynamoDb.deleteItem(request -> request.tableName(tableName)
                .key(key(orgId, Contact.entityKey(entityType, entityId))).returnValues(ReturnValue.ALL_OLD));
        return response.hasAttributes() && !response.attributes().isEmpty()
                ? Optional.of(fromItem(response.attributes())) : Optional.empty();
    }

    /**
     * Records the person's consent and when it was stated on their directory entry, unless a later statement is
     * there already; false when the person is not in the directory or a later one won.
     */
    public boolean setConsent(String orgId, String entityType, String entityId, String consent, String at) {
        try {
            dynamoDb.updateItem(request -> request.tableName(tableName)
                    .key(key(orgId, Contact.entityKey(entityType, entityId)))
                    // An address erased through another record stays so, whatever this record states later.
                    .conditionExpression("attribute_exists(email) AND (attribute_not_exists(consentAt) OR consentAt <= :at)"
                            + " AND (attribute_not_exists(consent) OR consent <> :erased)")
                    .updateExpression("SET consent = :consent, consentAt = :at")
                    .expressionAttributeValues(Map.of(":consent", Items.s(consent), ":at", Items.s(at),
                            ":erased", Items.s(Contact.ERASED))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Replaces an erased mark (its address changed) with the person's stated consent, or none. */
    public void clearErased(String orgId, String entityType, String entityId, String consent, String at) {
        boolean stated = consent != null;
        dynamoDb.updateItem(request -> request.tableName(tableName)
                .key(key(orgId, Contact.entityKey(entityType, entityId)))
                .conditionExpression("consent = :erased")
                .updateExpression(stated ? "SET consent = :consent, consentAt = :at" : "REMOVE consent, consentAt")
                .expressionAttributeValues(stated ? Map.of(":erased", Items.s(Contact.ERASED), ":consent", Items.s(consent),
                        ":at", Items.s(at)) : Map.of(":erased", Items.s(Contact.ERASED))));
    }

    /** Every record of the org with this address (a shared mailbox, or one person as employee and vendor). */
    @Override
    public List<Contact> withAddress(String orgId, String subscriberHash) {
        QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(tableName).indexName(HASH_INDEX)
                .keyConditionExpression("orgId = :org AND subscriberHash = :hash")
                .projectionExpression(CONTACT_PROJECTION).expressionAttributeNames(CONTACT_ATTRIBUTES)
                .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":hash", Items.s(subscriberHash))).build());
        return response.items().stream().map(ContactRepository::fromItem).toList();
    }

    public Page<Contact> list(String orgId, String entityType, PageRequest page) {
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(tableName)
                .filterExpression("attribute_not_exists(deletedAt)")
                .limit(page.limit())
                .exclusiveStartKey(DynamoCursor.decode(page.cursor(), "orgId", orgId, "entityKey",
                        entityType == null ? "" : entityType + "#"));
        if (entityType == null) {
            query.keyConditionExpression("orgId = :org").expressionAttributeValues(Map.of(":org", Items.s(orgId)));
        } else {
            query.keyConditionExpression("orgId = :org AND begins_with(entityKey, :type)")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":type", Items.s(entityType + "#")));
        }
        QueryResponse response = dynamoDb.query(query.build());
        return new Page<>(response.items().stream().map(ContactRepository::fromItem).toList(),
                DynamoCursor.encode(response.lastEvaluatedKey()));
    }

    /**
     * Up to {@code limit} of the org's people with a subscriber hash after {@code afterHash} (null: from the
     * first), in hash order. When the page is full, the people of its last hash are left for the next window (which
     * starts strictly after the window's last hash and so reads them all together); only a page of one hash is
     * completed by a second query instead. That query per window was a third of a sync's reads of the directory.
     *
     * @return the people, and whether more may follow
     */
    public HashWindow windowAfter(String orgId, String afterHash, int limit) {
        return windowAfter(orgId, afterHash, limit, CONTACT_PROJECTION, CONTACT_ATTRIBUTES);
    }

    private HashWindow windowAfter(String orgId, String afterHash, int limit, String projection, Map<String, String> names) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":org", Items.s(orgId)));
        String condition = "orgId = :org";
        if (afterHash != null) {
            condition += " AND subscriberHash > :after";
            values.put(":after", Items.s(afterHash));
        }
        List<Contact> people = new ArrayList<>(limit);
        Map<String, java.util.Set<String>> formerHashes = new HashMap<>();
        boolean more;
        Optional<DirectQuery.Page> page = direct == null ? Optional.empty() : direct.query(new DirectQuery.Request(
                tableName, HASH_INDEX, condition, names, textValues(values), projection, limit));
        if (page.isPresent()) {
            for (DirectQuery.Item item : page.get().items()) {
                Contact person = fromAttributes(item.text()::get);
                people.add(person);
                List<String> former = item.sets().get("formerHashes");
                if (former != null) {
                    formerHashes.put(person.entityKey(), java.util.Set.copyOf(former));
                }
            }
            more = page.get().more();
        } else {
            QueryResponse response = dynamoDb.query(QueryRequest.builder().tableName(tableName).indexName(HASH_INDEX)
                    .keyConditionExpression(condition).expressionAttributeValues(values).limit(limit)
                    .projectionExpression(projection).expressionAttributeNames(names).build());
            for (Map<String, AttributeValue> item : response.items()) {
                Contact person = fromItem(item);
                people.add(person);
                formerHashesOf(item, person, formerHashes);
            }
            more = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty();
        }
        if (more && !people.isEmpty()) {
            String lastHash = people.get(people.size() - 1).subscriberHash();
            int lastGroup = people.size();
            while (lastGroup > 0 && people.get(lastGroup - 1).subscriberHash().equals(lastHash)) {
                lastGroup--;
            }
            if (lastGroup > 0) {
                // The last hash's people may go on in the next page: the next window reads them all.
                for (Contact left : people.subList(lastGroup, people.size())) {
                    formerHashes.remove(left.entityKey());
                }
                people.subList(lastGroup, people.size()).clear();
                return new HashWindow(people, true, formerHashes);
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            people.forEach(person -> seen.add(person.entityKey()));
            QueryResponse sameHash = dynamoDb.query(QueryRequest.builder().tableName(tableName).indexName(HASH_INDEX)
                    .projectionExpression(projection).expressionAttributeNames(names)
                    .keyConditionExpression("orgId = :org AND subscriberHash = :hash")
                    .expressionAttributeValues(Map.of(":org", Items.s(orgId), ":hash", Items.s(lastHash))).build());
            for (Map<String, AttributeValue> item : sameHash.items()) {
                Contact person = fromItem(item);
                if (seen.add(person.entityKey())) {
                    people.add(person);
                    formerHashesOf(item, person, formerHashes);
                }
            }
        }
        return new HashWindow(people, more, formerHashes);
    }

    private static void formerHashesOf(Map<String, AttributeValue> item, Contact person,
                                       Map<String, java.util.Set<String>> formerHashes) {
        AttributeValue former = item.get("formerHashes");
        if (former != null && former.hasSs()) {
            formerHashes.put(person.entityKey(), java.util.Set.copyOf(former.ss()));
        }
    }

    @Override
    public SyncStores.Window window(String orgId, String afterHash, int limit) {
        HashWindow window = windowAfter(orgId, afterHash, limit);
        return new SyncStores.Window(window.contacts(), window.lastHash());
    }

    /** A sync reads every person: each attribute left out is one less to unmarshal 100,000 times. */
    @Override
    public SyncStores.Window window(String orgId, String afterHash, int limit, java.util.Set<String> filterFields) {
        Map<String, String> names = new HashMap<>(SYNC_ATTRIBUTES);
        FILTER_ATTRIBUTES.forEach(name -> {
            if (filterFields.contains(name)) {
                names.put("#" + name, name);
            }
        });
        HashWindow window = windowAfter(orgId, afterHash, limit, String.join(", ", new TreeSet<>(names.keySet())), names);
        return new SyncStores.Window(window.contacts(), window.lastHash(), window.formerHashes());
    }

    /** {@code formerHashes}: the earlier addresses' hashes of the people who had any, by stable id (only if read). */
    public record HashWindow(List<Contact> contacts, boolean more, Map<String, java.util.Set<String>> formerHashes) {
        /** The last hash of the window, or null when it is the last window. */
        public String lastHash() {
            return more && !contacts.isEmpty() ? contacts.get(contacts.size() - 1).subscriberHash() : null;
        }
    }

    private static Map<String, AttributeValue> key(String orgId, String entityKey) {
        return Map.of("orgId", Items.s(orgId), "entityKey", Items.s(entityKey));
    }

    /** What {@link #fromItem} reads: a sync reads every person, so it leaves the rest of the item behind. */
    private static final Map<String, String> CONTACT_ATTRIBUTES = Stream.of("entityId", "entityType", "email", "firstName",
            "lastName", "department", "location", "employmentType", "employmentStatus", "jobTitle", "startDate", "updatedAt",
            "consent", "consentAt")
            .collect(Collectors.toUnmodifiableMap(name -> "#" + name, name -> name));
    private static final String CONTACT_PROJECTION = String.join(", ", new TreeSet<>(CONTACT_ATTRIBUTES.keySet()));
    /**
     * What a sync's decision reads of everyone (the stored hash too: read directly, it costs less than an MD5 per
     * person); of the other directory fields, only those its segments filter on or map.
     */
    private static final Map<String, String> SYNC_ATTRIBUTES = Stream.of("entityKey", "email", "firstName", "lastName",
            "consent", "consentAt", "formerHashes", "subscriberHash")
            .collect(Collectors.toUnmodifiableMap(name -> "#" + name, name -> name));
    private static final List<String> FILTER_ATTRIBUTES = List.of("department", "location", "employmentType", "employmentStatus",
            "jobTitle", "startDate");

    static Contact fromItem(Map<String, AttributeValue> item) {
        return fromAttributes(name -> Items.string(item, name));
    }

    /** A person from their item's text attributes, by name (null: absent). */
    private static Contact fromAttributes(java.util.function.Function<String, String> text) {
        String entityType = text.apply("entityType");
        String entityId = text.apply("entityId");
        String entityKey = entityType == null && entityId == null ? text.apply("entityKey") : null;
        if (entityKey != null) {
            // A sync reads the key alone (type#id): one attribute less to unmarshal per person.
            int separator = entityKey.indexOf('#');
            entityType = entityKey.substring(0, separator);
            entityId = entityKey.substring(separator + 1);
        }
        return new Contact(entityId, entityType, text.apply("email"), text.apply("firstName"), text.apply("lastName"),
                text.apply("department"), text.apply("location"), text.apply("employmentType"),
                text.apply("employmentStatus"), text.apply("jobTitle"), text.apply("startDate"), text.apply("updatedAt"),
                text.apply("consent"), text.apply("consentAt"), text.apply("subscriberHash"));
    }

    private static Map<String, String> textValues(Map<String, AttributeValue> values) {
        Map<String, String> text = new HashMap<>();
        values.forEach((name, value) -> text.put(name, value.s()));
        return text;
    }
}
