package com.hrplatform.mailchimp.json;

import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.audit.AuditEntry;
import com.hrplatform.mailchimp.campaign.CampaignStatus;
import com.hrplatform.mailchimp.campaign.CampaignView;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.connection.ConnectionView;
import com.hrplatform.mailchimp.preference.Preference;
import com.hrplatform.mailchimp.segment.SegmentRun;
import com.hrplatform.mailchimp.segment.SegmentService;
import com.hrplatform.mailchimp.segment.SegmentView;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** JsonOut writes what the ObjectMapper of {@link Json} writes, byte for byte, for every kind of API answer. */
class JsonOutTest {

    @Property
    void stringsAreEscapedAsJacksonEscapesThem(@ForAll String text) throws Exception {
        assertSameAsJackson(text);
    }

    @Property
    void numbersAreWrittenAsJacksonWritesThem(@ForAll double d, @ForAll float f, @ForAll long l, @ForAll int i) throws Exception {
        assertSameAsJackson(Arrays.asList(d, f, l, i, (Double) null));
    }

    @Test
    void nonFiniteAndExactNumbers() throws Exception {
        assertSameAsJackson(List.of(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-7, 1e21, -0.0,
                new BigDecimal("1.50E+3"), new BigInteger("123456789012345678901234567890"), (short) 3, (byte) -4));
    }

    @Test
    void everyKindOfAnswer() throws Exception {
        Map<String, Integer> skipped = new LinkedHashMap<>();
        skipped.put("pending", 2);
        skipped.put("archived_by_someone_else", 1);
        SegmentRun run = new SegmentRun("run-1", "2026-12-07T05:00:00.000Z", null, 3, 1, 9, 0, 1, 1, 2, skipped, 1,
                List.of(new SegmentRun.MemberError("emp-1", "Mailchimp refused \"x\"\n")));
        SegmentView segment = new SegmentView("seg-1", "Sales", null, "employee", "a1b2c3d4e5",
                Map.of("department", List.of("Sales", "Ops")), true, "synced", 12, "2026-12-07T05:00:01.000Z", null, run,
                "2026-12-01T00:00:00.000Z", "2026-12-02T00:00:00.000Z");
        CampaignView campaign = new CampaignView("c1", "c1", "Tÿtle ☃ 😀", "Hello\tthere", "list", CampaignStatus.SENT,
                null, 1200, 0.4567, null, 5L, null, "2026-12-07T00:00:00Z", "2026-12-06T00:00:00Z");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("count", 3);
        details.put("ratio", 0.5);
        details.put("big", 12345678901L);
        details.put("flag", true);
        details.put("nested", Map.of("ids", List.of("a", "b")));
        details.put("none", null);

        assertSameAsJackson(new ConnectionView("Acme", "acc-1", "us1", "…abcd-us1", "connected", "2026-12-01T00:00:00Z", null));
        assertSameAsJackson(List.of(new ConnectionService.AudienceView("a1b2c3d4e5", "Newsletter", 42)));
        assertSameAsJackson(new Page<>(List.of(segment), "eyJrIjoidiJ9"));
        assertSameAsJackson(new Page<>(List.of(campaign), null));
        assertSameAsJackson(new Page<>(List.of(new AuditEntry("2026-12-07T00:00:00Z", "user-1", "segment.sync",
                "segment", "seg-1", details)), null));
        assertSameAsJackson(List.of(new Preference.Change("opted_out", "2026-12-07T00:00:00Z", "mailchimp:webhook")));
        assertSameAsJackson(new SegmentService.SyncStarted("seg-1", "run-1", "syncing"));
        assertSameAsJackson(Map.of("success", true));
        assertSameAsJackson(null);
        assertSameAsJackson(Json.read("{\"a\":[1,2.5,\"x\",null,{\"b\":false}]}"));
    }

    @Test
    void aTypeWithoutAJsonFormIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonOut.write(new Object()));
        assertEquals("No JSON form for java.lang.Object", e.getMessage());
    }

    private static void assertSameAsJackson(Object value) throws Exception {
        assertEquals(Json.MAPPER.writeValueAsString(value), JsonOut.write(value));
    }
}
