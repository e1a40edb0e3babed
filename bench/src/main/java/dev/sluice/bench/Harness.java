package dev.sluice.bench;

import dev.sluice.bench.ceilings.EmptyHttpServer;
import dev.sluice.bench.ceilings.Fsync;
import dev.sluice.bench.load.Handoffs;
import dev.sluice.bench.load.Load;
import dev.sluice.bench.load.Loop;
import dev.sluice.bench.load.RawHttp;
import dev.sluice.bench.load.Sample;
import dev.sluice.bench.systems.CuratorSubject;
import dev.sluice.bench.systems.HazelcastSubject;
import dev.sluice.bench.systems.JdkSemaphoreSubject;
import dev.sluice.bench.systems.PostgresCounterSubject;
import dev.sluice.bench.systems.Prefill;
import dev.sluice.bench.systems.RedissonSubject;
import dev.sluice.bench.systems.SluiceSubject;
import dev.sluice.bench.systems.Subject;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.HdrHistogram.Recorder;

/**
 * Runs the plan: every system in turn, started here and stopped before the next one starts, each
 * through the scenarios that apply to it; progress on a stream (stderr), results in a {@link Report}.
 */
public final class Harness {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration CLAIM_WAIT = Duration.ofSeconds(5);

    private final Plan plan;
    private final Path dataRoot;
    private final PrintStream progress;
    private final long startedNanos = System.nanoTime();
    private final List<Result> results = new ArrayList<>();
    private final List<Skip> skipped = new ArrayList<>();

    public Harness(Plan plan, Path dataRoot, PrintStream progress) {
        this.plan = plan;
        this.dataRoot = dataRoot;
        this.progress = progress;
    }

    public Report run(String command) throws IOException {
        Instant date = Instant.now();
        var machine = Machine.describe(dataRoot);
        for (String system : Plan.SYSTEMS) {
            if (!plan.systems().contains(system)) {
                continue;
            }
            say("— %s", system);
            try {
                runSystem(system);
            } catch (Exception | LinkageError e) {
                skip(system, "*", "failed: " + e);
            }
        }
        say("done in %.0f s", (System.nanoTime() - startedNanos) / 1e9);
        return new Report(machine, date, command, results, skipped);
    }

    private void runSystem(String system) throws Exception {
        switch (system) {
            case "sluice" -> {
                try (SluiceSubject sluice = SluiceSubject.start(freshDir("sluice"))) {
                    semaphoreScenarios(sluice);
                    async(sluice);
                }
                scalingSluice();
            }
            case "sluice-postgres" -> {
                try (SluiceSubject sluice = SluiceSubject.startOnPostgres(freshDir("sluice-postgres"))) {
                    semaphoreScenarios(sluice);
                    async(sluice);
                }
                skip(system, "scaling", "run on the embedded store only: its prefill writes the SQLite file directly");
            }
            case "sluice-3-nodes" -> {
                try (SluiceSubject sluice = SluiceSubject.startThreeNodes(freshDir("sluice-3-nodes"))) {
                    semaphoreScenarios(sluice);
                    async(sluice);
                }
                skip(system, "scaling", "run on the embedded store only: its prefill writes the SQLite file directly");
            }
            case "redisson" -> {
                String why = RedissonSubject.unavailable();
                if (why != null) {
                    skip(system, "*", why);
                    return;
                }
                try (RedissonSubject redisson = RedissonSubject.start(maxClients())) {
                    peer(redisson);
                }
            }
            case "curator" -> {
                try (CuratorSubject curator = CuratorSubject.start()) {
                    peer(curator);
                }
            }
            case "hazelcast" -> {
                try (HazelcastSubject hazelcast = HazelcastSubject.start()) {
                    peer(hazelcast);
                }
            }
            case "postgres-counter" -> {
                try (PostgresCounterSubject pg = PostgresCounterSubject.start()) {
                    peer(pg);
                }
            }
            case "empty-http" -> emptyHttp();
            case "jdk-semaphore" -> {
                try (JdkSemaphoreSubject jdk = new JdkSemaphoreSubject()) {
                    semaphoreScenarios(jdk);
                    skip(jdk.id(), "async", "in-process semaphore: no job queue");
                }
            }
            case "fsync" -> cell("try-release", "fsync", "4 KiB write + fdatasync", 1, "fsyncs", "one fsync", false,
                    () -> Load.run(1, plan.warmup(), plan.measure(), c -> new Fsync(dataRoot)));
            default -> throw new IllegalArgumentException("unknown system " + system);
        }
    }

    private int maxClients() {
        return Stream.of(plan.clients(), plan.handoffClients(), List.of(plan.scalingClients()))
                .flatMap(List::stream).max(Integer::compare).orElse(1);
    }

