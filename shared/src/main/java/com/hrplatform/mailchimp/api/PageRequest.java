package com.hrplatform.mailchimp.api;

/** A page of a list: at most {@code limit} items after the opaque {@code cursor} (null: from the start). */
public record PageRequest(int limit, String cursor) {
    public static final int DEFAULT_LIMIT = 20;
}
