package com.hrplatform.mailchimp.json;

/** A request body already written as JSON (by a hot path that writes it with a generator), sent as it is. */
public record RawJson(String text) {
}
