package dev.sluice.sim;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the simulator reads them: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 5m}, {@code 1h},
 * ISO-8601 {@code PT2S}, or a bare number of seconds. Values are plain {@code double} seconds.
 */
public final class Durations {

    private static final Pattern SIMPLE =
            Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*(ms|s|sec|m|min|h)?", Pattern.CASE_INSENSITIVE);

    private static final String EXPECTED = "expected e.g. 500ms, 2s, 5m, 1h or ISO-8601 PT2S";

    private Durations() {
    }

    /** Parses a duration to seconds (never negative). */
    public static double parseSeconds(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration: " + EXPECTED);
        }
        String t = text.trim();
        if (t.length() > 1 && (t.charAt(0) == 'P' || t.charAt(0) == 'p')) {
            try {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw new IllegalArgumentException("negative duration '" + text + "': " + EXPECTED);
                }
                return d.getSeconds() + d.getNano() / 1e9;
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("invalid duration '" + text + "': " + EXPECTED);
            }
        }
        Matcher m = SIMPLE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid duration '" + text + "': " + EXPECTED);
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        double seconds = switch (unit) {
            case "ms" -> value / 1000.0;
            case "m", "min" -> value * 60.0;
            case "h" -> value * 3600.0;
            default -> value;
        };
        if (!Double.isFinite(seconds)) {
            throw new IllegalArgumentException("duration '" + text + "' is too large");
        }
        return seconds;
    }

    /** Parses a duration that must be strictly positive; {@code what} names it in the error message. */
    public static double parsePositive(String text, String what) {
        double s;
        try {
            s = parseSeconds(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        if (!(s > 0)) {
            throw new IllegalArgumentException(what + " must be positive, got '" + text + "'");
        }
        return s;
    }

    /** A short human form: {@code 0s}, {@code 250ms}, {@code 1.5s}, {@code 10m}, {@code 1h}, {@code 90s}. */
    public static String format(double seconds) {
        if (Double.isNaN(seconds)) {
            return "n/a";
        }
        if (Double.isInfinite(seconds)) {
            return "∞";
        }
        if (seconds == 0) {
            return "0s";
        }
        if (Math.abs(seconds) < 1) {
            return Fmt.trim(seconds * 1000, 3) + "ms";
        }
        if (seconds >= 3600 && isWhole(seconds / 3600)) {
            return Fmt.trim(seconds / 3600, 0) + "h";
        }
        if (seconds >= 60 && isWhole(seconds / 60)) {
            return Fmt.trim(seconds / 60, 0) + "m";
        }
        return Fmt.trim(seconds, 3) + "s";
    }

    private static boolean isWhole(double v) {
        return Math.abs(v - Math.rint(v)) < 1e-9;
    }
}
