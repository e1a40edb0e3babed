package dev.sluice.core;

/**
 * The stable, machine-readable reason of a refused operation. Clients branch on these codes;
 * they are part of the API contract and are never renamed.
 */
public enum ProblemCode {
    INVALID_ARGUMENT("invalid_argument"),
    NOT_FOUND("not_found"),
    CONFLICT("conflict"),
    LIMIT_REACHED("limit_reached"),
    PAUSED("paused"),
    LEASE_EXPIRED("lease_expired"),
    PAYLOAD_TOO_LARGE("payload_too_large"),
    UNSUPPORTED("unsupported"),
    STORE_UNAVAILABLE("store_unavailable"),
    INTERNAL("internal");

    private final String wireName;

    ProblemCode(String wireName) {
        this.wireName = wireName;
    }

    /** The code as it appears in problem+json bodies, e.g. {@code limit_reached}. */
    public String wireName() {
        return wireName;
    }
}
