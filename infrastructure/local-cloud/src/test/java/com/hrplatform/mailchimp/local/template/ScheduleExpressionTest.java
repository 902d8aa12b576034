package com.hrplatform.mailchimp.local.template;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScheduleExpressionTest {

    private static Instant next(String expr, String after) {
        return ScheduleExpression.parse(expr).next(Instant.parse(after));
    }

    @Test
    void dailyCronInUtc() {
        assertEquals(Instant.parse("2026-03-10T05:00:00Z"), next("cron(0 5 * * ? *)", "2026-03-10T04:59:59Z"));
        assertEquals(Instant.parse("2026-03-11T05:00:00Z"), next("cron(0 5 * * ? *)", "2026-03-10T05:00:00Z"));
        assertEquals(Instant.parse("2027-01-01T05:00:00Z"), next("cron(0 5 * * ? *)", "2026-12-31T05:00:00Z"));
    }

    @Test
    void stepsRangesListsAndNames() {
        assertEquals(Instant.parse("2026-03-10T10:15:00Z"), next("cron(0/15 * * * ? *)", "2026-03-10T10:05:00Z"));
        // Monday-Friday at 08:30: from Friday evening the next is Monday
        assertEquals(Instant.parse("2026-03-16T08:30:00Z"), next("cron(30 8 ? * MON-FRI *)", "2026-03-13T09:00:00Z"));
        assertEquals(Instant.parse("2026-03-16T08:30:00Z"), next("cron(30 8 ? * 2-6 *)", "2026-03-13T09:00:00Z"));
        assertEquals(Instant.parse("2026-04-01T00:00:00Z"), next("cron(0 0 1 JAN,APR,JUL,OCT ? *)", "2026-01-01T00:00:00Z"));
        assertEquals(Instant.parse("2026-02-28T12:00:00Z"), next("cron(0 12 L * ? *)", "2026-02-01T00:00:00Z"));
        // second Tuesday of the month, last Friday of the month
        assertEquals(Instant.parse("2026-03-10T09:00:00Z"), next("cron(0 9 ? * 3#2 *)", "2026-03-01T00:00:00Z"));
        assertEquals(Instant.parse("2026-03-27T09:00:00Z"), next("cron(0 9 ? * 6L *)", "2026-03-01T00:00:00Z"));
        assertNull(next("cron(0 9 * * ? 2020)", "2026-03-01T00:00:00Z"));
    }

    @Test
    void ratesAndOneTimeSchedules() {
        assertEquals(Instant.parse("2026-03-10T16:00:00Z"), next("rate(6 hours)", "2026-03-10T10:00:00Z"));
        assertEquals(Instant.parse("2026-03-10T10:01:00Z"), next("rate(1 minute)", "2026-03-10T10:00:00Z"));
        assertEquals(Instant.parse("2026-03-12T10:00:00Z"), next("rate(2 days)", "2026-03-10T10:00:00Z"));
        assertEquals(Instant.parse("2026-03-10T10:00:05Z"), next("at(2026-03-10T10:00:05)", "2026-03-10T10:00:00Z"));
        assertNull(next("at(2026-03-10T10:00:05)", "2026-03-10T10:00:05Z"));
    }

    @Test
    void rejectsInvalidExpressions() {
        assertThrows(TemplateException.class, () -> ScheduleExpression.parse("cron(0 5 * * *)"));
        assertThrows(TemplateException.class, () -> ScheduleExpression.parse("cron(0 5 * * * *)"), "one of the day fields must be ?");
        assertThrows(TemplateException.class, () -> ScheduleExpression.parse("cron(0 25 * * ? *)"));
        assertThrows(TemplateException.class, () -> ScheduleExpression.parse("cron(0 5 1W * ? *)"));
        assertThrows(TemplateException.class, () -> ScheduleExpression.parse("rate(0 minutes)"));
        assertThrows(TemplateException.class, () -> ScheduleExpression.parse("rate(5 weeks)"));
    }
}