    private void peer(Subject peer) throws Exception {
        semaphoreScenarios(peer);
        skip(peer.id(), "async", "no job queue: nothing to enqueue, claim or complete");
        for (int count : plan.scenarios().contains("scaling") ? plan.semaphoreCounts() : List.<Integer>of()) {
            if (count > peer.maxSemaphores()) {
                skip(peer.id(), "scaling", String.format(Locale.ROOT, "%,d semaphores: more than the harness creates on it (%,d): %s",
                        count, peer.maxSemaphores(), "each is created on its own, which takes minutes at this size"));
                continue;
            }
            String prefix = "sc" + count + "-";
            peer.semaphores(prefix, count, plan.limit());
            scalingAcrossSemaphores(peer, prefix, count, false);
        }
        skip(peer.id(), "scaling", "jobs waiting: no job queue (semaphores scaled only)");
    }

    // ---- try-release and hand-off: every semaphore ------------------------------------------

    private void semaphoreScenarios(Subject s) throws Exception {
        if (!plan.systemWarmup().isZero()) {
            s.semaphore("warm-up", plan.limit());
            s.semaphore("warm-up-wait", plan.contendedLimit());
            int clients = Math.min(16, maxClients());
            Sample warm = Load.run(clients, Duration.ZERO, plan.systemWarmup(), c -> pairs(s.connect(), () -> "warm-up"));
            // the wait path too: otherwise the first hand-off cell measures the JIT compiling it
            Duration waits = plan.systemWarmup().dividedBy(2);
            Handoffs handoffs = new Handoffs();
            Sample warmWait = Load.run(clients, Duration.ZERO, waits, c -> waited(s.connect(), "warm-up-wait", handoffs));
            say("  warmed up %s for %.1f s (%,.0f pairs/s, then %,.0f grants/s with a wait; not recorded)", s.id(),
                    plan.systemWarmup().plus(waits).toMillis() / 1000.0, warm.throughput(), warmWait.throughput());
        }
        for (int clients : plan.clients()) {
            String name = "tr-" + clients;
            s.semaphore(name, plan.limit());
            cell("try-release", s.id(), "limit " + plan.limit(), clients, "pairs", "try-acquire + release", false,
                    () -> Load.run(clients, plan.warmup(), plan.measure(), c -> pairs(s.connect(), () -> name), s::commits));
        }
        for (int clients : plan.handoffClients()) {
            String name = "ho-" + clients;
            s.semaphore(name, plan.contendedLimit());
            Handoffs handoffs = new Handoffs();
            cell("handoff", s.id(), "wait, limit " + plan.contendedLimit(), clients, "grants", "release → grant to a waiting client", false,
                    () -> Load.run(clients, plan.warmup(), plan.measure(), c -> waited(s.connect(), name, handoffs), s::commits));
            if (s.notATry() != null) {
                skip(s.id(), "handoff", "try-loop: " + s.notATry());
                continue;
            }
            String spun = "tl-" + clients;
            s.semaphore(spun, plan.contendedLimit());
            cell("handoff", s.id(), "try-loop, limit " + plan.contendedLimit(), clients, "grants", "granted try-acquire + release", false,
                    () -> Load.run(clients, plan.warmup(), plan.measure(), c -> pairs(s.connect(), () -> spun), s::commits));
        }
    }

    /** Try-acquire then release; a refusal counts nothing (in a try-loop the client simply tries again). */
    private static Loop pairs(Subject.Client client, java.util.function.Supplier<String> semaphore) {
        return new Loop() {
            @Override
            public int once(Recorder latency) throws Exception {
                String name = semaphore.get();
                long start = System.nanoTime();
                Object permit = client.tryAcquire(name);
                if (permit == null) {
                    return 0;
                }
                client.release(name, permit);
                latency.recordValue((System.nanoTime() - start) / 1_000);
                return 1;
            }

            @Override
            public void close() throws Exception {
                client.close();
            }
        };
    }

    /** Waits for a permit (the system's blocking acquire), then releases it at once. */
    private static Loop waited(Subject.Client client, String name, Handoffs handoffs) {
        return new Loop() {
            @Override
            public int once(Recorder latency) throws Exception {
                Object permit = client.acquire(name, WAIT);
                if (permit == null) {
                    return 0;
                }
                handoffs.granted(latency);
                handoffs.releasing();
                client.release(name, permit);
                return 1;
            }

            @Override
            public void close() throws Exception {
                client.close();
            }
        };
    }

    // ---- async: Sluice only (either store) ---------------------------------------------------

