package dev.sluice.core.permit;

import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Permit ids carry their fencing token ({@code p<token>.<random>}), so a release of a permit that
 * no longer exists can still be told apart: a token the semaphore has issued means "already
 * released" (idempotent 204) without keeping a row per released permit; anything else is unknown.
 */
public final class PermitIds {
    private PermitIds() {}

    private static final Pattern WELL_FORMED = Pattern.compile("p[1-9][0-9]{0,18}\\.[0-9a-f]{16}");

    public static String newId(long fencingToken, RandomGenerator random) {
        return "p" + fencingToken + "." + HexFormat.of().toHexDigits(random.nextLong());
    }

    /** The fencing token inside a well-formed permit id. */
    public static OptionalLong tokenOf(String permitId) {
        if (permitId == null || !WELL_FORMED.matcher(permitId).matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(permitId, 1, permitId.indexOf('.'), 10));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
