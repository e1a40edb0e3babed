package dev.sluice.core;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them: ISO-8601 ({@code PT30S}) or short ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}). */
public final class Durations {
    private Durations() {}

    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    /**
     * Parses a duration; {@code field} names it in the error.
     *
     * @throws SluiceException invalid_argument if it is malformed or negative
     */
    public static Duration parse(String text, String field) {
        if (text == null || text.isBlank()) {
            throw SluiceException.invalid(field + " must be a duration such as PT30S or 30s");
        }
        Duration d;
        Matcher m = SHORT.matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(text.trim());
            } catch (DateTimeParseException e) {
                throw SluiceException.invalid(field + " must be a duration such as PT30S or 30s, got \"" + clip(text) + "\"");
            }
        }
        if (d.isNegative()) {
            throw SluiceException.invalid(field + " must not be negative");
        }
        return d;
    }

    /** The ISO-8601 form, as Sluice writes durations. */
    public static String format(Duration d) {
        return d == null ? null : d.toString();
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
