package com.hrplatform.mailchimp.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How every stored time is written: UTC, always to the millisecond, so that times compare and sort correctly as
 * text, in DynamoDB conditions and sort keys alike ({@code ISO_INSTANT} drops a zero fraction, and
 * {@code "…:29Z"} sorts after {@code "…:29.712Z"}).
 */
public final class Timestamps {
    private static final DateTimeFormatter FIXED_WIDTH = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static String format(Instant at) {
        return FIXED_WIDTH.format(at);
    }

    public static Instant parse(String text) {
        return Instant.from(FIXED_WIDTH.parse(text));
    }
}
