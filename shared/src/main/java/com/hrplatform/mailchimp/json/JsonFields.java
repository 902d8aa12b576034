package com.hrplatform.mailchimp.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads JSON keeping only some dotted paths, as Mailchimp's {@code fields=} picks them ({@code new_members.id} keeps
 * the {@code id} of every element of {@code new_members}; {@code errors} keeps that whole value). For answers that
 * carry far more than a caller uses and whose request takes no {@code fields} (a batch add answers the whole member
 * for each one added): what is not kept is only scanned for its end, byte by byte, without tokens, names or strings,
 * which is several times cheaper than parsing it. Kept values are parsed by Jackson (a string with no escape is made a
 * text node directly), field names are matched as bytes; a skipped value is checked only
 * for balanced brackets and closed strings.
 */
public final class JsonFields {
    /** A node of the path tree: no children means the whole value is kept. */
    private final Map<String, JsonFields> children = new HashMap<>();
    /** The children again, with their names as UTF-8 bytes: an answer's field names are matched without a String each. */
    private String[] childNames = new String[0];
    private byte[][] childNameBytes = new byte[0][];
    private JsonFields[] childNodes = new JsonFields[0];

    private JsonFields() {
    }

    /** The paths to keep, e.g. {@code "new_members.id", "errors"}. */
    public static JsonFields of(Collection<String> paths) {
        JsonFields root = new JsonFields();
        for (String path : paths) {
            JsonFields node = root;
            for (String name : path.split("\\.")) {
                node = node.children.computeIfAbsent(name, n -> new JsonFields());
            }
        }
        root.index();
        return root;
    }

    private void index() {
        childNames = children.keySet().toArray(new String[0]);
        childNameBytes = new byte[childNames.length][];
        childNodes = new JsonFields[childNames.length];
        for (int i = 0; i < childNames.length; i++) {
            childNameBytes[i] = childNames[i].getBytes(StandardCharsets.UTF_8);
            childNodes[i] = children.get(childNames[i]);
            childNodes[i].index();
        }
    }

    /** The kept part of a UTF-8 JSON document; null for an empty one. */
    public JsonNode read(byte[] utf8) throws IOException {
        Reader reader = new Reader(utf8);
        if (reader.skipSpace() == utf8.length) {
            return null;
        }
        JsonNode kept = reader.value(this);
        if (reader.skipSpace() != utf8.length) {
            throw new IOException("Trailing content after the JSON document");
        }
        return kept;
    }

    private static final class Reader {
        private final byte[] in;
        private int pos;

        Reader(byte[] in) {
            this.in = in;
        }

        /** Reads the value at {@code pos}, keeping what {@code keep} names. */
        JsonNode value(JsonFields keep) throws IOException {
            byte first = in[pos];
            if (first == '"') {
                JsonNode text = plainString();
                if (text != null) {
                    return text;
                }
            }
            if (keep.children.isEmpty() || first != '{' && first != '[') {
                int start = pos;
                skipValue();
                return Json.MAPPER.readTree(in, start, pos - start);
            }
            if (first == '[') {
                ArrayNode array = Json.MAPPER.createArrayNode();
                pos++;
                if (peek() == ']') {
                    pos++;
                    return array;
                }
                while (true) {
                    skipSpace();
                    array.add(value(keep));
                    if (separator(']')) {
                        return array;
                    }
                }
            }
            ObjectNode object = Json.MAPPER.createObjectNode();
            pos++;
            if (peek() == '}') {
                pos++;
                return object;
            }
            while (true) {
                skipSpace();
                int kept = keptName(keep);
                if (peek() != ':') {
                    throw new IOException("Expected ':' at " + pos);
                }
                pos++;
                skipSpace();
                if (kept < 0) {
                    skipValue();
                } else {
                    object.set(keep.childNames[kept], value(keep.childNodes[kept]));
                }
                if (separator('}')) {
                    return object;
                }
            }
        }

        /** After an element: true at the closing bracket (consumed), false after a comma. */
        private boolean separator(char close) throws IOException {
            byte next = peek();
            pos++;
            if (next == close) {
                return true;
            }
            if (next != ',') {
                throw new IOException("Expected ',' or '" + close + "' at " + (pos - 1));
            }
            return false;
        }

