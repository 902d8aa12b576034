package com.hrplatform.mailchimp.domain;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Stored times compare as text exactly as the instants do (DynamoDB conditions such as {@code consentAt <= :at}). */
class TimestampsTest {

    @Property
    void textOrderIsTimeOrder(@ForAll @LongRange(min = 0, max = 4_102_444_800_000L) long aMillis,
                              @ForAll @LongRange(min = 0, max = 2_000) long deltaMillis) {
        // Half the cases land on a whole second, which ISO_INSTANT would print without a fraction.
        Instant a = Instant.ofEpochMilli(aMillis % 2 == 0 ? aMillis - aMillis % 1000 : aMillis);
        Instant b = a.plusMillis(deltaMillis);
        assertEquals(Integer.signum(a.compareTo(b)), Integer.signum(Timestamps.format(a).compareTo(Timestamps.format(b))));
        assertEquals(a, Timestamps.parse(Timestamps.format(a)));
    }

    @Property
    void writtenByHandAsThePatternWouldWriteIt(@ForAll @LongRange(min = -62_167_219_200L, max = 253_402_300_799L) long second,
                                                @ForAll @LongRange(min = 0, max = 999_999_999) long nanos) {
        Instant at = Instant.ofEpochSecond(second, nanos); // years 0000 to 9999, any fraction (truncated to millis)
        assertEquals(DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC).format(at),
                Timestamps.format(at));
    }

    @Property(tries = 200)
    void aWholeSecondSortsBeforeALaterMomentInIt(@ForAll @LongRange(min = 0, max = 4_102_444_800L) long second,
                                                 @ForAll @LongRange(min = 1, max = 999) long millis) {
        Instant whole = Instant.ofEpochSecond(second);
        assertEquals(-1, Integer.signum(Timestamps.format(whole).compareTo(Timestamps.format(whole.plus(millis, ChronoUnit.MILLIS)))));
    }
}
