package com.hrplatform.mailchimp.json;

import java.nio.charset.StandardCharsets;

/**
 * A request body already written as UTF-8 JSON (by a hot path that writes it with a generator), sent as it is:
 * bytes, so a body of 500 members is not made a String and encoded again.
 */
public record RawJson(byte[] utf8) {
    public String text() {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
