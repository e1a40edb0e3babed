package dev.sluice.server;

/**
 * How a node exposes itself to operators.
 *
 * @param labelledSemaphores how many semaphores get metric series of their own; the others are
 *                           summed under {@code semaphore="_other"} (see docs/observability.md)
 * @param eventRing          how many recent events each watched semaphore keeps for clients that
 *                           resume their event stream with {@code Last-Event-ID}
 * @param otlpEndpoint       where to send OpenTelemetry spans (OTLP over HTTP, e.g.
 *                           {@code http://localhost:4318}), or null for none: tracing is off and costs nothing
 */
public record ObservabilitySettings(int labelledSemaphores, int eventRing, String otlpEndpoint) {
    public static final int DEFAULT_LABELLED_SEMAPHORES = 100;
    public static final int DEFAULT_EVENT_RING = 1000;

    public ObservabilitySettings {
        if (labelledSemaphores < 0 || labelledSemaphores > 100_000) {
            throw new IllegalArgumentException("labelled semaphores must be 0 … 100000, got " + labelledSemaphores);
        }
        if (eventRing < 1 || eventRing > 100_000) {
            throw new IllegalArgumentException("the event ring must hold 1 … 100000 events, got " + eventRing);
        }
        if (otlpEndpoint != null && !otlpEndpoint.matches("https?://[^\\s/]+(/.*)?")) {
            throw new IllegalArgumentException("the OTLP endpoint must be an http:// or https:// URL, got " + otlpEndpoint);
        }
    }

    public static ObservabilitySettings defaults() {
        return new ObservabilitySettings(DEFAULT_LABELLED_SEMAPHORES, DEFAULT_EVENT_RING, null);
    }

    public ObservabilitySettings withLabelledSemaphores(int n) {
        return new ObservabilitySettings(n, eventRing, otlpEndpoint);
    }

    public ObservabilitySettings withOtlpEndpoint(String endpoint) {
        return new ObservabilitySettings(labelledSemaphores, eventRing, endpoint);
    }
}
