package dev.sluice.core;

import java.time.Duration;

/** The explicit bounds on every input. Documented in docs/limits.md; change both together. */
public final class Limits {
    private Limits() {}

    public static final int MAX_LIMIT = 1_000_000;
    public static final int MAX_NAME_LENGTH = 128;
    public static final int MAX_CHANNEL_LENGTH = 128;
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;
    public static final int MAX_ERROR_LENGTH = 4096;
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;
    /** The most a node can be configured to accept as one job payload. */
    public static final int MAX_PAYLOAD_BYTES_CEILING = 16 * 1024 * 1024;
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int MAX_PAGE_SIZE = 1000;
    public static final int MAX_CLAIM = 100;
    /** Jobs in one batch enqueue or batch complete. */
    public static final int MAX_BATCH = 100;
    public static final int MAX_PRIORITY = 1_000_000;
    public static final int MAX_ATTEMPTS = 1000;
    public static final int MAX_REDRIVE_IDS = 1000;
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(5);
    public static final Duration MIN_LEASE = Duration.ofSeconds(1);
    public static final Duration MAX_LEASE = Duration.ofDays(30);
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);
    public static final Duration MAX_BACKOFF = Duration.ofDays(1);
    public static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration MIN_WEBHOOK_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration MAX_WEBHOOK_TIMEOUT = Duration.ofMinutes(15);
    public static final int MAX_WEBHOOK_URL_LENGTH = 2048;
    public static final int MIN_WEBHOOK_SECRET_LENGTH = 16;
    public static final int MAX_WEBHOOK_SECRET_LENGTH = 256;
    /** How long the previous webhook secret still signs deliveries after a rotation. */
    public static final Duration WEBHOOK_SECRET_GRACE = Duration.ofHours(24);
    /** How long finished jobs (and so their idempotency keys) and expired-permit records are kept. */
    public static final Duration RETENTION = Duration.ofHours(24);

    /** API keys: how many a store holds, scopes per key, characters of a key's name. */
    public static final int MAX_API_KEYS = 1000;
    public static final int MAX_SCOPES_PER_KEY = 32;
    public static final int MAX_KEY_NAME_LENGTH = 128;
}
