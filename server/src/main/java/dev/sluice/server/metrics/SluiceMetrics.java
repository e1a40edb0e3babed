package dev.sluice.server.metrics;

import dev.sluice.core.Effects;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.server.Engine;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's metrics, in Prometheus text format at {@code /metrics}.
 *
 * <p>Counters and histograms count what committed: they are fed by the engine's in-order commit
 * listener from the core's {@link Effects#changes()}, and by its refusal listener for refused
 * {@code try}s. Gauges of a semaphore's state are set from the state each commit leaves.
 *
 * <p>Cardinality is bounded: at most {@code labelledSemaphores} semaphores get series of their
 * own, the first ones this node sees (at start, by name; then as they are used). Every other
 * semaphore is folded into {@code semaphore="_other"}: its counters add up there and its gauges
 * are summed there. A deleted semaphore's series are removed and its place is free again.
 *
 * <p>On a store shared by several nodes a node's own commits are not all there is: there the
 * gauges are also set, before each scrape, from the committed state of every semaphore
 * ({@link #readStateBeforeScrape}), so every node shows the same values. A semaphore missing
 * from two such reads in a row was deleted (by another node) and its series are removed.
 */
public final class SluiceMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceMetrics.class);
    /** The label value of the semaphores folded together. */
    public static final String OTHER = "_other";

    /** Bucket bounds of the wait and hold histograms: from a millisecond to an hour. */
    static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

    private static final Duration[] HTTP_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofMinutes(1)};

    /** Bucket bounds of the store's commit times: a durable commit takes from a tenth of a millisecond (a fast disk) up. */
    private static final Duration[] COMMIT_BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
            Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(1)};

    private static final double[] OPERATIONS_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer commits = Timer.builder("sluice.store.commit")
            .description("Transactions this node committed to the store that wrote rows, by the time the commit took "
                    + "(on the embedded store, the sync of its write-ahead log to the disk)")
            .serviceLevelObjectives(COMMIT_BUCKETS)
            .register(registry);
    private final DistributionSummary operationsPerCommit = DistributionSummary.builder("sluice.store.commit.operations")
            .description("Operations carried by each of those commits: how many share one commit (group commit)")
            .serviceLevelObjectives(OPERATIONS_BUCKETS)
            .register(registry);
    private final int labelledSemaphores;
    private final ConcurrentHashMap<String, SemaphoreSeries> labelled = new ConcurrentHashMap<>();
    /** The last state of each folded semaphore, so that its change can be added to the sums of {@link #other}. */
    private final ConcurrentHashMap<String, long[]> folded = new ConcurrentHashMap<>();
    /** Looked up once per kind of request: building and registering a timer on every request costs more than serving many. */
    private final ConcurrentHashMap<HttpSeries, Timer> httpTimers = new ConcurrentHashMap<>();
    private final AtomicInteger foldedCount = new AtomicInteger();
    private final SemaphoreSeries other;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile Supplier<List<SemaphoreRecord>> committedState;
    /** Semaphores with series that the last read of the committed state did not find. */
    private Set<String> missingLastRead = Set.of();

    /** @param labelledSemaphores how many semaphores get series of their own (0 … ); the rest are folded */
    public SluiceMetrics(int labelledSemaphores) {
        if (labelledSemaphores < 0) {
            throw new IllegalArgumentException("labelledSemaphores must be 0 or more, got " + labelledSemaphores);
        }
        this.labelledSemaphores = labelledSemaphores;
        this.other = new SemaphoreSeries(registry, OTHER);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        registry.gauge("sluice.metrics.semaphores.folded", foldedCount);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Listens to the engine's commits and refusals. */
    public void install(Engine engine) {
        engine.onCommitInOrder(this::committed);
        engine.onRefusal(r -> series(r.semaphore()).rejected(r.rejection().mode(), r.rejection().reason()));
    }

    /** Sets the gauges of semaphores that exist at start (call before the node serves). */
    public void load(List<SemaphoreRecord> semaphores) {
        semaphores.forEach(s -> state(s.name(), s));
    }

    /**
     * Before each scrape, sets the gauges from {@code committedState}: every semaphore as the store
     * holds it (on a shared store, where other nodes commit too). If it fails (the store is away),
     * the scrape shows the last values.
     */
    public void readStateBeforeScrape(Supplier<List<SemaphoreRecord>> committedState) {
        this.committedState = committedState;
    }

    /** The whole registry in Prometheus text format. */
    public String scrape() {
        Supplier<List<SemaphoreRecord>> read = committedState;
        if (read != null) {
            try {
                refresh(read.get());
            } catch (RuntimeException e) {
                log.debug("Metrics: the semaphores' state could not be read; the last values are shown: {}", e.getMessage());
            }
        }
        return registry.scrape();
    }

    /** Sets the gauges of every semaphore read; removes the series of those missing from this read and the last. */
    synchronized void refresh(List<SemaphoreRecord> all) {
        Set<String> present = new HashSet<>();
        for (SemaphoreRecord s : all) {
            present.add(s.name());
            state(s.name(), s);
        }
        Set<String> missing = new HashSet<>(labelled.keySet());
        missing.addAll(folded.keySet());
        missing.removeAll(present);
        // Missing once may be a semaphore created after the read began; missing twice, it is gone.
        for (String name : missing) {
            if (missingLastRead.contains(name)) {
                forget(name);
            }
        }
        missing.removeIf(name -> missingLastRead.contains(name));
        missingLastRead = missing;
    }

    /** Records one commit of the store (see {@code dev.sluice.store.CommitListener}). */
    public void storeCommitted(int operations, long commitNanos) {
        commits.record(commitNanos, TimeUnit.NANOSECONDS);
        operationsPerCommit.record(operations);
    }

    /** Records one HTTP request; {@code route} is the matched route template, so the labels stay bounded. */
    public void httpRequest(String method, String route, int status, long millis) {
        httpTimers.computeIfAbsent(new HttpSeries(method, route, status), k -> Timer.builder("http.server.requests")
                        .description("HTTP requests served, by route template")
                        .tags("method", method, "uri", route, "status", Integer.toString(status), "outcome", outcome(status))
                        .serviceLevelObjectives(HTTP_BUCKETS)
                        .register(registry))
                .record(millis, TimeUnit.MILLISECONDS);
    }

    private record HttpSeries(String method, String route, int status) {}

    private static String outcome(int status) {
        return status >= 500 ? "SERVER_ERROR" : status >= 400 ? "CLIENT_ERROR" : status >= 300 ? "REDIRECTION" : "SUCCESS";
    }

    private void committed(Engine.Committed c) {
        if (c.state() == null && c.effects().changes().isEmpty()) {
            return;   // it touched no semaphore: nothing to count, and no series to make for its name
        }
        SemaphoreSeries s = series(c.semaphore());
        boolean deleted = false;
        for (Effects.Change change : c.effects().changes()) {
            switch (change) {
                case Effects.Granted g -> s.granted(g);
                case Effects.Rejected r -> s.rejected(r.mode(), r.reason());
                case Effects.Queued q -> s.queued(q);
                case Effects.Released r -> s.released(r.permit(), r.at());
                case Effects.Expired e -> s.expired(e.permit(), e.at());
                case Effects.AttemptEnded a -> s.attemptEnded(a.outcome());
                case Effects.DeadLettered d -> s.deadLettered();
                case Effects.Deleted d -> deleted = true;
                default -> { }
            }
        }
        if (deleted) {
            forget(c.semaphore());
        } else if (c.state() != null) {
            state(c.semaphore(), c.state());
        }
    }

    /** The series a semaphore counts in: its own while there is room, else {@link #OTHER}. */
    SemaphoreSeries series(String semaphore) {
        SemaphoreSeries own = labelled.get(semaphore);
        if (own != null) {
            return own;
        }
        if (folded.containsKey(semaphore)) {
            return other;
        }
        synchronized (this) {
            own = labelled.get(semaphore);
            if (own != null) {
                return own;
            }
            if (labelled.size() < labelledSemaphores) {
                own = new SemaphoreSeries(registry, semaphore);
                labelled.put(semaphore, own);
                return own;
            }
            if (folded.putIfAbsent(semaphore, new long[SemaphoreSeries.STATE_FIELDS]) == null) {
                foldedCount.incrementAndGet();
            }
            return other;
        }
    }

    private void state(String semaphore, SemaphoreRecord state) {
        SemaphoreSeries s = series(semaphore);
        long[] now = SemaphoreSeries.stateOf(state);
        if (s != other) {
            s.setState(now);
            return;
        }
        long[] before = folded.put(semaphore, now);
        other.addState(now, before);
    }

    private synchronized void forget(String semaphore) {
        SemaphoreSeries own = labelled.remove(semaphore);
        if (own != null) {
            own.remove(registry);
            return;
        }
        long[] last = folded.remove(semaphore);
        if (last != null) {
            foldedCount.decrementAndGet();
            other.addState(new long[SemaphoreSeries.STATE_FIELDS], last);
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
