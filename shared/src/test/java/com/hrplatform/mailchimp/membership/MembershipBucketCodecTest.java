package com.hrplatform.mailchimp.membership;

import com.hrplatform.mailchimp.contact.Contact;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MembershipBucketCodecTest {

    @Test
    void roundTripsEveryFieldIncludingAbsentOnes() {
        Membership placed = new Membership("org-1", "list-1", Contact.subscriberHash("ada@example.com"), "ada@example.com",
                "employee#e-1", Membership.SUBSCRIBED, "d1", Set.of("segment-a", "segment-b"), true, "2026-11-26T00:00:00Z");
        // Learned from Mailchimp: no entity, no digest, in no segment, not ours.
        Membership learned = new Membership("org-1", "list-1", Contact.subscriberHash("bob@example.com"), "bob@example.com",
                null, Membership.UNSUBSCRIBED, null, Set.of(), false, null);
        Membership noEmail = new Membership("org-1", "list-1", Contact.subscriberHash("eve@example.com"), null,
                null, Membership.CLEANED, null, Set.of(), false, "2026-11-26T01:00:00Z");

        List<Membership> decoded = MembershipBucketCodec.decode("org-1", "list-1",
                MembershipBucketCodec.encode(List.of(placed, learned, noEmail)));

        assertEquals(List.of(placed, learned, noEmail), decoded);
    }

    @Test
    void nonAsciiAndNulCharactersRoundTripAsModifiedUtf8() throws Exception {
        Membership accented = new Membership("org-1", "list-1", Contact.subscriberHash("zoë@exämple.com"), "zoë@exämple.com",
                "employee#é\u0000-1", Membership.SUBSCRIBED, "d1", Set.of("segment-ü", "segment-a"), true, "2026-11-26T00:00:00Z");
        assertEquals(List.of(accented), MembershipBucketCodec.decode("org-1", "list-1",
                MembershipBucketCodec.encode(List.of(accented))));
        // The encoder's ASCII fast path is a Latin-1 copy: chars beyond Latin-1 come out as '?' there, Latin-1 beyond
        // ASCII as negative bytes, NUL as a zero, so each of these must take writeUTF's path and come back whole (a
        // lone surrogate and an emoji only do as modified UTF-8).
        for (String odd : List.of("Łukasz", "why?", "a?b\uD800c", "nul\u0000", "é", "ÿ", "\uD83D\uDE00", "\u0141?")) {
            Membership member = new Membership("org-1", "list-1", Contact.subscriberHash(odd + "@example.com"),
                    odd + "@example.com", "employee#" + odd, Membership.SUBSCRIBED, odd, Set.of("segment-" + odd), true,
                    "2026-11-26T00:00:00Z");
            assertEquals(List.of(member), MembershipBucketCodec.decode("org-1", "list-1",
                    MembershipBucketCodec.encode(List.of(member))), odd);
        }
    }

    @Test
    void aThousandMembersFitInAQuarterOfAnItem() {
        // A bucket holds about 1/1024 of an audience: 1,000 members is an audience of about a million people,
        // and must stay far below DynamoDB's 400 KB item limit.
        List<Membership> members = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String email = "person" + i + "@bench.example.com";
            members.add(new Membership("org", "list", Contact.subscriberHash(email), email, "employee#p" + i,
                    Membership.SUBSCRIBED, Contact.md5Hex(email + "\nFirst\nLast"), Set.of("3f2c6c1e-8a4b-4c55-9d7e-1f0a2b3c4d5e"),
                    true, "2026-11-26T09:23:55.645Z"));
        }
        int bytes = MembershipBucketCodec.encode(members).length;
        assertTrue(bytes < 100_000, "1,000 members in " + bytes + " bytes");
        assertEquals(members, MembershipBucketCodec.decode("org", "list", MembershipBucketCodec.encode(members)));
    }

    @Test
    void refusesAnUnknownFormat() throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new DeflaterOutputStream(bytes)) {
            out.write(new byte[]{9, 0, 0, 0, 0});
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MembershipBucketCodec.decode("org", "list", bytes.toByteArray()));
        assertTrue(e.getMessage().contains("format 9"), e.getMessage());
    }

    @Test
    void bucketsSortLikeHashes() {
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            hashes.add(Contact.subscriberHash("p" + i + "@example.com"));
        }
        hashes.sort(null);
        List<String> buckets = hashes.stream().map(MembershipRepository::bucketOf).toList();
        assertEquals(buckets.stream().sorted().toList(), buckets, "bucket order follows hash order");
        assertEquals("000", MembershipRepository.bucketOf("000" + "0".repeat(29)));
        assertEquals("3ff", MembershipRepository.bucketOf("fff" + "f".repeat(29)));
        assertEquals(MembershipRepository.BUCKETS, 1024);
    }

    @Test
    void bucketsStoredByTheFieldByFieldEncoderStillRead() throws Exception {
        // The encoder before this one fed a DeflaterOutputStream field by field with writeUTF: the same format.
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.DataOutputStream(new DeflaterOutputStream(bytes, new java.util.zip.Deflater(1)))) {
            out.writeByte(1);
            out.writeInt(2);
            out.writeByte(1 | 2 | 4 | 8 | 16);
            out.writeUTF("a".repeat(32));
            out.writeUTF(Membership.SUBSCRIBED);
            out.writeUTF("zoë@exämple.com");
            out.writeUTF("employee#\u0000-1");
            out.writeUTF("d1");
            out.writeUTF("2026-11-26T00:00:00Z");
            out.writeShort(2);
            out.writeUTF("segment-a");
            out.writeUTF("segment-\uD83D\uDE00");
            out.writeByte(0);
            out.writeUTF("b".repeat(32));
            out.writeUTF(Membership.CLEANED);
            out.writeShort(0);
        }
        assertEquals(List.of(
                new Membership("org", "list", "a".repeat(32), "zoë@exämple.com", "employee#\u0000-1", Membership.SUBSCRIBED,
                        "d1", Set.of("segment-a", "segment-\uD83D\uDE00"), true, "2026-11-26T00:00:00Z"),
                new Membership("org", "list", "b".repeat(32), null, null, Membership.CLEANED, null, Set.of(), false, null)),
                MembershipBucketCodec.decode("org", "list", bytes.toByteArray()));
    }

    @Test
    void aTruncatedBucketIsRefusedNotReadInPart() {
        List<Membership> members = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            members.add(new Membership("org", "list", Contact.subscriberHash("p" + i + "@example.com"), "p" + i + "@example.com",
                    "employee#p" + i, Membership.SUBSCRIBED, "d" + i, Set.of("s"), true, "2026-11-26T00:00:00Z"));
        }
        byte[] stored = MembershipBucketCodec.encode(members);
        for (int length : new int[]{0, 1, stored.length / 2, stored.length - 1}) {
            byte[] cut = java.util.Arrays.copyOf(stored, length);
            assertThrows(java.io.UncheckedIOException.class, () -> MembershipBucketCodec.decode("org", "list", cut),
                    "cut at " + length);
        }
    }
}
