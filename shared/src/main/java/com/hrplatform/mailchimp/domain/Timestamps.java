package com.hrplatform.mailchimp.domain;

import java.time.Instant;
import java.time.LocalDateTime;
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

    /** Written by hand, not by {@link #FIXED_WIDTH}: formatting is on every log line, and the formatter's
     *  first use loads the locale machinery (tens of milliseconds of a cold start). Years 0-9999. */
    public static String format(Instant at) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(at.getEpochSecond(), at.getNano(), ZoneOffset.UTC);
        StringBuilder out = new StringBuilder(24);
        pad(out, t.getYear(), 4).append('-');
        pad(out, t.getMonthValue(), 2).append('-');
        pad(out, t.getDayOfMonth(), 2).append('T');
        pad(out, t.getHour(), 2).append(':');
        pad(out, t.getMinute(), 2).append(':');
        pad(out, t.getSecond(), 2).append('.');
        return pad(out, t.getNano() / 1_000_000, 3).append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }

    public static Instant parse(String text) {
        return Instant.from(FIXED_WIDTH.parse(text));
    }
}
