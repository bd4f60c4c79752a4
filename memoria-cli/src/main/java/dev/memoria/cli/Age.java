package dev.memoria.cli;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How long ago, for a retention rule: a calendar part (years, months, days; counted on the UTC
 * calendar, so {@code 1mo} before March 31 is February 28 or 29) and a clock part (hours,
 * minutes). Always at least one minute: a prune rule of zero or less would match every session.
 *
 * @param period the calendar part, never negative
 * @param time the clock part, never negative
 */
record Age(Period period, Duration time) {
    /** What the options accept, for help and messages. */
    static final String ACCEPTED = "30min, 12h, 30d, 2w, 6mo, 1y, or ISO-8601 such as P30D, P1M, P1Y, PT12H";
    private static final Pattern SHORT = Pattern.compile("([+-]?\\d+)\\s*([A-Za-z]+)");

    /** The instant that lies this long before {@code now}. */
    Instant before(Instant now) {
        return now.atZone(ZoneOffset.UTC).minus(period).toInstant().minus(time);
    }

    /** Picocli's converter, so a bad value is a usage error (exit code 2) that names the option. */
    static final class Converter implements ITypeConverter<Age> {
        @Override
        public Age convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage() + " (accepted: " + ACCEPTED + ")");
            }
        }
    }

    static Age parse(String text) {
        String t = text.strip();
        Matcher shortForm = SHORT.matcher(t);
        Age age;
        if (shortForm.matches()) {
            age = parseShort(text, shortForm.group(1), shortForm.group(2));
        } else if (t.toUpperCase(Locale.ROOT).matches("[+-]?P.*")) {
            age = parseIso(text, t.toUpperCase(Locale.ROOT));
        } else {
            throw new IllegalArgumentException("'" + text + "' is not a duration");
        }
        if (age.period().isZero() && age.time().compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("'" + text + "' is under one minute");
        }
        try {
            age.before(Instant.now());
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long");
        }
        return age;
    }

    private static Age parseShort(String text, String number, String unit) {
        long n;
        try {
            n = Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not more than zero");
        }
        try {
            return switch (unit) {
                case "min" -> new Age(Period.ZERO, Duration.ofMinutes(n));
                case "h" -> new Age(Period.ZERO, Duration.ofHours(n));
                case "d" -> new Age(Period.ofDays(Math.toIntExact(n)), Duration.ZERO);
                case "w" -> new Age(Period.ofWeeks(Math.toIntExact(n)), Duration.ZERO);
                case "mo" -> new Age(Period.ofMonths(Math.toIntExact(n)), Duration.ZERO);
                case "y" -> new Age(Period.ofYears(Math.toIntExact(n)), Duration.ZERO);
                case "m", "M" -> throw new IllegalArgumentException("'" + text + "' is ambiguous: write " + n
                        + "min for minutes or " + n + "mo for months");
                case "s", "sec" -> throw new IllegalArgumentException("'" + text + "' is in seconds: the shortest age is 1min");
                default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + unit + "'");
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long");
        }
    }

    /** ISO-8601 with a calendar part ({@link Period}: years, months, weeks, days) and a time part ({@link Duration}). */
    private static Age parseIso(String text, String iso) {
        if (iso.startsWith("-")) {
            throw new IllegalArgumentException("'" + text + "' is not more than zero");
        }
        String body = iso.startsWith("+") ? iso.substring(2) : iso.substring(1);
        int t = body.indexOf('T');
        String date = t < 0 ? body : body.substring(0, t);
        String clock = t < 0 ? "" : body.substring(t + 1);
        if (date.isEmpty() && clock.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 duration");
        }
        Period period;
        Duration time;
        try {
            period = date.isEmpty() ? Period.ZERO : Period.parse("P" + date);
            time = clock.isEmpty() ? Duration.ZERO : Duration.parse("PT" + clock);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 duration");
        }
        if (period.isNegative() || time.isNegative() || period.isZero() && time.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is not more than zero");
        }
        return new Age(period, time);
    }
}
