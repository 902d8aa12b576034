package com.hrplatform.mailchimp.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.hrplatform.mailchimp.api.Input;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.json.Json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which directory field travels to which Mailchimp merge field (merge tag -> field). A segment has its own or uses
 * its connection's default; without either, {@link #DEFAULT}: FNAME and LNAME from first and last name, what every
 * sync sent before mappings existed. A tag holds one value per member, so one audience has one mapping: the union
 * of its live segments' (conflicts are refused when a mapping is set, see {@link #conflicts}).
 */
public record MergeFieldMapping(SortedMap<String, DirectoryField> byTag) {
    public static final String TEXT = "text";
    public static final String DATE = "date";
    /** Mailchimp's limit for a merge tag (its audience field settings refuse longer ones). */
    public static final int MAX_TAG_LENGTH = 10;
    public static final int MAX_ENTRIES = 30;
    static final Pattern TAG = Pattern.compile("^[A-Z0-9_]+$");
    /** EMAIL is the member's address itself, never a merge field we fill. */
    static final String EMAIL_TAG = "EMAIL";

    public static final MergeFieldMapping DEFAULT = new MergeFieldMapping(new TreeMap<>(Map.of(
            "FNAME", DirectoryField.FIRST_NAME, "LNAME", DirectoryField.LAST_NAME)));

    public MergeFieldMapping {
        byTag = Collections.unmodifiableSortedMap(new TreeMap<>(byTag));
    }

