package dev.leasehold.lock.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way Leasehold reads a duration written as text (properties, command-line options): a number with a unit,
 * {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d} (decimals allowed: {@code 1.5s}), a bare {@code 0}, or
 * ISO-8601 ({@code PT0.5S}). A number without a unit is refused, since milliseconds and seconds are both plausible.
 *
 * <p>This class is thread-safe.
 */
public final class Durations {

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    private Durations() {}

    /**
     * Parses {@code value}.
     *
     * @param what the name of the property or option, for the error message
     * @throws IllegalArgumentException naming {@code what} and the accepted forms, if the value is not a duration
     */
    public static Duration parse(String value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null: write a duration such as 500ms or 30s");
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = WITH_UNIT.matcher(v);
        if (m.matches()) {
            double amount = Double.parseDouble(m.group(1));
            double millis = switch (m.group(2)) {
                case "ms" -> amount;
                case "m" -> amount * 60_000;
                case "h" -> amount * 3_600_000;
                case "d" -> amount * 86_400_000;
                default -> amount * 1_000;
            };
            return Duration.ofNanos(Math.round(millis * 1_000_000));
        }
        try {
            return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(what + " is \"" + value + "\", which is not a duration: write it with a"
                    + " unit, like 500ms, 30s, 2m, 1h or 1d, or as ISO-8601 (PT0.5S)");
        }
    }

    /** A duration as people write it: {@code 250ms}, {@code 1.5s}, {@code 2m}. */
    public static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return String.format(Locale.ROOT, "%.3fs", millis / 1000.0).replaceAll("\\.?0+s$", "s");
    }
}
