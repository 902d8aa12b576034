package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** JSON, time, id and hashing helpers shared by the sandbox. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Mailchimp writes timestamps as {@code 2015-09-15T14:40:36+00:00}. */
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

  /** Deliberately simple: one @, no whitespace, a dot in the domain. Mailchimp's real checks are stricter. */
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s\"<>,;]+@[^@\\s\"<>,;]+\\.[^@\\s\"<>,;.]{2,}$");

  private Json() {}

  static ObjectNode obj() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode arr() {
    return MAPPER.createArrayNode();
  }

  static JsonNode parse(byte[] body) throws IOException {
    if (body == null || body.length == 0) {
      return MAPPER.createObjectNode();
    }
    return MAPPER.readTree(body);
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise JSON", e);
    }
  }

  static String ts(Instant instant) {
    return instant == null ? "" : TS.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  static Instant parseTs(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return Instant.parse(text);
    }
  }

  /** An ISO 8601 date-time with an offset ("Z", "+02:00"), or without one read as UTC; null when not one. */
  static Instant parseIso(String text) {
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      try {
        return java.time.LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (java.time.format.DateTimeParseException e2) {
        return null;
      }
    }
  }

  static boolean validEmail(String email) {
    return email != null && email.length() <= 254 && EMAIL.matcher(email.trim()).matches();
  }

  /** Subscriber hash: lowercase hex MD5 of the trimmed, lower-cased address. */
  static String subscriberHash(String email) {
    return md5(email.trim().toLowerCase(Locale.ROOT));
  }

  static String md5(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A Mailchimp-looking 10 hex character id. */
  static String randomId() {
    return HexFormat.of().formatHex(randomBytes(5));
  }

  /** A stable id derived from a seed string, so seeded data keeps its ids across restarts. */
  static String stableId(String seed) {
    return md5(seed).substring(0, 10);
  }

  static String uuid() {
    return java.util.UUID.randomUUID().toString();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