    private void async(SluiceSubject sluice) throws Exception {
        for (int clients : plan.clients()) {
            String name = "as-" + clients;
            sluice.semaphore(name, plan.limit());
            cell("async", sluice.id(), "limit " + plan.limit(), clients, "jobs", "enqueue + claim + complete", false,
                    () -> Load.run(clients, plan.warmup(), plan.measure(), c -> jobs(sluice.connect(), name, null), sluice::commits));
        }
        for (int clients : plan.clients()) {
            String name = "ab-" + clients;
            sluice.semaphore(name, plan.limit());
            cell("async", sluice.id(), "batches of " + BATCH + ", limit " + plan.limit(), clients, "jobs",
                    "enqueue " + BATCH + " + claim " + BATCH + " + complete " + BATCH, false,
                    () -> Load.run(clients, plan.warmup(), plan.measure(), c -> jobBatches(sluice.connect(), name), sluice::commits));
        }
        for (int clients : plan.handoffClients()) {
            String name = "ig-" + clients;
            sluice.semaphore(name, plan.contendedLimit());
            Handoffs handoffs = new Handoffs();
            cell("async", sluice.id(), "idle gap, limit " + plan.contendedLimit(), clients, "jobs",
                    "permit idle: complete → claim granted", false,
                    () -> Load.run(clients, plan.warmup(), plan.measure(), c -> jobs(sluice.connect(), name, handoffs), sluice::commits));
        }
    }

    /**
     * A worker that also produces: enqueues a job, claims the oldest one (long-poll), completes it.
     * The queue keeps its depth. With {@code handoffs}, records how long each freed permit sat idle
     * before a waiting claim got it; without, the cycle's latency.
     */
    private static Loop jobs(SluiceSubject.HttpClient client, String name, Handoffs handoffs) {
        return new Loop() {
            @Override
            public int once(Recorder latency) throws Exception {
                long start = System.nanoTime();
                client.enqueue(name);
                String[] claimed = client.claim(name, handoffs == null ? CLAIM_WAIT : WAIT);
                if (claimed == null) {
                    return 0;
                }
                if (handoffs != null) {
                    handoffs.granted(latency);
                    handoffs.releasing();
                }
                client.complete(name, claimed);
                if (handoffs == null) {
                    latency.recordValue((System.nanoTime() - start) / 1_000);
                }
                return 1;
            }

            @Override
            public void close() throws Exception {
                client.close();
            }
        };
    }

    /** Jobs per request in the batched async cycle. */
    static final int BATCH = 10;

    /**
     * The async cycle in batches, as a high-rate producer and worker would run it: enqueues
     * {@link #BATCH} jobs in one request, claims up to as many (long-poll), completes those
     * claimed in one request. Latency is the whole cycle's.
     */
    private static Loop jobBatches(SluiceSubject.HttpClient client, String name) {
        return new Loop() {
            @Override
            public int once(Recorder latency) throws Exception {
                long start = System.nanoTime();
                client.enqueueBatch(name, BATCH);
                List<String[]> claimed = client.claim(name, BATCH, CLAIM_WAIT);
                if (claimed.isEmpty()) {
                    return 0;
                }
                client.completeBatch(name, claimed);
                latency.recordValue((System.nanoTime() - start) / 1_000);
                return claimed.size();
            }

            @Override
            public void close() throws Exception {
                client.close();
            }
        };
    }

    // ---- scaling ----------------------------------------------------------------------------

    /** Each size on a fresh node over a prefilled store, so that its heap is that of the size. */
    private void scalingSluice() throws Exception {
        if (!plan.scenarios().contains("scaling")) {
            return;
        }
        for (int depth : plan.depths()) {
            Path dir = freshDir("sluice-depth-" + depth);
            say("  prefilling %,d waiting jobs …", depth);
            Prefill.jobs(dir, "deep", plan.limit(), depth);
            try (SluiceSubject sluice = SluiceSubject.start(dir)) {
                int clients = plan.scalingClients();
                cell("scaling", "sluice", String.format(Locale.ROOT, "%,d jobs waiting", depth), clients, "jobs",
                        "enqueue + claim + complete", true,
                        () -> Load.run(clients, plan.warmup(), plan.measure(), c -> jobs(sluice.connect(), "deep", null), sluice::commits));
            }
            delete(dir);
        }
        for (int count : plan.semaphoreCounts()) {
            Path dir = freshDir("sluice-semaphores-" + count);
            say("  prefilling %,d semaphores …", count);
            Prefill.semaphores(dir, "sc-", count, plan.limit());
            try (SluiceSubject sluice = SluiceSubject.start(dir)) {
                scalingAcrossSemaphores(sluice, "sc-", count, true);
            }
            delete(dir);
        }
    }

    private void scalingAcrossSemaphores(Subject s, String prefix, int count, boolean withHeap) throws Exception {
        int clients = plan.scalingClients();
        cell("scaling", s.id(), String.format(Locale.ROOT, "%,d semaphores", count), clients, "pairs",
                "try-acquire + release, random semaphore", withHeap,
                () -> Load.run(clients, plan.warmup(), plan.measure(),
                        c -> pairs(s.connect(), () -> prefix + ThreadLocalRandom.current().nextInt(count)), s::commits));
    }

