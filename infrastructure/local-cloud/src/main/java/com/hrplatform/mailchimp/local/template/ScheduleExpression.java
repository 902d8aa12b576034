package com.hrplatform.mailchimp.local.template;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An EventBridge schedule expression, evaluated in UTC: {@code rate(N minute|minutes|hour|hours|day|days)},
 * AWS's six-field {@code cron(minutes hours day-of-month month day-of-week year)} (with {@code * ? , - /},
 * {@code L} in day-of-month, {@code nL} and {@code n#k} in day-of-week; {@code W} is not supported) and
 * the one-time {@code at(yyyy-mm-ddThh:mm:ss)}.
 */
public abstract class ScheduleExpression {

    private static final Pattern RATE = Pattern.compile("rate\\(\\s*(\\d+)\\s+(minute|minutes|hour|hours|day|days)\\s*\\)");
    private static final Pattern CRON = Pattern.compile("cron\\((.*)\\)");
    private static final Pattern AT = Pattern.compile("at\\((\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})\\)");
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String text;

    private ScheduleExpression(String text) {
        this.text = text;
    }

    /** The first firing strictly after {@code after}, or null if there is none (a past {@code at(...)}). */
    public abstract Instant next(Instant after);

    @Override
    public String toString() {
        return text;
    }

    public static ScheduleExpression parse(String expression) {
        String s = expression.trim();
        Matcher m = RATE.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            if (n <= 0) {
                throw new TemplateException("Schedule " + s + ": the rate must be positive");
            }
            Duration d = switch (m.group(2)) {
                case "minute", "minutes" -> Duration.ofMinutes(n);
                case "hour", "hours" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return new Rate(s, d);
        }
        m = AT.matcher(s);
        if (m.matches()) {
            Instant at = LocalDateTime.parse(m.group(1)).toInstant(ZoneOffset.UTC);
            return new ScheduleExpression(s) {
                @Override
                public Instant next(Instant after) {
                    return at.isAfter(after) ? at : null;
                }
            };
        }
        m = CRON.matcher(s);
        if (m.matches()) {
            return new Cron(s, m.group(1).trim().split("\\s+"));
        }
        throw new TemplateException("Unsupported schedule expression: " + s);
    }

    /** {@code rate(...)}: fires every period, counted from when the runner started it. */
    public static final class Rate extends ScheduleExpression {
        private final Duration period;

        Rate(String text, Duration period) {
            super(text);
            this.period = period;
        }

        public Duration period() {
            return period;
        }

        @Override
        public Instant next(Instant after) {
            return after.plus(period);
        }
    }

    static final class Cron extends ScheduleExpression {
        private final BitSet minutes;
        private final BitSet hours;
        private final BitSet months;
        private final BitSet years;
        private final String dom;
        private final String dow;
        private final BitSet domSet;
        private final BitSet dowSet;

        Cron(String text, String[] f) {
            super(text);
            if (f.length != 6) {
                throw new TemplateException("cron expression needs 6 fields (minutes hours day-of-month month day-of-week year): " + text);
            }
            minutes = field(f[0], 0, 59, null, text);
            hours = field(f[1], 0, 23, null, text);
            months = field(f[3], 1, 12, MONTHS, text);
            years = field(f[5], 1970, 2199, null, text);
            dom = f[2].toUpperCase(Locale.ROOT);
            dow = f[4].toUpperCase(Locale.ROOT);
            if (dom.equals("?") == dow.equals("?")) {
                throw new TemplateException("cron expression: exactly one of day-of-month and day-of-week must be '?': " + text);
            }
            domSet = dom.equals("?") || dom.equals("L") ? null : field(dom, 1, 31, null, text);
            if (dow.equals("?") || dow.matches("[1-7A-Z]{1,3}(L|#[1-5])")) {
                dowSet = null;
                if (!dow.equals("?")) {
                    dayOfWeek(dow.replaceAll("(L|#[1-5])$", ""), text); // validate
                }
            } else {
                dowSet = field(dow, 1, 7, DAYS, text);
            }
        }

        private static BitSet field(String spec, int min, int max, List<String> names, String text) {
            BitSet set = new BitSet(max + 1);
            for (String part : spec.toUpperCase(Locale.ROOT).split(",")) {
                int step = 1;
                String range = part;
                int slash = part.indexOf('/');
                if (slash >= 0) {
                    step = Integer.parseInt(part.substring(slash + 1));
                    range = part.substring(0, slash);
                    if (step <= 0) {
                        throw new TemplateException("cron expression: bad step in " + text);
                    }
                }
                int lo;
                int hi;
                if (range.equals("*")) {
                    lo = min;
                    hi = max;
                } else if (range.contains("-")) {
                    String[] b = range.split("-", 2);
                    lo = value(b[0], names, min, text);
                    hi = value(b[1], names, min, text);
                } else {
                    lo = value(range, names, min, text);
                    hi = slash >= 0 ? max : lo;
                }
                if (lo < min || hi > max || lo > hi) {
                    throw new TemplateException("cron expression: " + part + " out of range " + min + "-" + max + " in " + text);
                }
                for (int v = lo; v <= hi; v += step) {
                    set.set(v);
                }
            }
            return set;
        }

        private static int value(String token, List<String> names, int min, String text) {
            if (names != null) {
                int i = names.indexOf(token);
                if (i >= 0) {
                    return i + min;
                }
            }
            try {
                return Integer.parseInt(token);
            } catch (NumberFormatException e) {
                throw new TemplateException("cron expression: unsupported token '" + token + "' in " + text);
            }
        }

        /** AWS numbering: 1 = Sunday ... 7 = Saturday. */
        private static int dayOfWeek(String token, String text) {
            int v = value(token, DAYS, 1, text);
            if (v < 1 || v > 7) {
                throw new TemplateException("cron expression: day of week out of range in " + text);
            }
            return v;
        }

        private static int awsDayOfWeek(LocalDate d) {
            return d.getDayOfWeek() == DayOfWeek.SUNDAY ? 1 : d.getDayOfWeek().getValue() + 1;
        }

        private boolean dayMatches(LocalDate d) {
            if (!months.get(d.getMonthValue()) || !years.get(d.getYear())) {
                return false;
            }
            if (!dom.equals("?")) {
                if (dom.equals("L")) {
                    return d.getDayOfMonth() == d.lengthOfMonth();
                }
                return domSet.get(d.getDayOfMonth());
            }
            if (dowSet != null) {
                return dowSet.get(awsDayOfWeek(d));
            }
            int wanted = dayOfWeek(dow.replaceAll("(L|#[1-5])$", ""), toString());
            if (awsDayOfWeek(d) != wanted) {
                return false;
            }
            if (dow.endsWith("L")) {
                return d.plusWeeks(1).getMonthValue() != d.getMonthValue();
            }
            int nth = Integer.parseInt(dow.substring(dow.indexOf('#') + 1));
            return (d.getDayOfMonth() - 1) / 7 + 1 == nth;
        }

        @Override
        public Instant next(Instant after) {
            LocalDateTime t = LocalDateTime.ofInstant(after, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
            LocalDate day = t.toLocalDate();
            LocalDate limit = day.plusYears(8);
            boolean first = true;
            while (!day.isAfter(limit)) {
                if (years.nextSetBit(day.getYear()) < 0) {
                    return null;
                }
                if (dayMatches(day)) {
                    int h0 = first ? t.getHour() : 0;
                    for (int h = hours.nextSetBit(h0); h >= 0 && h <= 23; h = hours.nextSetBit(h + 1)) {
                        int m0 = first && h == t.getHour() ? t.getMinute() : 0;
                        int m = minutes.nextSetBit(m0);
                        if (m >= 0 && m <= 59) {
                            return day.atTime(h, m).toInstant(ZoneOffset.UTC);
                        }
                    }
                }
                first = false;
                day = day.plusDays(1);
                if (!months.get(day.getMonthValue())) {
                    day = day.with(TemporalAdjusters.firstDayOfNextMonth());
                    while (!months.get(day.getMonthValue()) && !day.isAfter(limit)) {
                        day = day.with(TemporalAdjusters.firstDayOfNextMonth());
                    }
                }
            }
            return null;
        }
    }
}