        /**
         * A string value with no escape and no control character, made a text node here (parsing a few bytes with
         * Jackson costs a parser each: two per member of a batch answer); null, and nothing read, for any other.
         */
        private JsonNode plainString() {
            int after = stringEnd(in, pos);
            if (after < 0) {
                return null;
            }
            for (int i = pos + 1; i < after - 1; i++) {
                byte b = in[i];
                if (b == '\\' || b >= 0 && b < ' ') {
                    return null;
                }
            }
            JsonNode text = TextNode.valueOf(new String(in, pos + 1, after - pos - 2, StandardCharsets.UTF_8));
            pos = after;
            return text;
        }

        /** Moves past the field name at {@code pos}; answers which child of {@code keep} it names, -1 for none. */
        private int keptName(JsonFields keep) throws IOException {
            if (in[pos] != '"') {
                throw new IOException("Expected a field name at " + pos);
            }
            int after = stringEnd(in, pos);
            if (after < 0) {
                pos = in.length;
                throw new IOException("Unterminated string in the JSON document");
            }
            int start = pos + 1;
            int length = after - 1 - start;
            for (int i = start; i < after - 1; i++) {
                if (in[i] == '\\') {
                    String name = name(); // escaped: compared as text
                    for (int c = 0; c < keep.childNames.length; c++) {
                        if (keep.childNames[c].equals(name)) {
                            return c;
                        }
                    }
                    return -1;
                }
            }
            pos = after;
            candidates:
            for (int c = 0; c < keep.childNameBytes.length; c++) {
                byte[] candidate = keep.childNameBytes[c];
                if (candidate.length != length) {
                    continue;
                }
                for (int i = 0; i < length; i++) {
                    if (candidate[i] != in[start + i]) {
                        continue candidates;
                    }
                }
                return c;
            }
            return -1;
        }

        private String name() throws IOException {
            if (in[pos] != '"') {
                throw new IOException("Expected a field name at " + pos);
            }
            int start = pos;
            boolean escaped = skipString();
            return escaped ? Json.MAPPER.readTree(in, start, pos - start).asText()
                    : new String(in, start + 1, pos - start - 2, StandardCharsets.UTF_8);
        }

        /**
         * Moves past one value: a string, a container with everything in it, or a literal. The loops keep the
         * position in a local: most of a batch answer's bytes pass through here, and a field written on every byte
         * costs several times more where the JIT does not keep it in a register (Lambda's tiered level 1).
         */
        private void skipValue() throws IOException {
            final byte[] bytes = in;
            final int end = bytes.length;
            int p = pos;
            int depth = 0;
            do {
                if (p >= end) {
                    pos = p;
                    throw new IOException("Unexpected end of the JSON document");
                }
                byte b = bytes[p];
                if (b == '"') {
                    p = stringEnd(bytes, p);
                    if (p < 0) {
                        pos = end;
                        throw new IOException("Unterminated string in the JSON document");
                    }
                    continue;
                }
                if (b == '{' || b == '[') {
                    depth++;
                } else if (b == '}' || b == ']') {
                    if (--depth < 0) {
                        pos = p;
                        throw new IOException("Unbalanced '" + (char) b + "' at " + p);
                    }
                } else if (depth == 0) {
                    // A literal (number, true, false, null): up to the next delimiter.
                    while (p < end && bytes[p] != ',' && bytes[p] != '}' && bytes[p] != ']' && bytes[p] > ' ') {
                        p++;
                    }
                    pos = p;
                    return;
                }
                p++;
            } while (depth > 0);
            pos = p;
        }

        /** Where the string opening at {@code start} ends (just past its closing quote); -1 when it does not. */
        private static int stringEnd(byte[] bytes, int start) {
            final int end = bytes.length;
            for (int p = start + 1; p < end; p++) {
                byte b = bytes[p];
                if (b == '"') {
                    return p + 1;
                }
                if (b == '\\') {
                    p++;
                }
            }
            return -1;
        }

        /** Moves past the string at {@code pos}; answers whether it held an escape. */
        private boolean skipString() throws IOException {
            int after = stringEnd(in, pos);
            if (after < 0) {
                pos = in.length;
                throw new IOException("Unterminated string in the JSON document");
            }
            boolean escaped = false;
            for (int p = pos + 1; p < after - 1 && !escaped; p++) {
                escaped = in[p] == '\\';
            }
            pos = after;
            return escaped;
        }

        private byte peek() throws IOException {
            skipSpace();
            if (pos >= in.length) {
                throw new IOException("Unexpected end of the JSON document");
            }
            return in[pos];
        }

        int skipSpace() {
            while (pos < in.length && (in[pos] == ' ' || in[pos] == '\n' || in[pos] == '\r' || in[pos] == '\t')) {
                pos++;
            }
            return pos;
        }
    }
}
