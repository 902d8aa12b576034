package com.hrplatform.mailchimp.membership;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

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

    /**
     * The records are written out whole, then deflated in one call: a deflater fed field by field (a
     * DeflaterOutputStream under a DataOutputStream) makes a native call per write, which cost more than the rest.
     * They are written into a plain array ({@link Out}): a DataOutputStream over a ByteArrayOutputStream takes a lock
     * per byte of every length.
     */
    public static byte[] encode(Collection<Membership> members) {
        Out out = new Out(64 + members.size() * 200);
        out.writeByte(FORMAT);
        out.writeInt(members.size());
        for (Membership member : members) {
            int flags = (member.placedByUs() ? PLACED_BY_US : 0) | (member.email() != null ? HAS_EMAIL : 0)
                    | (member.entityKey() != null ? HAS_ENTITY_KEY : 0) | (member.digest() != null ? HAS_DIGEST : 0)
                    | (member.updatedAt() != null ? HAS_UPDATED_AT : 0);
            out.writeByte(flags);
            out.writeText(member.subscriberHash());
            out.writeText(member.status());
            out.writeTextIf(member.email());
            out.writeTextIf(member.entityKey());
            out.writeTextIf(member.digest());
            out.writeTextIf(member.updatedAt());
            out.writeShort(member.segments().size());
            for (String segmentId : member.segments()) {
                out.writeText(segmentId);
            }
        }
        return deflate(out.bytes, out.length);
    }

    /** DataOutputStream's encoding of the fields, into a growing array. */
    private static final class Out {
        private byte[] bytes;
        private int length;

        Out(int capacity) {
            bytes = new byte[capacity];
        }

        private void room(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        void writeByte(int value) {
            room(1);
            bytes[length++] = (byte) value;
        }

        void writeShort(int value) {
            room(2);
            bytes[length++] = (byte) (value >>> 8);
            bytes[length++] = (byte) value;
        }

        void writeInt(int value) {
            room(4);
            bytes[length++] = (byte) (value >>> 24);
            bytes[length++] = (byte) (value >>> 16);
            bytes[length++] = (byte) (value >>> 8);
            bytes[length++] = (byte) value;
        }

        void writeTextIf(String value) {
            if (value != null) {
                writeText(value);
            }
        }

        /**
         * {@link DataOutputStream#writeUTF}'s bytes. ISO-8859-1 is a plain copy of a Latin-1 string (UTF-8 scans
         * it first); where all chars are ASCII but NUL, those bytes are also its modified UTF-8.
         */
        void writeText(String value) {
            byte[] latin1 = value.getBytes(StandardCharsets.ISO_8859_1);
            if (!isModifiedUtf8(value, latin1)) {
                ByteArrayOutputStream odd = new ByteArrayOutputStream(latin1.length + 8);
                try {
                    new DataOutputStream(odd).writeUTF(value);
                } catch (IOException e) {
                    throw new UncheckedIOException("Encoding memberships in memory failed", e);
                }
                room(odd.size());
                System.arraycopy(odd.toByteArray(), 0, bytes, length, odd.size());
                length += odd.size();
                return;
            }
            room(2 + latin1.length);
            bytes[length++] = (byte) (latin1.length >>> 8);
            bytes[length++] = (byte) latin1.length;
            System.arraycopy(latin1, 0, bytes, length, latin1.length);
            length += latin1.length;
        }
    }

    private static byte[] deflate(byte[] plain, int plainLength) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(plain, 0, plainLength);
            deflater.finish();
            byte[] out = new byte[Math.max(64, plainLength / 2)];
            int length = 0;
            while (!deflater.finished()) {
                if (length == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                length += deflater.deflate(out, length, out.length - length);
            }
            return Arrays.copyOf(out, length);
        } finally {
            deflater.end();
        }
    }

    /** Inflated in one go, then read from the array: reading through an InflaterInputStream made a native call per field. */
    public static List<Membership> decode(String orgId, String listId, byte[] stored) {
        try {
            Reader in = new Reader(inflate(stored));
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalStateException("Unknown membership bucket format " + format);
            }
            int count = in.readInt();
            List<Membership> members = new ArrayList<>(Math.min(count, 1 << 16));
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
        } catch (IOException | DataFormatException e) {
            throw new UncheckedIOException("A stored membership bucket is unreadable",
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    private static byte[] inflate(byte[] stored) throws DataFormatException, EOFException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stored);
            byte[] out = new byte[Math.max(256, stored.length * 3)];
            int length = 0;
            while (!inflater.finished()) {
                if (length == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                int inflated = inflater.inflate(out, length, out.length - length);
                if (inflated == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new EOFException("A stored membership bucket ends early");
                }
                length += inflated;
            }
            return length == out.length ? out : Arrays.copyOf(out, length);
        } finally {
            inflater.end();
        }
    }

    /** DataInputStream's reads over an array, with modified UTF-8 text that is all ASCII (nearly all) made at once. */
    private static final class Reader {
        private final byte[] in;
        private int pos;

        Reader(byte[] in) {
            this.in = in;
        }

        private void need(int bytes) throws EOFException {
            if (pos + bytes > in.length) {
                throw new EOFException("A stored membership bucket ends early");
            }
        }

        int readUnsignedByte() throws EOFException {
            need(1);
            return in[pos++] & 0xff;
        }

        int readUnsignedShort() throws EOFException {
            need(2);
            int value = (in[pos] & 0xff) << 8 | in[pos + 1] & 0xff;
            pos += 2;
            return value;
        }

        int readInt() throws EOFException {
            need(4);
            int value = (in[pos] & 0xff) << 24 | (in[pos + 1] & 0xff) << 16 | (in[pos + 2] & 0xff) << 8 | in[pos + 3] & 0xff;
            pos += 4;
            return value;
        }

        String readUTF() throws IOException {
            int length = readUnsignedShort();
            need(length);
            int start = pos;
            for (int i = start; i < start + length; i++) {
                if (in[i] <= 0) {
                    // Not ASCII (a multi-byte char; NUL is two bytes): DataInputStream's own decoding, from the length.
                    pos = start + length;
                    return new DataInputStream(new ByteArrayInputStream(in, start - 2, length + 2)).readUTF();
                }
            }
            pos = start + length;
            return new String(in, start, length, StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Whether {@code bytes} (the value's ISO-8859-1) are also its modified UTF-8, as writeUTF writes it: all ASCII but
     * NUL. A char outside Latin-1 (or a lone surrogate) is '?' there, checked against the char; a Latin-1 char beyond
     * ASCII is a negative byte; NUL is two bytes in modified UTF-8.
     */
    private static boolean isModifiedUtf8(String value, byte[] bytes) {
        boolean ascii = bytes.length == value.length() && bytes.length <= 65_535;
        for (int i = 0; ascii && i < bytes.length; i++) {
            byte b = bytes[i];
            ascii = b > 0 && (b != '?' || value.charAt(i) == '?');
        }
        return ascii;
    }
}
