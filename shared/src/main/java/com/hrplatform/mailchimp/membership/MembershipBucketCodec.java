package com.hrplatform.mailchimp.membership;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * The stored form of one bucket of memberships: a deflated list of records. About 80 bytes a member,
 * so a bucket stays far below DynamoDB's 400 KB item limit up to millions of members per audience.
 */
public final class MembershipBucketCodec {
    private static final int FORMAT = 1;
    private static final int PLACED_BY_US = 1;
    private static final int HAS_EMAIL = 2;
    private static final int HAS_ENTITY_KEY = 4;
    private static final int HAS_DIGEST = 8;
    private static final int HAS_UPDATED_AT = 16;

    private MembershipBucketCodec() {
    }

    public static byte[] encode(Collection<Membership> members) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + members.size() * 64);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (DataOutputStream out = new DataOutputStream(new DeflaterOutputStream(bytes, deflater))) {
            out.writeByte(FORMAT);
            out.writeInt(members.size());
            for (Membership member : members) {
                int flags = (member.placedByUs() ? PLACED_BY_US : 0) | (member.email() != null ? HAS_EMAIL : 0)
                        | (member.entityKey() != null ? HAS_ENTITY_KEY : 0) | (member.digest() != null ? HAS_DIGEST : 0)
                        | (member.updatedAt() != null ? HAS_UPDATED_AT : 0);
                out.writeByte(flags);
                writeText(out, member.subscriberHash());
                writeText(out, member.status());
                writeIf(out, member.email());
                writeIf(out, member.entityKey());
                writeIf(out, member.digest());
                writeIf(out, member.updatedAt());
                out.writeShort(member.segments().size());
                for (String segmentId : member.segments()) {
                    writeText(out, segmentId);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Encoding memberships in memory failed", e);
        } finally {
            deflater.end();
        }
        return bytes.toByteArray();
    }

    public static List<Membership> decode(String orgId, String listId, byte[] stored) {
        try (DataInputStream in = new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(stored)))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalStateException("Unknown membership bucket format " + format);
            }
            int count = in.readInt();
            List<Membership> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int flags = in.readUnsignedByte();
                String hash = in.readUTF();
                String status = in.readUTF();
                String email = (flags & HAS_EMAIL) != 0 ? in.readUTF() : null;
                String entityKey = (flags & HAS_ENTITY_KEY) != 0 ? in.readUTF() : null;
                String digest = (flags & HAS_DIGEST) != 0 ? in.readUTF() : null;
                String updatedAt = (flags & HAS_UPDATED_AT) != 0 ? in.readUTF() : null;
                int segmentCount = in.readUnsignedShort();
                String[] segments = new String[segmentCount];
                for (int s = 0; s < segmentCount; s++) {
                    segments[s] = in.readUTF();
                }
                members.add(new Membership(orgId, listId, hash, email, entityKey, status, digest, Set.of(segments),
                        (flags & PLACED_BY_US) != 0, updatedAt));
            }
            return members;
        } catch (IOException e) {
            throw new UncheckedIOException("A stored membership bucket is unreadable", e);
        }
    }

    private static void writeIf(DataOutputStream out, String value) throws IOException {
        if (value != null) {
            writeText(out, value);
        }
    }

    /**
     * {@link DataOutputStream#writeUTF}'s bytes, written at once when every char is ASCII other than NUL (hashes, ids,
     * statuses, times, nearly every address), where modified UTF-8 is one byte per char; writeUTF goes char by char.
     */
    static void writeText(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        // As many bytes as chars: all ASCII (anything else takes two or more, but for a lone surrogate, written as
        // '?'); NUL is two bytes in modified UTF-8.
        boolean ascii = utf8.length == value.length() && utf8.length <= 65_535 && value.indexOf('\0') < 0;
        for (int i = 0; ascii && i < utf8.length; i++) {
            ascii = utf8[i] != '?' || value.charAt(i) == '?';
        }
        if (!ascii) {
            out.writeUTF(value);
            return;
        }
        out.writeShort(utf8.length);
        out.write(utf8);
    }
}
