package example;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for a partner API that allows at most {@code maxInFlight} concurrent calls and
 * answers "429 Too Many Requests" (here: throws) to the next one, the kind of resource Sluice
 * protects. It also remembers the highest number of calls it ever saw in flight.
 */
final class FakePartnerApi {
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();

    FakePartnerApi(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /** One call: takes 50–250 ms. Throws if more than {@code maxInFlight} calls are in flight. */
    String charge(int order, long fencingToken) throws InterruptedException {
        int now = inFlight.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        calls.incrementAndGet();
        try {
            if (now > maxInFlight) {
                rejected.incrementAndGet();
                throw new IllegalStateException("partner API overloaded: " + now + " calls in flight, allowed "
                        + maxInFlight);
            }
            Thread.sleep(ThreadLocalRandom.current().nextLong(50, 250));
            return "charged order " + order + " (token " + fencingToken + ")";
        } finally {
            inFlight.decrementAndGet();
        }
    }

    int peak() {
        return peak.get();
    }

    int calls() {
        return calls.get();
    }

    int rejected() {
        return rejected.get();
    }
}
