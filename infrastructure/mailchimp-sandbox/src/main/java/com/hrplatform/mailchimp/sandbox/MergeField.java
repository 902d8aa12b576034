package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * One merge field definition of an audience (Mailchimp's "audience field"). Text and date fields are modelled:
 * a date field takes YYYY-MM-DD (the API's form) or its own {@code date_format}, and holds YYYY-MM-DD.
 */
final class MergeField {
  static final String TEXT = "text";
  static final String DATE = "date";
  static final Set<String> TYPES = Set.of(TEXT, DATE);
  /** Mailchimp's limit for a merge tag. */
  static final int MAX_TAG_LENGTH = 10;
  static final String DEFAULT_DATE_FORMAT = "MM/DD/YYYY";

  final int mergeId;
  final String tag;
  final String name;
  final String type;
  final String dateFormat;
  boolean required;
  boolean isPublic = true;

  MergeField(int mergeId, String tag, String name, boolean required) {
    this(mergeId, tag, name, TEXT, required, null);
  }

  MergeField(int mergeId, String tag, String name, String type, boolean required, String dateFormat) {
    this.mergeId = mergeId;
    this.tag = tag;
    this.name = name;
    this.type = type;
    this.required = required;
    this.dateFormat = DATE.equals(type) ? (dateFormat == null ? DEFAULT_DATE_FORMAT : dateFormat) : null;
  }

  /**
   * The value as the member holds it, or null when this field would refuse it: a date field takes "" (no date),
   * YYYY-MM-DD, or a real date in its own format (MM/DD/YYYY or DD/MM/YYYY).
   */
  String accept(String value) {
    if (!DATE.equals(type) || value.isEmpty()) {
      return value;
    }
    if (value.matches("\\d{4}-\\d{2}-\\d{2}")) {
      return realDate(value);
    }
    if (value.matches("\\d{2}/\\d{2}/\\d{4}")) {
      String[] parts = value.split("/");
      boolean monthFirst = DEFAULT_DATE_FORMAT.equals(dateFormat);
      String month = monthFirst ? parts[0] : parts[1];
      String day = monthFirst ? parts[1] : parts[0];
      return realDate(parts[2] + "-" + month + "-" + day);
    }
    return null;
  }

  private static String realDate(String iso) {
    try {
      return LocalDate.parse(iso).toString();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  ObjectNode render(Audience list) {
    ObjectNode n = Json.obj();
    n.put("merge_id", mergeId);
    n.put("tag", tag);
    n.put("name", name);
    n.put("type", type);
    n.put("required", required);
    n.put("default_value", "");
    n.put("public", isPublic);
    n.put("display_order", mergeId + 1);
    ObjectNode options = n.putObject("options");
    if (DATE.equals(type)) {
      options.put("date_format", dateFormat);
    } else {
      options.put("size", 25);
    }
    n.put("help_text", "");
    n.put("list_id", list.id);
    return n;
  }
}
