package dev.sluice.client;

import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A semaphore's configuration and live state, as the server reported it at one instant. Fields
 * the server did not send (or sent in a form this SDK does not know) are {@code null}; everything
 * it sent is in {@link #raw()}.
 *
 * @param name           the name
 * @param limit          the most permits held at once
 * @param channelLimit   the most permits held at once per channel, or {@code null} for no cap
 * @param leaseTimeout   the default lease, or {@code null} when permits are untimed ({@link #untimed()})
 * @param paused         whether granting is stopped
 * @param delivery       how jobs are delivered
 * @param retry          the retry policy of failed jobs
 * @param onLeaseExpired what happens to an inflight job whose lease ran out
 * @param state          the live counters
 * @param raw            the whole JSON object
 */
public record SemaphoreView(String name, int limit, Integer channelLimit, Duration leaseTimeout, boolean paused,
                            Delivery delivery, RetryPolicy retry, LeaseExpiryAction onLeaseExpired, State state,
                            JsonNode raw) {

    /**
     * Live counters.
     *
     * @param inUse          permits held now (by acquires and inflight jobs)
     * @param waiting        queue entries waiting (jobs and waiting acquires)
     * @param inflight       jobs holding a permit
     * @param dead           jobs in the dead-letter list
     * @param pausedChannels channels paused on their own
     */
    public record State(long inUse, long waiting, long inflight, long dead, List<String> pausedChannels) {
        public State {
            pausedChannels = List.copyOf(pausedChannels);
        }

        static State from(JsonNode n) {
            return new State(num(n, "inUse"), num(n, "waiting"), num(n, "inflight"), num(n, "dead"),
                    Json.strings(n, "pausedChannels"));
        }

        private static long num(JsonNode n, String f) {
            Long v = Json.longInteger(n, f);
            return v == null ? 0 : v;
        }
    }

    /** Whether permits are untimed (the server sent {@code leaseTimeout: null}). */
    public boolean untimed() {
        return Json.isNull(raw, "leaseTimeout");
    }

    static SemaphoreView from(JsonNode n, int status) {
        String name = Json.required(n, "name", status);
        Integer limit = Json.integer(n, "limit");
        if (limit == null) {
            throw Json.invalid(status, "the semaphore view lacks \"limit\"");
        }
        return new SemaphoreView(name, limit, Json.integer(n, "channelLimit"), Json.duration(n, "leaseTimeout"),
                Json.bool(n, "paused", false), Delivery.from(Json.field(n, "delivery")),
                RetryPolicy.from(Json.field(n, "retry")),
                Json.enumValue(LeaseExpiryAction.class, Json.string(n, "onLeaseExpired")),
                State.from(Json.field(n, "state")), n);
    }
}
