package dev.sluice.store.json;

import dev.sluice.core.Durations;
import dev.sluice.core.Limits;
import dev.sluice.core.Names;
import dev.sluice.core.SluiceException;
import dev.sluice.core.semaphore.Delivery;
import dev.sluice.core.semaphore.LeaseExpiryAction;
import dev.sluice.core.semaphore.RetryPolicy;
import dev.sluice.core.semaphore.SemaphoreConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A semaphore's config as JSON: the shape of the {@code PUT} body, of the semaphore view, of the
 * config file, and of the stored row. One format, so what a user writes is what is kept, with one
 * exception: {@code delivery.secret} is read but never written (the rules keep it apart).
 */
public final class ConfigCodec {
    private ConfigCodec() {}

    public static final Set<String> FIELDS =
            Set.of("limit", "channelLimit", "leaseTimeout", "paused", "delivery", "retry", "onLeaseExpired");
    private static final Set<String> RETRY_FIELDS = Set.of("maxAttempts", "initialBackoff", "maxBackoff", "onExhausted");
    private static final Set<String> DELIVERY_FIELDS = Set.of("mode", "url", "timeout", "releaseOnSuccess", "secret");

    public static ObjectNode toJson(SemaphoreConfig c) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("limit", c.limit());
        if (c.channelLimit() == null) {
            n.putNull("channelLimit");
        } else {
            n.put("channelLimit", c.channelLimit());
        }
        n.put("leaseTimeout", Durations.format(c.leaseTimeout()));
        n.put("paused", c.paused());
        ObjectNode d = n.putObject("delivery");
        d.put("mode", c.delivery().mode().name().toLowerCase(Locale.ROOT));
        if (c.delivery().mode() == Delivery.Mode.WEBHOOK) {
            d.put("url", c.delivery().url());
            d.put("timeout", Durations.format(c.delivery().timeout()));
            d.put("releaseOnSuccess", c.delivery().releaseOnSuccess());
        }
        ObjectNode r = n.putObject("retry");
        RetryPolicy retry = c.retry();
        r.put("maxAttempts", retry.maxAttempts());
        r.put("initialBackoff", Durations.format(retry.initialBackoff()));
        r.put("maxBackoff", Durations.format(retry.maxBackoff()));
        if (retry.onExhausted() == RetryPolicy.OnExhausted.FORWARD) {
            r.putObject("onExhausted").put("forward", retry.forwardTo());
        } else {
            r.put("onExhausted", retry.onExhausted().name().toLowerCase(Locale.ROOT));
        }
        n.put("onLeaseExpired", c.onLeaseExpired().name().toLowerCase(Locale.ROOT));
        return n;
    }

    /**
     * Reads a full config. {@code limit} is required; an absent {@code leaseTimeout} means the
     * default lease, an explicit null means untimed permits.
     */
    public static SemaphoreConfig fromJson(JsonNode body) {
        JsonNode n = Fields.object(body, "semaphore config");
        Fields.onlyKnown(n, "semaphore config", FIELDS);
        Integer limit = Fields.integer(n, "limit", 0, Limits.MAX_LIMIT);
        if (limit == null) {
            throw SluiceException.invalid("limit is required (0 … " + Limits.MAX_LIMIT + ")");
        }
        Integer channelLimit = Fields.integer(n, "channelLimit", 1, Limits.MAX_LIMIT);
        Duration lease = n.has("leaseTimeout") ? Fields.duration(n, "leaseTimeout") : Limits.DEFAULT_LEASE;
        boolean paused = Boolean.TRUE.equals(Fields.bool(n, "paused"));
        return new SemaphoreConfig(limit, channelLimit, lease, paused, delivery(n.get("delivery"), lease),
                retry(n.get("retry")), enumOf(LeaseExpiryAction.class, Fields.string(n, "onLeaseExpired", 32), "onLeaseExpired"));
    }

    /** A webhook's timeout defaults to 30 seconds, or the lease if that is shorter. */
    private static Delivery delivery(JsonNode node, Duration lease) {
        if (node == null || node.isNull()) {
            return Delivery.PULL;
        }
        JsonNode d = Fields.object(node, "delivery");
        Fields.onlyKnown(d, "delivery", DELIVERY_FIELDS);
        Delivery.Mode mode = enumOf(Delivery.Mode.class, Fields.string(d, "mode", 16), "delivery.mode");
        if (mode == null && Fields.present(d, "url")) {
            throw SluiceException.invalid("delivery.mode is required: webhook, to deliver to delivery.url");
        }
        if (mode == null || mode == Delivery.Mode.PULL) {
            if (Fields.present(d, "secret")) {
                throw SluiceException.invalid("delivery.secret signs webhook deliveries: it needs delivery.mode webhook");
            }
            return Delivery.PULL;
        }
        String url = Fields.string(d, "url", Limits.MAX_WEBHOOK_URL_LENGTH);
        Duration timeout = Fields.duration(d, "timeout");
        if (timeout == null) {
            timeout = lease != null && lease.compareTo(Limits.DEFAULT_WEBHOOK_TIMEOUT) < 0 ? lease : Limits.DEFAULT_WEBHOOK_TIMEOUT;
        }
        String secret = Fields.string(d, "secret", Limits.MAX_WEBHOOK_SECRET_LENGTH);
        return new Delivery(mode, url, timeout, Boolean.TRUE.equals(Fields.bool(d, "releaseOnSuccess")), secret);
    }

    private static RetryPolicy retry(JsonNode node) {
        if (node == null || node.isNull()) {
            return RetryPolicy.DEFAULT;
        }
        JsonNode r = Fields.object(node, "retry");
        Fields.onlyKnown(r, "retry", RETRY_FIELDS);
        RetryPolicy d = RetryPolicy.DEFAULT;
        Integer max = Fields.integer(r, "maxAttempts", 1, Limits.MAX_ATTEMPTS);
        Duration initial = Fields.duration(r, "initialBackoff");
        Duration maxBackoff = Fields.duration(r, "maxBackoff");
        RetryPolicy.OnExhausted onExhausted = d.onExhausted();
        String forwardTo = null;
        JsonNode ex = r.get("onExhausted");
        if (ex != null && ex.isObject()) {
            Fields.onlyKnown(ex, "retry.onExhausted", Set.of("forward"));
            forwardTo = Names.semaphore(Fields.string(ex, "forward", Limits.MAX_NAME_LENGTH));
            onExhausted = RetryPolicy.OnExhausted.FORWARD;
        } else if (ex != null && !ex.isNull()) {
            onExhausted = enumOf(RetryPolicy.OnExhausted.class, Fields.string(r, "onExhausted", 32), "retry.onExhausted");
            if (onExhausted == RetryPolicy.OnExhausted.FORWARD) {
                throw SluiceException.invalid("retry.onExhausted forward is written {\"forward\": \"<semaphore>\"}");
            }
        }
        initial = initial != null ? initial : d.initialBackoff();
        maxBackoff = maxBackoff != null ? maxBackoff : (initial.compareTo(d.maxBackoff()) > 0 ? initial : d.maxBackoff());
        return new RetryPolicy(max != null ? max : d.maxAttempts(), initial, maxBackoff, onExhausted, forwardTo);
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String value, String field) {
        if (value == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.isEmpty() ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw SluiceException.invalid(field + " must be one of " + allowed + ", got \"" + Fields.clip(value) + "\"");
    }
}