    // ---- ceilings ---------------------------------------------------------------------------

    private void emptyHttp() throws Exception {
        try (EmptyHttpServer server = EmptyHttpServer.start()) {
            for (int clients : plan.clients()) {
                cell("try-release", "empty-http", "empty GET", clients, "requests", "one request", false,
                        () -> Load.run(clients, plan.warmup(), plan.measure(), c -> {
                            RawHttp http = new RawHttp(server.port());
                            return new Loop() {
                                @Override
                                public int once(Recorder latency) throws IOException {
                                    long start = System.nanoTime();
                                    if (http.send("GET", EmptyHttpServer.PATH, null).status() != 200) {
                                        throw new IOException("the empty request failed");
                                    }
                                    latency.recordValue((System.nanoTime() - start) / 1_000);
                                    return 1;
                                }

                                @Override
                                public void close() throws IOException {
                                    http.close();
                                }
                            };
                        }));
            }
        }
    }

    // ---- plumbing ---------------------------------------------------------------------------

    @FunctionalInterface
    private interface Measurement {
        Sample measure() throws Exception;
    }

    /** Measures a cell {@code plan.runs()} times and keeps the medians. */
    private void cell(String scenario, String system, String variant, int clients, String unit, String latency,
                      boolean withHeap, Measurement m) throws Exception {
        if (!plan.scenarios().contains(scenario)) {
            return;
        }
        List<Sample> samples = new ArrayList<>();
        for (int run = 0; run < plan.runs(); run++) {
            samples.add(m.measure());
        }
        Double heap = withHeap ? liveHeapMb() : null;
        long errors = samples.stream().mapToLong(Sample::errors).sum();
        Sample median = medianRun(samples);
        Result r = new Result(scenario, system, variant, clients, median(samples, Sample::throughput), unit,
                orNull(median(samples, Sample::p50Ms)), orNull(median(samples, Sample::p99Ms)), latency, heap, orNull(median(samples, Sample::cpuUsPerUnit)),
                orNull(median(samples, Sample::allocBytesPerUnit) / 1024),
                median.cpuUsPerUnitByThreads(), orNull(median.commitsPerUnit()), orNull(median.commitMs()), errors);
        results.add(r);
        say("  %-11s %-16s %-26s %3d clients %,11.0f %-8s p50 %7.2f ms  p99 %7.2f ms  cpu %6.0f µs  alloc %6.1f KiB%s%s%s", scenario,
                system, variant, clients, r.throughput(), unit + "/s", orNaN(r.p50Ms()), orNaN(r.p99Ms()), orNaN(r.cpuUsPerUnit()),
                orNaN(r.allocKbPerUnit()), heap == null ? "" : String.format(Locale.ROOT, "  heap %.0f MiB", heap),
                r.commitsPerUnit() == null ? "" : String.format(Locale.ROOT, "  commits %.2f/%s (%.2f ms)", r.commitsPerUnit(),
                        unit.replaceAll("s$", ""), orNaN(r.commitMs())),
                errors == 0 ? "" : "  (" + errors + " errors, first: " + samples.stream().map(Sample::firstError)
                        .filter(java.util.Objects::nonNull).findFirst().orElse("?") + ")");
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }

    private static Sample medianRun(List<Sample> samples) {
        return samples.stream().sorted(Comparator.comparingDouble(Sample::throughput)).toList().get(samples.size() / 2);
    }

    private static double median(List<Sample> samples, ToDoubleFunction<Sample> metric) {
        double[] v = samples.stream().mapToDouble(metric).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    /** The live heap of this JVM (the server's, in the Sluice cells) after a full GC, in MiB. */
    private static double liveHeapMb() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    }

    private void skip(String system, String scenario, String reason) {
        if (!scenario.equals("*") && !plan.scenarios().contains(scenario)) {
            return;
        }
        Skip skip = new Skip(system, scenario, reason);
        if (skipped.contains(skip)) {
            return;   // said once already, for an earlier number of clients
        }
        skipped.add(skip);
        say("  skipped %s %s: %s", system, scenario.equals("*") ? "(all)" : scenario, reason);
    }

    private void say(String format, Object... args) {
        progress.printf(Locale.ROOT, "[%4.0fs] " + format + "%n",
                Stream.concat(Stream.of((System.nanoTime() - startedNanos) / 1e9), Stream.of(args)).toArray());
        progress.flush();
    }

    private Path freshDir(String name) throws IOException {
        Path dir = dataRoot.resolve(name);
        delete(dir);
        return Files.createDirectories(dir);
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
