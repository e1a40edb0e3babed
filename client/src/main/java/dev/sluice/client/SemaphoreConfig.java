package dev.sluice.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A semaphore's declared configuration, for {@link Semaphore#create(SemaphoreConfig)} (a
 * {@code PUT}, which replaces the whole configuration: what is not set here takes the server's
 * default). Immutable; built with {@link #builder(int)}. Ranges are validated by the server
 * ({@link InvalidArgumentException}).
 *
 * <pre>{@code
 * SemaphoreConfig.builder(10)
 *     .channelLimit(2)
 *     .leaseTimeout(Duration.ofMinutes(1))
 *     .retry(RetryPolicy.deadLetterAfter(5, Duration.ofSeconds(1), Duration.ofMinutes(5)))
 *     .build();
 * }</pre>
 */
public final class SemaphoreConfig {
    private final int limit;
    private final Integer channelLimit;
    private final Duration leaseTimeout;
    private final boolean untimed;
    private final Boolean paused;
    private final Delivery delivery;
    private final RetryPolicy retry;
    private final LeaseExpiryAction onLeaseExpired;
    private final Map<String, Object> extra;

    private SemaphoreConfig(Builder b) {
        this.limit = b.limit;
        this.channelLimit = b.channelLimit;
        this.leaseTimeout = b.leaseTimeout;
        this.untimed = b.untimed;
        this.paused = b.paused;
        this.delivery = b.delivery;
        this.retry = b.retry;
        this.onLeaseExpired = b.onLeaseExpired;
        this.extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.extra));
    }

    /** Only a limit; everything else the server's default. */
    public static SemaphoreConfig ofLimit(int limit) {
        return builder(limit).build();
    }

    public static Builder builder(int limit) {
        return new Builder(limit);
    }

    public int limit() {
        return limit;
    }

    /** The per-channel cap, or {@code null} for none. */
    public Integer channelLimit() {
        return channelLimit;
    }

    /** The default lease, or {@code null} for the server's default (or untimed, see {@link #untimed()}). */
    public Duration leaseTimeout() {
        return leaseTimeout;
    }

    /** Whether permits are untimed (held until released). */
    public boolean untimed() {
        return untimed;
    }

    /** Whether the semaphore starts paused, or {@code null} for the server's default (not paused). */
    public Boolean paused() {
        return paused;
    }

    public Delivery delivery() {
        return delivery;
    }

    public RetryPolicy retry() {
        return retry;
    }

    public LeaseExpiryAction onLeaseExpired() {
        return onLeaseExpired;
    }

    ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("limit", limit);
        if (channelLimit != null) {
            n.put("channelLimit", channelLimit.intValue());
        }
        if (untimed) {
            n.putNull("leaseTimeout");
        } else if (leaseTimeout != null) {
            n.put("leaseTimeout", leaseTimeout.toString());
        }
        if (paused != null) {
            n.put("paused", paused.booleanValue());
        }
        if (delivery != null) {
            delivery.toJson(n.putObject("delivery"));
        }
        if (retry != null) {
            retry.toJson(n.putObject("retry"));
        }
        if (onLeaseExpired != null) {
            n.put("onLeaseExpired", Json.wire(onLeaseExpired));
        }
        extra.forEach((k, v) -> n.set(k, mapper.valueToTree(v)));
        return n;
    }

    @Override
    public String toString() {
        return "SemaphoreConfig" + toJson(tools.jackson.databind.json.JsonMapper.shared());
    }

    /** Builds a {@link SemaphoreConfig}. Not thread-safe. */
    public static final class Builder {
        private int limit;
        private Integer channelLimit;
        private Duration leaseTimeout;
        private boolean untimed;
        private Boolean paused;
        private Delivery delivery;
        private RetryPolicy retry;
        private LeaseExpiryAction onLeaseExpired;
        private final Map<String, Object> extra = new LinkedHashMap<>();

        private Builder(int limit) {
            limit(limit);
        }

        /** The most permits held at once (0 closes the gate). */
        public Builder limit(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("limit must not be negative, got " + limit);
            }
            this.limit = limit;
            return this;
        }

        /** Caps permits per channel, on top of the total limit. */
        public Builder channelLimit(int channelLimit) {
            if (channelLimit < 1) {
                throw new IllegalArgumentException("channelLimit must be positive, got " + channelLimit);
            }
            this.channelLimit = channelLimit;
            return this;
        }

        /** The default lease of permits and jobs (server default: 5 minutes). */
        public Builder leaseTimeout(Duration leaseTimeout) {
            Objects.requireNonNull(leaseTimeout, "leaseTimeout");
            if (leaseTimeout.isNegative() || leaseTimeout.isZero()) {
                throw new IllegalArgumentException("leaseTimeout must be positive, got " + leaseTimeout);
            }
            this.leaseTimeout = leaseTimeout;
            this.untimed = false;
            return this;
        }

        /** Untimed permits: held until released, never expired (sends {@code leaseTimeout: null}). */
        public Builder untimed() {
            this.leaseTimeout = null;
            this.untimed = true;
            return this;
        }

        public Builder paused(boolean paused) {
            this.paused = paused;
            return this;
        }

        public Builder delivery(Delivery delivery) {
            this.delivery = Objects.requireNonNull(delivery, "delivery");
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        public Builder onLeaseExpired(LeaseExpiryAction action) {
            this.onLeaseExpired = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * Sets a field this SDK has no method for (the value is serialized with the client's
         * mapper); it overrides a field of the same name set otherwise.
         */
        public Builder extra(String field, Object value) {
            extra.put(Objects.requireNonNull(field, "field"), value);
            return this;
        }

        public SemaphoreConfig build() {
            return new SemaphoreConfig(this);
        }
    }
}
