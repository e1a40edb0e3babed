package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.client.FakeServer.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worker against a fake claim endpoint that plays a queue of jobs. */
class WorkerTest {
    private FakeServer server;
    private Sluice sluice;

    /** The fake queue: jobs waiting, jobs handed out and not settled, and the peak of the latter. */
    private final Deque<String> waiting = new ArrayDeque<>();
    private final Set<String> inflight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger peakInflight = new AtomicInteger();
    private final List<Integer> claimMax = new CopyOnWriteArrayList<>();
    private final List<String> completed = new CopyOnWriteArrayList<>();
    private final List<String> failed = new CopyOnWriteArrayList<>();
    private volatile String lease = null;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeServer();
        sluice = Sluice.builder().baseUrl(server.url()).requestTimeout(Duration.ofSeconds(5)).build();
        server.on("POST", "/v1/semaphores/payments/jobs/claim", this::claim);
        server.on("POST", "/v1/semaphores/payments/jobs/([^/]+)/(complete|fail)", r -> {
            String id = r.match().group(1);
            if (!inflight.remove(id)) {
                return Reply.problem(410, "lease_expired", id + " is not inflight");
            }
            (r.match().group(2).equals("complete") ? completed : failed).add(id);
            return Reply.empty(204);
        });
        server.on("POST", "/v1/semaphores/payments/jobs/([^/]+)/heartbeat",
                r -> Reply.json(200, "{\"expiresAt\":\"" + Instant.now().plusMillis(600) + "\"}"));
    }

    @AfterEach
    void tearDown() {
        sluice.close();
        server.close();
    }

    private void enqueue(int n) {
        synchronized (waiting) {
            for (int i = 0; i < n; i++) {
                waiting.add("j-" + i);
            }
        }
    }

    private Reply claim(FakeServer.Request r) {
        int max = r.body().get("max").asInt();
        claimMax.add(max);
        Duration wait = Duration.parse(r.body().get("wait").asString());
        long deadline = System.nanoTime() + wait.toNanos();
        StringBuilder jobs = new StringBuilder();
        int n = 0;
        while (true) {
            synchronized (waiting) {
                while (n < max && !waiting.isEmpty()) {
                    String id = waiting.poll();
                    inflight.add(id);
                    peakInflight.accumulateAndGet(inflight.size(), Math::max);
                    jobs.append(n++ == 0 ? "" : ",").append("{\"jobId\":\"").append(id)
                            .append("\",\"payload\":{\"n\":\"").append(id).append("\"},\"channel\":\"default\",")
                            .append("\"permitId\":\"p-").append(id).append("\",\"fencingToken\":").append(n)
                            .append(",\"attempt\":1,\"expiresAt\":")
                            .append(lease == null ? "null" : "\"" + Instant.now().plus(Duration.parse(lease)) + "\"")
                            .append("}");
                }
            }
            if (n > 0 || System.nanoTime() > deadline) {
                return Reply.json(200, "{\"jobs\":[" + jobs + "]}");
            }
            FakeServer.sleep(5);
        }
    }

    @Test
    void neverHasMoreJobsInFlightThanItsConcurrency() {
        enqueue(60);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peakRunning = new AtomicInteger();

        try (Worker w = sluice.worker("payments", job -> {
            peakRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(ThreadLocalRandom.current().nextInt(5, 25));
            running.decrementAndGet();
        }).concurrency(4).pollWait(Duration.ofMillis(200)).start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> completed.size() == 60);
            assertThat(w.concurrency()).isEqualTo(4);
        }

        assertThat(peakRunning.get()).isBetween(2, 4);
        assertThat(peakInflight.get()).isLessThanOrEqualTo(4);
        assertThat(claimMax).allMatch(m -> m >= 1 && m <= 4);
        assertThat(failed).isEmpty();
        assertThat(completed).doesNotHaveDuplicates();
    }

    @Test
    void aThrowingHandlerFailsItsJobAsRetryable() {
        enqueue(1);
        try (Worker w = sluice.worker("payments", job -> {
            throw new IllegalStateException("partner said no");
        }).pollWait(Duration.ofMillis(100)).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> failed.size() == 1);
        }
        FakeServer.Request fail = server.requests("POST", ".*/jobs/j-0/fail").getFirst();
        assertThat(fail.body().toString()).isEqualTo("{\"error\":\"partner said no\",\"retryable\":true}");
        assertThat(completed).isEmpty();
    }

    @Test
    void aHandlerMaySettleItsJobItself() {
        enqueue(2);
        try (Worker w = sluice.worker("payments", job -> {
            assertThat(job.payload().get("n").asString()).isEqualTo(job.jobId());
            job.fail("bad input", false);
        }).concurrency(2).pollWait(Duration.ofMillis(100)).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> failed.size() == 2);
        }
        assertThat(server.requests("POST", ".*/jobs/.*/fail")).hasSize(2)
                .allMatch(r -> r.body().toString().equals("{\"error\":\"bad input\",\"retryable\":false}"));
        assertThat(server.requests("POST", ".*/jobs/.*/complete")).isEmpty();
    }

    record Order(String n) {
    }

    @Test
    void typedPayloadsAndJobFields() {
        enqueue(1);
        CopyOnWriteArrayList<Job> seen = new CopyOnWriteArrayList<>();
        try (Worker w = sluice.worker("payments", job -> {
            assertThat(job.payload(Order.class)).isEqualTo(new Order("j-0"));
            seen.add(job);
        }).pollWait(Duration.ofMillis(100)).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> completed.size() == 1);
        }
        Job job = seen.getFirst();
        assertThat(job.jobId()).isEqualTo("j-0");
        assertThat(job.permitId()).isEqualTo("p-j-0");
        assertThat(job.fencingToken()).isEqualTo(1);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.channel()).isEqualTo("default");
        assertThat(job.isSettled()).isTrue();
        assertThat(job.isValid()).isFalse();
    }

    @Test
    void longJobsAreHeartbeated() {
        lease = "PT0.6S";
        enqueue(1);
        try (Worker w = sluice.worker("payments", job -> {
            Thread.sleep(1000);
            assertThat(job.isValid()).isTrue();
        }).leaseTimeout(Duration.parse(lease)).pollWait(Duration.ofMillis(100)).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> completed.size() == 1);
        }
        assertThat(server.requests("POST", ".*/jobs/j-0/heartbeat").size()).isBetween(3, 7);
        assertThat(server.requests("POST", ".*/jobs/claim").getFirst().body().get("leaseTimeout").asString())
                .isEqualTo("PT0.6S");
    }

    @Test
    void closeStopsClaimingAndWaitsForRunningHandlers() throws Exception {
        enqueue(1);
        CountDownLatch started = new CountDownLatch(1);
        Worker w = sluice.worker("payments", job -> {
            started.countDown();
            Thread.sleep(300);
        }).pollWait(Duration.ofSeconds(10)).start();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        long t0 = System.nanoTime();
        w.close();

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
        assertThat(completed).containsExactly("j-0");
        assertThat(w.isRunning()).isFalse();
        assertThat(w.inFlight()).isZero();
        int claims = server.requests("POST", ".*/jobs/claim").size();
        enqueue(1);
        Thread.sleep(200);
        assertThat(server.requests("POST", ".*/jobs/claim")).hasSize(claims);
    }

    @Test
    void handlersOutlivingTheShutdownTimeoutAreAbandoned() throws Exception {
        enqueue(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Worker w = sluice.worker("payments", job -> {
            started.countDown();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        }).pollWait(Duration.ofMillis(100)).shutdownTimeout(Duration.ofMillis(200)).start();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        w.close();

        assertThat(interrupted.await(2, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        assertThat(completed).isEmpty();
        assertThat(failed).isEmpty(); // left to lease expiry
    }

    @Test
    void claimFailuresAreReportedAndRetriedWithBackoff() {
        server.on("POST", "/v1/semaphores/payments/jobs/claim", Reply.problem(503, "store_unavailable", "db down"));
        CopyOnWriteArrayList<SluiceException> errors = new CopyOnWriteArrayList<>();

        try (Worker w = sluice.worker("payments", job -> { }).onError(errors::add)
                .pollWait(Duration.ofMillis(100)).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> errors.size() >= 3);
            assertThat(w.isRunning()).isTrue();
        }
        assertThat(errors).allMatch(e -> e instanceof StoreUnavailableException);
    }

    @Test
    void aLostLeaseOnCompleteIsReported() {
        enqueue(1);
        CopyOnWriteArrayList<SluiceException> errors = new CopyOnWriteArrayList<>();
        try (Worker w = sluice.worker("payments", job -> inflight.remove(job.jobId())) // the server "expired" it
                .onError(errors::add).pollWait(Duration.ofMillis(100)).start()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> errors.size() == 1);
        }
        assertThat(errors.getFirst()).isInstanceOf(LeaseExpiredException.class);
        assertThat(server.requests("POST", ".*/jobs/j-0/complete")).hasSize(1);
    }

    @Test
    void closingTheClientClosesItsWorkers() {
        Worker w = sluice.worker("payments", job -> { }).pollWait(Duration.ofSeconds(10)).start();
        await().atMost(Duration.ofSeconds(2)).until(() -> !server.requests("POST", ".*/jobs/claim").isEmpty());

        sluice.close();

        assertThat(w.isRunning()).isFalse();
    }

    @Test
    void jobsOfAnAbandonedClaimAreHandedBack() {
        server.on("POST", "/v1/semaphores/payments/jobs/claim", r -> {
            FakeServer.sleep(200);
            return Reply.json(200, "{\"jobs\":[{\"jobId\":\"j-9\",\"payload\":1,\"permitId\":\"p\",\"fencingToken\":3,"
                    + "\"attempt\":1,\"expiresAt\":null}]}");
        });
        server.on("POST", "/v1/semaphores/payments/jobs/j-9/reschedule", Reply.json(200, "{\"jobId\":\"j-9\",\"state\":\"waiting\"}"));

        sluice.semaphore("payments").claimAsync(1, Duration.ofSeconds(5), null).cancel(false);

        await().atMost(Duration.ofSeconds(2)).until(() -> server.requests("POST", ".*/j-9/reschedule").size() == 1);
    }
}