    /** One line of a mapping as the API shows it. */
    public record Entry(String field, String tag) {
    }

    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        byTag.forEach((tag, field) -> entries.add(new Entry(field.wireName(), tag)));
        return entries;
    }

    /** The merge field type each tag needs in the audience. */
    public Map<String, String> typesByTag() {
        Map<String, String> types = new LinkedHashMap<>();
        byTag.forEach((tag, field) -> types.put(tag, field.mailchimpType()));
        return types;
    }

    /** Each tag's value for the person ("" where the directory has none, which clears an old value in Mailchimp). */
    public Map<String, String> values(Contact person) {
        Map<String, String> values = new LinkedHashMap<>();
        byTag.forEach((tag, field) -> {
            String value = field.valueOf(person);
            values.put(tag, value == null ? "" : value);
        });
        return values;
    }

    /**
     * What we send for the person; a change means their merge fields must be written again. The default mapping
     * keeps the digest every member was recorded with before mappings existed, so turning this on rewrites nobody.
     */
    public String digest(Contact person) {
        if (equals(DEFAULT)) {
            return Contact.md5Hex(person.email() + "\n" + nullToEmpty(person.firstName()) + "\n"
                    + nullToEmpty(person.lastName()));
        }
        StringBuilder text = new StringBuilder(person.email());
        byTag.forEach((tag, field) -> text.append('\n').append(tag).append('=').append(nullToEmpty(field.valueOf(person))));
        return Contact.md5Hex(text.toString());
    }

    /** One audience's mapping from its live segments' (the first to name a tag keeps it). */
    public static MergeFieldMapping union(Collection<MergeFieldMapping> mappings) {
        if (mappings.size() == 1) {
            return mappings.iterator().next();
        }
        SortedMap<String, DirectoryField> byTag = new TreeMap<>();
        mappings.forEach(mapping -> mapping.byTag.forEach(byTag::putIfAbsent));
        return byTag.isEmpty() ? DEFAULT : new MergeFieldMapping(byTag);
    }

    /**
     * Tags this mapping sends a different field to than {@code other} does: a member holds one value per tag, so two
     * segments of one audience may not disagree. Answers tag -> the other's field.
     */
    public Map<String, DirectoryField> conflicts(MergeFieldMapping other) {
        Map<String, DirectoryField> conflicts = new TreeMap<>();
        byTag.forEach((tag, field) -> {
            DirectoryField theirs = other.byTag.get(tag);
            if (theirs != null && theirs != field) {
                conflicts.put(tag, theirs);
            }
        });
        return conflicts;
    }

    /**
     * Reads {@code [{field, tag}]} (the input field {@code name}), reporting each bad entry by its position: an unknown
     * directory field, a tag Mailchimp would not take, a tag mapped twice. Empty when there were problems.
     */
    public static Optional<MergeFieldMapping> read(Input input, String name, JsonNode node) {
        if (node == null || !node.isArray()) {
            input.problem(name, "expected an array of {field, tag}");
            return Optional.empty();
        }
        if (node.isEmpty() || node.size() > MAX_ENTRIES) {
            input.problem(name, "expected 1 to " + MAX_ENTRIES + " entries");
            return Optional.empty();
        }
        SortedMap<String, DirectoryField> byTag = new TreeMap<>();
        Map<String, Integer> firstIndex = new LinkedHashMap<>();
        boolean bad = false;
        for (int i = 0; i < node.size(); i++) {
            String at = name + "[" + i + "]";
            JsonNode entry = node.get(i);
            if (!entry.isObject()) {
                input.problem(at, "expected an object {field, tag}");
                bad = true;
                continue;
            }
            for (var names = entry.fieldNames(); names.hasNext(); ) {
                String unknown = names.next();
                if (!unknown.equals("field") && !unknown.equals("tag")) {
                    input.problem(at + "." + unknown, "unknown field");
                    bad = true;
                }
            }
            JsonNode fieldNode = entry.get("field");
            Optional<DirectoryField> field = fieldNode != null && fieldNode.isTextual()
                    ? DirectoryField.byWireName(fieldNode.asText()) : Optional.empty();
            if (field.isEmpty()) {
                input.problem(at + ".field", fieldNode == null || fieldNode.isNull() ? "required"
                        : "unknown directory field; use one of " + DirectoryField.wireNames());
                bad = true;
            }
            JsonNode tagNode = entry.get("tag");
            String tag = tagNode != null && tagNode.isTextual() ? tagNode.asText().trim() : null;
            String tagProblem = tagProblem(tag);
            if (tagProblem != null) {
                input.problem(at + ".tag", tagProblem);
                bad = true;
            } else if (firstIndex.containsKey(tag)) {
                input.problem(at + ".tag", tag + " is mapped twice (also " + name + "[" + firstIndex.get(tag)
                        + "]); a merge field holds one value");
                bad = true;
            } else {
                firstIndex.put(tag, i);
                field.ifPresent(value -> byTag.put(tag, value));
            }
        }
        return bad ? Optional.empty() : Optional.of(new MergeFieldMapping(byTag));
    }

    /** Why Mailchimp would not take the tag, or null when it would. */
    static String tagProblem(String tag) {
        if (tag == null || tag.isEmpty()) {
            return "required, a Mailchimp merge tag such as DEPT";
        }
        if (tag.length() > MAX_TAG_LENGTH) {
            return "at most " + MAX_TAG_LENGTH + " characters (Mailchimp's limit for a merge tag)";
        }
        if (!TAG.matcher(tag).matches()) {
            return "only uppercase letters, digits and _ (a Mailchimp merge tag)";
        }
        if (EMAIL_TAG.equals(tag)) {
            return "EMAIL is the member's address, not a merge field to fill";
        }
        return null;
    }

    /** The stored form: the API's {@code [{field, tag}]}. */
    public String toStored() {
        ArrayNode array = Json.MAPPER.createArrayNode();
        byTag.forEach((tag, field) -> array.addObject().put("field", field.wireName()).put("tag", tag));
        return Json.write(array);
    }

    /** A stored mapping; what cannot be read (it was validated when written) falls back to the default. */
    public static MergeFieldMapping fromStored(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            SortedMap<String, DirectoryField> byTag = new TreeMap<>();
            for (JsonNode entry : Json.read(stored)) {
                Optional<DirectoryField> field = DirectoryField.byWireName(entry.path("field").asText());
                String tag = entry.path("tag").asText();
                if (field.isEmpty() || tagProblem(tag) != null) {
                    return DEFAULT;
                }
                byTag.put(tag, field.get());
            }
            return byTag.isEmpty() ? DEFAULT : new MergeFieldMapping(byTag);
        } catch (JsonProcessingException e) {
            return DEFAULT;
        }
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
