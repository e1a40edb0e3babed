package dev.sluice.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs a number of clients, each on its own platform thread with its own connection, for a warm-up
 * and then a measurement; only the measurement counts. At the end every client finishes the
 * iteration it is in (so a permit it holds is released), which lets waiting clients finish too.
 */
public final class Load {
    private static final Duration DRAIN = Duration.ofSeconds(60);

    private Load() {}

    public static Sample run(int clients, Duration warmup, Duration measure, Loop.Factory factory) throws Exception {
        return run(clients, warmup, measure, factory, () -> null);
    }

    /** As {@link #run(int, Duration, Duration, Loop.Factory)}, also counting the commits {@code commits} tells (null: none). */
    public static Sample run(int clients, Duration warmup, Duration measure, Loop.Factory factory, Supplier<Commits> commits)
            throws Exception {
        List<Loop> loops = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                loops.add(factory.create(c));
            }
            return run(loops, warmup, measure, commits);
        } finally {
            for (Loop loop : loops) {
                try {
                    loop.close();
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
        }
    }

    private static Sample run(List<Loop> loops, Duration warmup, Duration measure, Supplier<Commits> commits)
            throws InterruptedException {
        Recorder latency = new Recorder(3);
        LongAdder units = new LongAdder();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(loops.size());
        var measuring = new java.util.concurrent.atomic.AtomicBoolean();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (Loop loop : loops) {
            threads.add(Thread.ofPlatform().daemon().name("bench-client").start(() -> {
                int failures = 0;
                try {
                    while (!stop.get()) {
                        try {
                            int done = loop.once(latency);
                            if (measuring.get()) {
                                units.add(done);
                            }
                        } catch (Exception e) {
                            if (stop.get()) {
                                break;
                            }
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.toString());
                            if (++failures > 100) {
                                break;   // this client is broken; the others go on
                            }
                        }
                    }
                } finally {
                    finished.countDown();
                }
            }));
        }
        Thread.sleep(warmup);
        latency.getIntervalHistogram();   // discard the warm-up
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        ThreadCpu threadsBefore = new ThreadCpu();
        long allocStart = allocatedBytes();
        Commits commitsStart = commits.get();
        measuring.set(true);
        Thread.sleep(measure);
        long counted = units.sum();
        long elapsed = System.nanoTime() - start;
        long cpu = processCpuNanos() - cpuStart;
        var byThreads = new ThreadCpu().since(threadsBefore, counted);
        long allocated = allocatedBytes() - allocStart;
        Commits committed = commitsStart == null ? null : commits.get().since(commitsStart);
        Histogram h = latency.getIntervalHistogram();
        measuring.set(false);
        stop.set(true);
        if (!finished.await(DRAIN.toSeconds(), TimeUnit.SECONDS)) {
            threads.forEach(Thread::interrupt);
        }
        double seconds = elapsed / 1e9;
        return new Sample(counted / seconds, h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50) / 1000.0,
                h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0,
                counted == 0 || cpu < 0 ? Double.NaN : cpu / 1000.0 / counted,
                counted == 0 || allocStart < 0 ? Double.NaN : (double) allocated / counted, byThreads,
                committed == null || counted == 0 ? Double.NaN : (double) committed.count() / counted,
                committed == null || committed.count() == 0 ? Double.NaN : committed.seconds() * 1000 / committed.count(),
                errors.get(), firstError.get());
    }

    /** Bytes allocated by every thread of this JVM so far (virtual threads count on their carriers), or -1. */
    static long allocatedBytes() {
        return java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()
                ? t.getTotalThreadAllocatedBytes() : -1;
    }

    /** CPU time of this whole JVM (server, clients, JIT, GC), or -1 where the JVM cannot tell. */
    static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
