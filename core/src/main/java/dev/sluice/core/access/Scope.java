package dev.sluice.core.access;

import dev.sluice.core.SluiceException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One grant of an API key, written {@code admin}, {@code metrics}, {@code manage:<glob>} or
 * {@code use:<glob>}. A glob is a semaphore name in which {@code *} stands for any run of name
 * characters, possibly none: {@code use:pay-*} covers {@code pay-eu} and {@code pay-}, {@code use:*}
 * every semaphore.
 *
 * <p>{@code admin} allows everything. {@code manage} and {@code use} allow their own {@link Action}
 * and {@link Action#MANAGE_OR_USE} on the semaphores their glob covers; neither implies the other.
 * {@code metrics} allows only reading the metrics.
 *
 * @param kind what is granted
 * @param glob the semaphores covered, for {@code manage} and {@code use}; null otherwise
 */
public record Scope(Kind kind, String glob) {
    private static final Pattern GLOB = Pattern.compile("[a-z0-9._*-]{1,128}");

    /** The kinds of grant. */
    public enum Kind { ADMIN, METRICS, MANAGE, USE }

    public static final Scope ADMIN = new Scope(Kind.ADMIN, null);
    public static final Scope METRICS = new Scope(Kind.METRICS, null);

    public Scope {
        Objects.requireNonNull(kind, "kind");
        boolean needsGlob = kind == Kind.MANAGE || kind == Kind.USE;
        if (needsGlob != (glob != null)) {
            throw new IllegalArgumentException(kind + (needsGlob ? " needs a glob" : " takes no glob"));
        }
        if (glob != null && !GLOB.matcher(glob).matches()) {
            throw SluiceException.invalid("a scope's semaphore pattern must be 1 to 128 of a-z 0-9 . _ - and *, got \""
                    + clip(glob) + "\"");
        }
    }

    public static Scope manage(String glob) {
        return new Scope(Kind.MANAGE, glob);
    }

    public static Scope use(String glob) {
        return new Scope(Kind.USE, glob);
    }

    /**
     * Reads a scope as written in the API and the store.
     *
     * @throws SluiceException invalid_argument naming what is wrong
     */
    public static Scope parse(String text) {
        if (text == null) {
            throw SluiceException.invalid("a scope must be a string");
        }
        return switch (text) {
            case "admin" -> ADMIN;
            case "metrics" -> METRICS;
            default -> {
                if (text.startsWith("manage:")) {
                    yield manage(text.substring("manage:".length()));
                }
                if (text.startsWith("use:")) {
                    yield use(text.substring("use:".length()));
                }
                throw SluiceException.invalid("a scope is admin, metrics, manage:<pattern> or use:<pattern>, got \""
                        + clip(text) + "\"");
            }
        };
    }

    /** Whether this grant allows {@code action} on {@code semaphore} (null for actions on no semaphore). */
    public boolean allows(Action action, String semaphore) {
        return switch (kind) {
            case ADMIN -> true;
            case METRICS -> action == Action.METRICS;
            case MANAGE -> (action == Action.MANAGE || action == Action.MANAGE_OR_USE) && covers(semaphore);
            case USE -> (action == Action.USE || action == Action.MANAGE_OR_USE) && covers(semaphore);
        };
    }

    /** Whether the glob covers {@code semaphore}; false for grants without one. */
    public boolean covers(String semaphore) {
        return glob != null && semaphore != null && matches(glob, semaphore);
    }

    /**
     * Wildcard matching where {@code *} matches any run of characters. Linear in practice: on a
     * mismatch it only backtracks to the most recent star.
     */
    static boolean matches(String glob, String name) {
        int g = 0;
        int n = 0;
        int star = -1;
        int resume = 0;
        while (n < name.length()) {
            if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                resume = n;
            } else if (g < glob.length() && glob.charAt(g) == name.charAt(n)) {
                g++;
                n++;
            } else if (star >= 0) {
                g = star + 1;
                n = ++resume;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    /** The scope as written: {@code admin}, {@code metrics}, {@code manage:pay-*}, {@code use:*}. */
    @Override
    public String toString() {
        return switch (kind) {
            case ADMIN -> "admin";
            case METRICS -> "metrics";
            case MANAGE -> "manage:" + glob;
            case USE -> "use:" + glob;
        };
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
