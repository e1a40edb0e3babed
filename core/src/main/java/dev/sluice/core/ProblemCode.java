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
    INTERNAL("internal"),
    /** No API key, or one the server does not know (401). */
    UNAUTHORIZED("unauthorized"),
    /** The API key's scopes do not allow this operation on this semaphore (403). */
    FORBIDDEN("forbidden"),
    /** The API key already has as many waiting requests (waits, long-polling claims) as allowed (429). */
    TOO_MANY_WAITS("too_many_waits");

    private final String wireName;

    ProblemCode(String wireName) {
        this.wireName = wireName;
    }

    /** The code as it appears in problem+json bodies, e.g. {@code limit_reached}. */
    public String wireName() {
        return wireName;
    }
}
