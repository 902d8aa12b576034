package com.hrplatform.mailchimp.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Keeping only some dotted paths of a JSON answer, as Mailchimp's fields= does. */
class JsonFieldsTest {
    private static JsonNode read(String json, String... paths) throws Exception {
        return JsonFields.of(List.of(paths)).read(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsNamedFieldsOfEveryElementAndWholeValuesNamedWhole() throws Exception {
        JsonNode kept = read("{\"new_members\":[{\"id\":\"a\",\"email_address\":\"a@x.com\",\"merge_fields\":{\"FNAME\":\"A\"},"
                        + "\"tags\":[{\"id\":1}]},{\"id\":\"b\",\"stats\":{\"avg_open_rate\":0.5}}],"
                        + "\"errors\":[{\"email_address\":\"c@x.com\",\"error\":\"no\",\"field\":\"FNAME\"}],"
                        + "\"total_created\":2,\"_links\":[{\"rel\":\"self\"}]}",
                "new_members.id", "new_members.email_address", "errors");
        assertEquals(Json.read("{\"new_members\":[{\"id\":\"a\",\"email_address\":\"a@x.com\"},{\"id\":\"b\"}],"
                + "\"errors\":[{\"email_address\":\"c@x.com\",\"error\":\"no\",\"field\":\"FNAME\"}]}"), kept);
    }

    @Test
    void anAbsentPathIsAbsentAndNullsAndScalarsStayAsTheyAre() throws Exception {
        JsonNode kept = read("{\"errors\":null,\"members\":\"text\",\"n\":1}", "errors", "members.id", "updated_members.id");
        assertEquals(Json.read("{\"errors\":null,\"members\":\"text\"}"), kept);
    }

    @Test
    void skippedValuesMayHoldBracketsQuotesEscapesAndEveryLiteral() throws Exception {
        String skipped = "{\"note\":\"x]}\\\"{[ \\\\\",\"n\":-1.5e3,\"t\":true,\"f\":false,\"z\":null,"
                + "\"deep\":[[{\"a\":[1,{\"b\":\"}\"}]}],[]],\"u\":\"caf\u00e9 \\u00e9\"}";
        JsonNode kept = read("{ \"new_members\" : [ " + skipped.replace("{\"note", "{\"id\":\"1\", \"note") + " ,"
                + "{\"sk\\\"ip\":" + skipped + ",\"id\":\"2\"} ] , \"tail\":" + skipped + ", \"errors\" : [ ] }",
                "new_members.id", "errors");
        assertEquals(Json.read("{\"new_members\":[{\"id\":\"1\"},{\"id\":\"2\"}],\"errors\":[]}"), kept);
    }

    @Test
    void keptStringsAndNamesReadTheSameWithOrWithoutEscapes() throws Exception {
        String answer = "{\"new_members\":[{\"i\\u0064\":\"a\\\"b\",\"email_address\":\"zo\u00eb@x.com\"},"
                + "{\"id\":\"tab\\tin\",\"email_address\":\"\\u00e9@x.com\",\"ids\":\"no\",\"i\":\"no\"}],\"errors\":\"\"}";
        assertEquals(Json.read("{\"new_members\":[{\"id\":\"a\\\"b\",\"email_address\":\"zo\u00eb@x.com\"},"
                        + "{\"id\":\"tab\\tin\",\"email_address\":\"\u00e9@x.com\"}],\"errors\":\"\"}"),
                read(answer, "new_members.id", "new_members.email_address", "errors"));
    }

    @Test
    void malformedJsonIsRefused() {
        assertThrows(java.io.IOException.class, () -> read("{\"errors\":[", "errors"));
        assertThrows(java.io.IOException.class, () -> read("{} {}", "errors"));
        // In skipped values too: a string left open (also by an escape at the very end), a bracket closed too often.
        assertThrows(java.io.IOException.class, () -> read("{\"new_members\":[{\"x\":\"open}]}", "errors"));
        assertThrows(java.io.IOException.class, () -> read("{\"new_members\":\"ends in \\", "errors"));
        assertThrows(java.io.IOException.class, () -> read("{\"new_members\":[1]]}", "errors"));
        assertThrows(java.io.IOException.class, () -> read("{\"new_members\":[{\"a\":1}", "errors"));
    }
}
