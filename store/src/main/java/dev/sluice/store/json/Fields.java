package dev.sluice.store.json;

import dev.sluice.core.Durations;
import dev.sluice.core.SluiceException;
import java.time.Duration;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Strict reading of JSON objects from users: a wrong type, an out-of-range number or an unknown
 * field is an {@code invalid_argument} naming the field, never a silent default.
 */
public final class Fields {
    private Fields() {}

    /** The body as an object; {@code what} names it in errors. */
    public static JsonNode object(JsonNode node, String what) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw SluiceException.invalid(what + " must be a JSON object");
        }
        return node;
    }

    public static void onlyKnown(JsonNode node, String what, Set<String> known) {
        for (String field : node.propertyNames()) {
            if (!known.contains(field)) {
                throw SluiceException.invalid(what + " has an unknown field \"" + clip(field) + "\"; known: "
                        + String.join(", ", new java.util.TreeSet<>(known)));
            }
        }
    }

    public static boolean present(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    public static String string(JsonNode node, String field, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw SluiceException.invalid(field + " must be a string");
        }
        String s = v.stringValue();
        if (s.length() > maxLength) {
            throw SluiceException.invalid(field + " must be at most " + maxLength + " characters");
        }
        storable(s, field);
        return s;
    }

    /**
     * Refuses what a store cannot keep as it was sent: the NUL character (U+0000), which
     * PostgreSQL cannot store in text, and unpaired UTF-16 surrogates, which are no text at all
     * (each store would write them as "?", so two keys could become one). One API for both
     * stores; job payloads are stored as JSON, escaped, and are not concerned.
     */
    public static void storable(String s, String field) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw SluiceException.invalid(field + " must not contain the NUL character (U+0000)");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw SluiceException.invalid(field + " must be valid Unicode text (it holds an unpaired surrogate)");
                }
            }
        }
    }

    public static Integer integer(JsonNode node, String field, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw SluiceException.invalid(field + " must be a whole number between " + min + " and " + max);
        }
        return (int) v.longValue();
    }

    public static Boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw SluiceException.invalid(field + " must be true or false");
        }
        return v.booleanValue();
    }

    public static Duration duration(JsonNode node, String field) {
        String s = string(node, field, 64);
        return s == null ? null : Durations.parse(s, field);
    }

    public static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
