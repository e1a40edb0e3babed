package dev.sluice.client;

/**
 * The stable problem codes of the Sluice API (the {@code code} field of problem+json bodies),
 * plus the codes the SDK uses for failures that never reached the server. Codes are strings, not
 * an enum, so that a newer server's codes reach the program unchanged as a plain
 * {@link SluiceException}.
 */
public final class ProblemCode {
    /** 400: the request was malformed or a value was out of range. */
    public static final String INVALID_ARGUMENT = "invalid_argument";
    /** 401: no or an unknown API key. */
    public static final String UNAUTHORIZED = "unauthorized";
    /** 403: the API key may not do this to this semaphore. */
    public static final String FORBIDDEN = "forbidden";
    /** 404: the semaphore, permit or job does not exist. */
    public static final String NOT_FOUND = "not_found";
    /** 409: the operation conflicts with the current state (e.g. deleting a busy semaphore). */
    public static final String CONFLICT = "conflict";
    /** 410: the permit's or job's lease had expired. */
    public static final String LEASE_EXPIRED = "lease_expired";
    /** 413: the job payload is larger than the server allows. */
    public static final String PAYLOAD_TOO_LARGE = "payload_too_large";
    /** 429: no capacity was free (now, or before the wait elapsed). */
    public static final String LIMIT_REACHED = "limit_reached";
    /** 429: the semaphore or channel is paused. */
    public static final String PAUSED = "paused";
    /** 400 (or 501): the server does not support this operation or option. */
    public static final String UNSUPPORTED = "unsupported";
    /** 503: the server cannot reach its store. */
    public static final String STORE_UNAVAILABLE = "store_unavailable";
    /** 500: an unexpected server failure. */
    public static final String INTERNAL = "internal";
    /** SDK only: no HTTP response was received (I/O failure, timeout, interrupt). */
    public static final String TRANSPORT = "transport";
    /** SDK only: the server's answer could not be understood. */
    public static final String INVALID_RESPONSE = "invalid_response";

    private ProblemCode() {
    }
}
