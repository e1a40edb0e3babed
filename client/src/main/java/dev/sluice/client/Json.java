package dev.sluice.client;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Lenient readers for the server's JSON: a missing field, a JSON {@code null} and a value of an
 * unexpected type all read as "absent" rather than failing, so that a newer server does not break
 * an older SDK. Only fields the SDK cannot work without are checked, with {@link #required}.
 */
final class Json {
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Json() {
    }

    /** The field, or {@code null} when it is missing or JSON {@code null}. */
    static JsonNode field(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode v = node.get(name);
        return v == null || v.isNull() || v.isMissingNode() ? null : v;
    }

    static boolean isNull(JsonNode node, String name) {
        return node != null && node.isObject() && node.has(name) && node.get(name).isNull();
    }

    static String string(JsonNode node, String name) {
        JsonNode v = field(node, name);
        return v != null && v.isValueNode() ? v.asString() : null;
    }

    static String required(JsonNode node, String name, int status) {
        String v = string(node, name);
        if (v == null || v.isEmpty()) {
            throw invalid(status, "the response lacks \"" + name + "\"");
        }
        return v;
    }

    static Integer integer(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null) {
            return null;
        }
        if (v.isNumber() && v.canConvertToInt()) {
            return v.intValue();
        }
        if (v.isString()) {
            try {
                return Integer.valueOf(v.stringValue().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static int integer(JsonNode node, String name, int fallback) {
        Integer v = integer(node, name);
        return v == null ? fallback : v;
    }

    static Long longInteger(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null) {
            return null;
        }
        if (v.isNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isString()) {
            try {
                return Long.valueOf(v.stringValue().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static boolean bool(JsonNode node, String name, boolean fallback) {
        JsonNode v = field(node, name);
        if (v == null) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        return v.isString() ? Boolean.parseBoolean(v.stringValue().trim()) : fallback;
    }

    static Duration duration(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null) {
            return null;
        }
        if (v.isNumber()) {
            return Duration.ofMillis(Math.round(v.doubleValue() * 1000));
        }
        return v.isString() ? parseDuration(v.stringValue()) : null;
    }

    /** ISO-8601 ({@code PT30S}) or the server's short form ({@code 30s}, {@code 5m}, {@code 2h}); null if neither. */
    static Duration parseDuration(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim();
        try {
            return Duration.parse(s);
        } catch (DateTimeParseException ignored) {
            Matcher m = SHORT_DURATION.matcher(s.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                return null;
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
    }

    static Instant instant(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (v == null) {
            return null;
        }
        if (v.isNumber()) {
            return Instant.ofEpochMilli(v.longValue());
        }
        if (!v.isString()) {
            return null;
        }
        String s = v.stringValue().trim();
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    static List<String> strings(JsonNode node, String name) {
        JsonNode v = field(node, name);
        List<String> out = new ArrayList<>();
        if (v != null && v.isArray()) {
            for (JsonNode e : v.values()) {
                if (e.isValueNode() && !e.isNull()) {
                    out.add(e.asString());
                }
            }
        }
        return List.copyOf(out);
    }

    /** Lower-case wire name of an enum constant. */
    static String wire(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The constant whose name matches {@code text} ignoring case and {@code -}/{@code _}, or null. */
    static <E extends Enum<E>> E enumValue(Class<E> type, String text) {
        if (text == null) {
            return null;
        }
        String norm = text.trim().replace("-", "").replace("_", "");
        for (E c : type.getEnumConstants()) {
            if (c.name().replace("_", "").equalsIgnoreCase(norm)) {
                return c;
            }
        }
        return null;
    }

    static SluiceException invalid(int status, String detail) {
        return new SluiceException(Problem.of(ProblemCode.INVALID_RESPONSE, status, detail));
    }
}
