package com.hrplatform.mailchimp.mapping;

import com.hrplatform.mailchimp.api.Input;
import com.hrplatform.mailchimp.api.TrpcException;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergeFieldMappingTest {
    private static final Contact PAT = new Contact("e1", "employee", "pat@example.com", "Pat", "Doe", "Sales", "Berlin",
            "full-time", "active", "Engineer", "2024-03-01", null, null, null);

    private static MergeFieldMapping mapping(String... tagThenField) {
        TreeMap<String, DirectoryField> byTag = new TreeMap<>();
        for (int i = 0; i < tagThenField.length; i += 2) {
            byTag.put(tagThenField[i], DirectoryField.byWireName(tagThenField[i + 1]).orElseThrow());
        }
        return new MergeFieldMapping(byTag);
    }

    /** Reads {"mapping": ...} as a procedure would; answers the mapping or the BAD_REQUEST message. */
    private static Object read(String mappingJson) throws Exception {
        Input input = Input.of(Json.read("{\"mapping\":" + mappingJson + "}"));
        Optional<MergeFieldMapping> read = input.optionalNode("mapping")
                .flatMap(node -> MergeFieldMapping.read(input, "mapping", node));
        try {
            input.validate();
        } catch (TrpcException e) {
            return e.getMessage();
        }
        return read.orElseThrow();
    }

    @Test
    void theDefaultSendsFirstAndLastNameAndKeepsTheDigestMembersWereRecordedWith() {
        assertEquals(Map.of("FNAME", "Pat", "LNAME", "Doe"), MergeFieldMapping.DEFAULT.values(PAT));
        assertEquals(Contact.md5Hex("pat@example.com\nPat\nDoe"), MergeFieldMapping.DEFAULT.digest(PAT),
                "the digest of every member synced before mappings existed: turning mappings on rewrites nobody");
    }

    @Test
    void aMappingSendsEachFieldUnderItsTagAndEmptyForNone() {
        MergeFieldMapping mapping = mapping("FNAME", "firstName", "DEPT", "department", "START", "startDate",
                "HRID", "stableId", "TITLE", "jobTitle");
        Contact noTitle = new Contact("e1", "employee", "pat@example.com", "Pat", "Doe", "Sales", "Berlin",
                "full-time", "active", null, "2024-03-01", null, null, null);
        assertEquals(Map.of("FNAME", "Pat", "DEPT", "Sales", "START", "2024-03-01", "HRID", "employee#e1", "TITLE", ""),
                mapping.values(noTitle));
        assertEquals(Map.of("FNAME", "text", "DEPT", "text", "START", "date", "HRID", "text", "TITLE", "text"),
                mapping.typesByTag());
    }

    @Test
    void theDigestChangesOnlyWhenAMappedValueChanges() {
        MergeFieldMapping mapping = mapping("DEPT", "department");
        Contact otherLocation = new Contact("e1", "employee", "pat@example.com", "Pat", "Doe", "Sales", "Paris",
                "full-time", "active", "Engineer", "2024-03-01", null, null, null);
        Contact otherDepartment = new Contact("e1", "employee", "pat@example.com", "Pat", "Doe", "Finance", "Berlin",
                "full-time", "active", "Engineer", "2024-03-01", null, null, null);
        assertEquals(mapping.digest(PAT), mapping.digest(otherLocation), "location is not sent");
        assertNotEquals(mapping.digest(PAT), mapping.digest(otherDepartment));
        assertNotEquals(mapping.digest(PAT), mapping("DEPT", "location").digest(PAT), "the same tag, another field");
        assertNotEquals(mapping.digest(PAT), MergeFieldMapping.DEFAULT.digest(PAT));
    }

    @Test
    void readsAMappingAndKeepsItsStoredForm() throws Exception {
        Object read = read("[{\"field\":\"department\",\"tag\":\"DEPT\"},{\"field\":\"startDate\",\"tag\":\"START_DATE\"}]");
        MergeFieldMapping mapping = (MergeFieldMapping) read;
        assertEquals(mapping("DEPT", "department", "START_DATE", "startDate"), mapping);
        assertEquals(mapping, MergeFieldMapping.fromStored(mapping.toStored()));
        assertEquals(List.of(new MergeFieldMapping.Entry("department", "DEPT"),
                new MergeFieldMapping.Entry("startDate", "START_DATE")), mapping.entries());
    }

    @Test
    void validationNamesTheBadEntryAndField() throws Exception {
        String message = (String) read("[{\"field\":\"salary\",\"tag\":\"PAY\"},"
                + "{\"field\":\"department\",\"tag\":\"DEPARTMENT1\"},"
                + "{\"field\":\"location\",\"tag\":\"dept\"},"
                + "{\"field\":\"location\",\"tag\":\"LOC\"},"
                + "{\"field\":\"jobTitle\",\"tag\":\"LOC\"},"
                + "{\"field\":\"firstName\",\"tag\":\"EMAIL\"},"
                + "{\"tag\":\"X\",\"colour\":\"red\"}]");
        for (String expected : List.of("mapping[0].field: unknown directory field; use one of firstName",
                "mapping[1].tag: at most 10 characters (Mailchimp's limit for a merge tag)",
                "mapping[2].tag: only uppercase letters, digits and _",
                "mapping[4].tag: LOC is mapped twice (also mapping[3])",
                "mapping[5].tag: EMAIL is the member's address",
                "mapping[6].colour: unknown field", "mapping[6].field: required")) {
            assertTrue(message.contains(expected), () -> expected + " in " + message);
        }
    }

    @Test
    void aTagOfTenCharactersIsMailchimpsLimitAndTaken() throws Exception {
        assertEquals(mapping("ABCDEFGHIJ", "department"), read("[{\"field\":\"department\",\"tag\":\"ABCDEFGHIJ\"}]"));
        assertTrue(((String) read("[{\"field\":\"department\",\"tag\":\"ABCDEFGHIJK\"}]"))
                .contains("mapping[0].tag: at most 10 characters"));
        assertTrue(((String) read("[]")).contains("mapping: expected 1 to 30 entries"));
        assertTrue(((String) read("{\"DEPT\":\"department\"}")).contains("mapping: expected an array of {field, tag}"));
    }

    @Test
    void anAudienceSendsTheUnionOfItsSegmentsMappingsAndTheirConflictsAreFound() {
        MergeFieldMapping sales = mapping("FNAME", "firstName", "DEPT", "department");
        MergeFieldMapping berlin = mapping("FNAME", "firstName", "START", "startDate");
        assertEquals(mapping("FNAME", "firstName", "DEPT", "department", "START", "startDate"),
                MergeFieldMapping.union(List.of(sales, berlin)));
        assertEquals(MergeFieldMapping.DEFAULT, MergeFieldMapping.union(List.of(MergeFieldMapping.DEFAULT,
                MergeFieldMapping.DEFAULT)), "two default segments keep the default digest");
        assertTrue(sales.conflicts(berlin).isEmpty());
        assertEquals(Map.of("DEPT", DirectoryField.LOCATION), sales.conflicts(mapping("DEPT", "location")));
    }

    @Test
    void anUnreadableStoredMappingFallsBackToTheDefault() {
        assertEquals(MergeFieldMapping.DEFAULT, MergeFieldMapping.fromStored("not json"));
        assertEquals(MergeFieldMapping.DEFAULT, MergeFieldMapping.fromStored("[{\"field\":\"salary\",\"tag\":\"PAY\"}]"));
        assertEquals(null, MergeFieldMapping.fromStored(null));
        assertThrows(UnsupportedOperationException.class, () -> MergeFieldMapping.DEFAULT.byTag().put("X", DirectoryField.LOCATION));
    }
}
