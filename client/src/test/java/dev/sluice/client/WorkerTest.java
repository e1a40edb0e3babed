package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.TcpProxy;
import dev.sluice.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers against a real node: concurrency, completion, the failure path, heartbeats, lost leases, shutdown; and batches without a worker. */
class WorkerTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofSeconds(1);

    @TempDir
    static Path dataDir;
    static TestServer server;

    private Sluice sluice;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dataDir);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void connect() {
        sluice = Sluice.connect("http://127.0.0.1:" + server.port());
    }

    @AfterEach
    void disconnect() {
        sluice.close();
    }

    private Semaphore newSemaphore(String prefix, SemaphoreConfig config) {
        Semaphore s = sluice.semaphore(TestServer.name(prefix));
        s.create(config);
        return s;
    }

    private static long state(Semaphore s, String field) {
        return server.state(s.name()).get(field).asLong();
    }

    private static void awaitJob(Semaphore s, String jobId, JobState state) {
        await().atMost(LONG).until(() -> s.job(jobId).state() == state);
    }

    @Test
    void neverRunsMoreHandlersThanItsConcurrency() {
        Semaphore s = newSemaphore("concurrency", SemaphoreConfig.ofLimit(50)); // the server would allow 50
        for (int i = 0; i < 40; i++) {
            s.submit(Map.of("n", i));
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();

        try (Worker w = sluice.worker(s.name(), job -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(10, 40));
            } finally {
                running.decrementAndGet();
                handled.incrementAndGet();
            }
        }).concurrency(3).pollWait(POLL).start()) {
            await().atMost(LONG).until(() -> s.allJobs(JobState.COMPLETED).count() == 40);
            assertThat(w.concurrency()).isEqualTo(3);
        }

        assertThat(peak.get()).as("handlers running at once").isBetween(1, 3);
        assertThat(handled.get()).as("each job handled once").isEqualTo(40);
        assertThat(state(s, "inflight")).isZero();
        assertThat(state(s, "waiting")).isZero();
    }

    @Test
    void aConcurrencyAboveTheServersClaimLimitIsFilledBySeveralClaims() throws Exception {
        int concurrency = 150; // the server hands out at most 100 jobs per claim
        Semaphore s = newSemaphore("wide", SemaphoreConfig.ofLimit(concurrency));
        for (int i = 0; i < concurrency; i++) {
            s.submit(i);
        }
        CountDownLatch allRunning = new CountDownLatch(concurrency);
        CountDownLatch release = new CountDownLatch(1);
        List<SluiceException> errors = new CopyOnWriteArrayList<>();

        try (Worker w = sluice.worker(s.name(), job -> {
            allRunning.countDown();
            release.await();
        }).concurrency(concurrency).pollWait(POLL).onError(errors::add).start()) {
            assertThat(allRunning.await(LONG.toSeconds(), TimeUnit.SECONDS)).as("all 150 handlers running at once").isTrue();
            assertThat(w.inFlight()).isEqualTo(concurrency);
            release.countDown();
            await().atMost(LONG).until(() -> s.allJobs(JobState.COMPLETED).count() == concurrency);
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void jobsThatFinishTogetherAreCompletedInFewerRequestsThanJobs() throws Exception {
        int jobs = 40;
        Semaphore s = newSemaphore("grouped", SemaphoreConfig.ofLimit(jobs));
        s.submitAll(java.util.stream.IntStream.range(0, jobs).boxed().toList());
        CountDownLatch allRunning = new CountDownLatch(jobs);
        CountDownLatch release = new CountDownLatch(1);
        List<SluiceException> errors = new CopyOnWriteArrayList<>();
        double before = completionRequests();
        try (Worker w = sluice.worker(s.name(), job -> {
            allRunning.countDown();
            release.await();
        }).concurrency(jobs).pollWait(POLL).onError(errors::add).start()) {
            assertThat(allRunning.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
            release.countDown();   // all finish at once: those that finish while the first completion is in flight go together
            await().atMost(LONG).until(() -> s.allJobs(JobState.COMPLETED).count() == jobs);
            await().atMost(LONG).until(() -> w.inFlight() == 0);
        }
        assertThat(errors).isEmpty();
        double requests = completionRequests() - before;
        assertThat(requests).as("completion requests for %d jobs", jobs).isPositive().isLessThan(jobs);
    }

    /** Requests the server answered on its completion routes, one job's and a batch's (other tests' too: compare before and after). */
    private static double completionRequests() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        String text = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        dev.sluice.server.Scrape scrape = dev.sluice.server.Scrape.parse(text);
        return scrape.sum("http_server_requests_seconds_count", "uri", "/v1/semaphores/{name}/jobs/complete")
                + scrape.sum("http_server_requests_seconds_count", "uri", "/v1/semaphores/{name}/jobs/{id}/complete");
    }

    @Test
    void workersTogetherStayWithinTheSemaphoresLimit() {
        Semaphore s = newSemaphore("shared-limit", SemaphoreConfig.ofLimit(3));
        for (int i = 0; i < 30; i++) {
            s.submit(i);
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        JobHandler handler = job -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } finally {
                running.decrementAndGet();
            }
        };

        try (Sluice other = Sluice.connect("http://127.0.0.1:" + server.port());
             Worker a = sluice.worker(s.name(), handler).concurrency(4).pollWait(POLL).start();
             Worker b = other.worker(s.name(), handler).concurrency(4).pollWait(POLL).start()) {
            await().atMost(LONG).until(() -> s.allJobs(JobState.COMPLETED).count() == 30);
        }
        assertThat(peak.get()).as("8 handler slots, limit 3").isBetween(1, 3);
    }

    record Order(long id, String sku) {
    }

    @Test
    void aReturningHandlerCompletesItsJobWithTypedPayloadAndPermit() {
        Semaphore s = newSemaphore("complete", SemaphoreConfig.ofLimit(2));
        JobRef ref = s.submit(new Order(42, "tea"));
        CompletableFuture<Job> seen = new CompletableFuture<>();
        CompletableFuture<Order> payload = new CompletableFuture<>();

        try (Worker w = sluice.worker(s.name(), job -> {
            payload.complete(job.payload(Order.class));
            seen.complete(job);
        }).pollWait(POLL).start()) {
            awaitJob(s, ref.jobId(), JobState.COMPLETED);
        }

        assertThat(payload.join()).isEqualTo(new Order(42, "tea"));
        Job job = seen.join();
        assertThat(job.jobId()).isEqualTo(ref.jobId());
        assertThat(job.semaphore()).isEqualTo(s.name());
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.permitId()).isNotBlank();
        assertThat(job.fencingToken()).isPositive();
        assertThat(job.isSettled()).isTrue();
        assertThat(s.job(ref.jobId()).attempts()).isEqualTo(1);
        assertThat(state(s, "inUse")).isZero();
    }

    @Test
    void aThrowingHandlerFailsTheJobWithItsMessageUntilItIsDeadThenRedriveRunsItAgain() {
        Semaphore s = newSemaphore("failure", SemaphoreConfig.builder(2)
                .retry(RetryPolicy.deadLetterAfter(3, Duration.ofMillis(50), Duration.ofMillis(200))).build());
        JobRef ref = s.submit(Map.of("order", 7));
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        AtomicBoolean partnerBack = new AtomicBoolean();

        try (Worker w = sluice.worker(s.name(), job -> {
            attempts.add(job.attempt());
            if (!partnerBack.get()) {
                throw new IllegalStateException("partner said no to attempt " + job.attempt());
            }
        }).pollWait(POLL).start()) {
            awaitJob(s, ref.jobId(), JobState.DEAD);
            JobView dead = s.job(ref.jobId());
            assertThat(dead.attempts()).isEqualTo(3);
            assertThat(dead.lastError()).isEqualTo("partner said no to attempt 3");
            assertThat(attempts).containsExactly(1, 2, 3);
            assertThat(state(s, "dead")).isEqualTo(1);

            partnerBack.set(true);
            assertThat(s.redrive()).isEqualTo(1);
            awaitJob(s, ref.jobId(), JobState.COMPLETED);
        }
        assertThat(attempts).as("a redriven job starts a fresh retry budget").containsExactly(1, 2, 3, 1);
        assertThat(state(s, "dead")).isZero();
    }

    @Test
    void aHandlerMayFailItsJobWithoutRetry() {
        Semaphore s = newSemaphore("no-retry", SemaphoreConfig.ofLimit(1));
        JobRef ref = s.submit("poison");

        try (Worker w = sluice.worker(s.name(), job -> job.fail("invalid order", false)).pollWait(POLL).start()) {
            awaitJob(s, ref.jobId(), JobState.DEAD);
        }
        JobView v = s.job(ref.jobId());
        assertThat(v.attempts()).isEqualTo(1);
        assertThat(v.lastError()).isEqualTo("invalid order");
    }

    @Test
    void anExceptionWithoutMessageFailsWithItsClassName() {
        Semaphore s = newSemaphore("no-message", SemaphoreConfig.builder(1)
                .retry(RetryPolicy.deadLetterAfter(1, Duration.ZERO, Duration.ZERO)).build());
        JobRef ref = s.submit(1);

        try (Worker w = sluice.worker(s.name(), job -> {
            throw new UnsupportedOperationException();
        }).pollWait(POLL).start()) {
            awaitJob(s, ref.jobId(), JobState.DEAD);
        }
        assertThat(s.job(ref.jobId()).lastError()).isEqualTo(UnsupportedOperationException.class.getName());
    }

    @Test
    void aJobLongerThanItsLeaseIsHeartbeatedToCompletion() {
        Semaphore s = newSemaphore("long-job", SemaphoreConfig.ofLimit(1));
        JobRef ref = s.submit("slow");
        AtomicBoolean validAtTheEnd = new AtomicBoolean();

        try (Worker w = sluice.worker(s.name(), job -> {
            Thread.sleep(5_000); // 2.5 leases
            validAtTheEnd.set(job.isValid());
        }).leaseTimeout(Duration.ofSeconds(2)).pollWait(POLL).start()) {
            awaitJob(s, ref.jobId(), JobState.COMPLETED);
        }
        assertThat(validAtTheEnd).isTrue();
        assertThat(s.job(ref.jobId()).attempts()).as("never re-granted").isEqualTo(1);
    }

    @Test
    void aJobWhoseAttemptEndsUnderTheHandlerIsReportedLostAndItsCompletionRefused() throws Exception {
        Semaphore s = newSemaphore("lost-job", SemaphoreConfig.ofLimit(1));
        JobRef ref = s.submit("x");
        CountDownLatch firstStarted = new CountDownLatch(1);
        CompletableFuture<SluiceException> lost = new CompletableFuture<>();
        AtomicBoolean validAfterLoss = new AtomicBoolean(true);
        List<SluiceException> errors = new CopyOnWriteArrayList<>();

        try (Worker w = sluice.worker(s.name(), job -> {
            if (job.attempt() == 1) {
                job.onLost(lost::complete);
                firstStarted.countDown();
                lost.get(LONG.toSeconds(), TimeUnit.SECONDS);
                validAfterLoss.set(job.isValid());
            }
        }).leaseTimeout(Duration.ofSeconds(2)).onError(errors::add).pollWait(POLL).start()) {
            assertThat(firstStarted.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
            s.requeue(ref.jobId()); // an operator ends the attempt: its permit is freed

            assertThat(lost).succeedsWithin(LONG).isInstanceOf(LeaseExpiredException.class);
            awaitJob(s, ref.jobId(), JobState.COMPLETED); // by the second attempt
            await().atMost(LONG).until(() -> !errors.isEmpty());
        }
        assertThat(validAfterLoss).isFalse();
        assertThat(errors).singleElement().isInstanceOf(LeaseExpiredException.class);
        assertThat(s.job(ref.jobId()).attempts()).isEqualTo(2);
    }

    @Test
    void aStaleHolderCannotSettleTheAttemptOfTheNextHolder() throws Exception {
        Semaphore s = newSemaphore("stale", SemaphoreConfig.builder(1)
                .retry(RetryPolicy.deadLetterAfter(5, Duration.ZERO, Duration.ZERO)).build());
        JobRef ref = s.submit("x");
        try (TcpProxy proxy = new TcpProxy(server.port());
             Sluice partitioned = Sluice.builder().baseUrl(proxy.url()).requestTimeout(Duration.ofSeconds(2)).build()) {
            Job first = partitioned.semaphore(s.name()).claim(1, LONG, Duration.ofSeconds(2)).getFirst();
            proxy.cut();
            // the server reclaims the lease and grants the job again, to another worker
            await().atMost(LONG).until(() -> s.job(ref.jobId()).state() == JobState.WAITING);
            Job second = s.claim(1, LONG, Duration.ofMinutes(1)).getFirst();
            assertThat(second.jobId()).isEqualTo(first.jobId());
            assertThat(second.attempt()).isEqualTo(2);
            assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());

            proxy.heal();
            assertThatThrownBy(first::complete).isInstanceOf(LeaseExpiredException.class);
            assertThat(s.job(ref.jobId()).state()).as("the second attempt is untouched").isEqualTo(JobState.INFLIGHT);

            second.complete();
            assertThat(s.job(ref.jobId()).state()).isEqualTo(JobState.COMPLETED);
        }
    }

    @Test
    void closeStopsClaimingAndWaitsForRunningHandlers() throws Exception {
        Semaphore s = newSemaphore("close", SemaphoreConfig.ofLimit(2));
        JobRef first = s.submit(1);
        CountDownLatch started = new CountDownLatch(1);
        Worker w = sluice.worker(s.name(), job -> {
            started.countDown();
            Thread.sleep(500);
        }).pollWait(Duration.ofSeconds(10)).start();
        assertThat(started.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();

        w.close();

        assertThat(s.job(first.jobId()).state()).isEqualTo(JobState.COMPLETED);
        assertThat(w.isRunning()).isFalse();
        assertThat(w.inFlight()).isZero();
        JobRef later = s.submit(2);
        await().during(Duration.ofSeconds(1)).atMost(LONG).until(() -> s.job(later.jobId()).state() == JobState.WAITING);
        assertThat(s.job(later.jobId()).attempts()).as("not claimed by the closed worker").isZero();
    }

    @Test
    void handlersOutlivingTheShutdownTimeoutAreInterruptedAndTheirJobsLeftToLeaseExpiry() throws Exception {
        Semaphore s = newSemaphore("abandon", SemaphoreConfig.ofLimit(1));
        JobRef ref = s.submit(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Worker w = sluice.worker(s.name(), job -> {
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        }).pollWait(POLL).shutdownTimeout(Duration.ofMillis(200)).start();
        assertThat(started.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();

        w.close();

        assertThat(interrupted.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        JobView v = s.job(ref.jobId());
        assertThat(v.state()).as("neither completed nor failed").isEqualTo(JobState.INFLIGHT);
        assertThat(v.attempts()).isEqualTo(1);
    }

    @Test
    void claimFailuresAreReportedAndRetriedUntilTheSemaphoreAppears() {
        String name = TestServer.name("appears");
        List<SluiceException> errors = new CopyOnWriteArrayList<>();
        List<String> handled = new CopyOnWriteArrayList<>();

        try (Worker w = sluice.worker(name, job -> handled.add(job.jobId())).onError(errors::add)
                .pollWait(POLL).start()) {
            await().atMost(LONG).until(() -> errors.size() >= 2);
            assertThat(errors).allMatch(e -> e instanceof NotFoundException);
            assertThat(w.isRunning()).isTrue();

            Semaphore s = sluice.semaphore(name);
            s.create(1);
            JobRef ref = s.submit("hello");
            await().atMost(LONG).until(() -> handled.contains(ref.jobId()));
            awaitJob(s, ref.jobId(), JobState.COMPLETED);
        }
    }

    @Test
    void jobsGrantedToAnAbandonedClaimAreHandedBack() {
        Semaphore s = newSemaphore("handback", SemaphoreConfig.ofLimit(1));

        CompletableFuture<List<Job>> claim = s.claimAsync(1, LONG, null);
        claim.cancel(false);
        JobRef ref = s.submit("x");

        // granted once to the pending claim, then rescheduled by the SDK
        await().atMost(LONG).until(() -> {
            JobView v = s.job(ref.jobId());
            return v.attempts() == 1 && v.state() == JobState.WAITING;
        });
        assertThat(state(s, "inUse")).isZero();
    }

    @Test
    void closingTheClientClosesItsWorkers() {
        Semaphore s = newSemaphore("client-close", SemaphoreConfig.ofLimit(1));
        Worker w = sluice.worker(s.name(), job -> { }).pollWait(Duration.ofSeconds(10)).start();
        assertThat(w.isRunning()).isTrue();

        sluice.close();

        assertThat(w.isRunning()).isFalse();
        assertThatThrownBy(() -> sluice.worker(s.name(), job -> { }).start()).isInstanceOf(IllegalStateException.class);
    }

    /** Without a worker: {@link Semaphore#submitAll} and {@link Semaphore#completeAll}, many jobs per request. */
    @Nested
    class Batches {
        @Test
        void jobsSubmittedTogetherAreClaimedInOrderAndCompletedTogether() throws Exception {
            Semaphore s = sluice.semaphore(TestServer.name("sdk-batch"));
            s.create(SemaphoreConfig.ofLimit(10));
            List<Order> orders = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                orders.add(new Order(i, "sku-" + i));
            }
            List<JobRef> refs = s.submitAll(orders, SubmitOptions.defaults().withChannel("eu"));
            assertThat(refs).hasSize(5).allSatisfy(r -> {
                assertThat(r.state()).isEqualTo(JobState.WAITING);
                assertThat(r.duplicate()).isFalse();
            });
            assertThat(refs).extracting(JobRef::position).containsExactly(1L, 2L, 3L, 4L, 5L);

            List<Job> jobs = s.claim(5, Duration.ofSeconds(5));
            assertThat(jobs).extracting(Job::jobId).containsExactlyElementsOf(refs.stream().map(JobRef::jobId).toList());
            assertThat(jobs).extracting(j -> j.payload(Order.class).id()).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(jobs).extracting(Job::channel).containsOnly("eu");

            Map<Job, SluiceException> refused = s.completeAll(jobs);
            assertThat(refused).isEmpty();
            assertThat(jobs).allSatisfy(j -> assertThat(j.isSettled()).isTrue());
            assertThat(s.state().state().inUse()).isZero();
            assertThat(s.job(jobs.get(4).jobId()).state()).isEqualTo(JobState.COMPLETED);
        }

        @Test
        void eachJobOfABatchHasItsOwnOptionsAndItsKeyHoldsAcrossBatches() throws Exception {
            Semaphore s = sluice.semaphore(TestServer.name("sdk-batch-each"));
            s.create(SemaphoreConfig.ofLimit(10));
            SubmitOptions keyed = SubmitOptions.defaults();
            List<JobRef> first = s.submitEach(List.of(
                    new Submission("a", keyed.withIdempotencyKey("order-1").withChannel("eu")),
                    new Submission("b", keyed.withIdempotencyKey("order-2").withPriority(5)),
                    Submission.of("c")));
            assertThat(first).extracting(JobRef::duplicate).containsExactly(false, false, false);
            assertThat(first).extracting(JobRef::position).as("each as of its own enqueue: b, of a higher priority, went ahead of a")
                    .containsExactly(1L, 1L, 3L);

            List<JobRef> again = s.submitEach(List.of(
                    new Submission("b again", keyed.withIdempotencyKey("order-2")),
                    new Submission("d", keyed.withIdempotencyKey("order-3")),
                    new Submission("d again", keyed.withIdempotencyKey("order-3"))));
            assertThat(again).extracting(JobRef::duplicate).containsExactly(true, false, true);
            assertThat(again.get(0).jobId()).isEqualTo(first.get(1).jobId());
            assertThat(again.get(2).jobId()).isEqualTo(again.get(1).jobId());
            assertThat(s.state().state().waiting()).as("a, b, c and d").isEqualTo(4);

            List<Job> jobs = s.claim(4, Duration.ofSeconds(5));
            assertThat(jobs).extracting(j -> j.payload(String.class)).containsExactly("b", "a", "c", "d");
            assertThat(jobs.get(1).channel()).isEqualTo("eu");
        }

        @Test
        void aJobRefusedInABatchIsLostAndTheOthersAreCompleted() throws Exception {
            Semaphore s = sluice.semaphore(TestServer.name("sdk-batch-lost"));
            s.create(SemaphoreConfig.ofLimit(2));
            s.submitAll(List.of("a", "b"));
            List<Job> jobs = s.claim(2, Duration.ofSeconds(5));
            s.requeue(jobs.get(0).jobId());   // its attempt is over: completing it is refused
            Map<Job, SluiceException> refused = s.completeAll(jobs);
            assertThat(refused).containsOnlyKeys(jobs.get(0));
            assertThat(refused.get(jobs.get(0))).isInstanceOf(LeaseExpiredException.class);
            assertThat(jobs.get(0).isValid()).isFalse();
            assertThat(jobs.get(1).isSettled()).isTrue();
            assertThat(s.job(jobs.get(1).jobId()).state()).isEqualTo(JobState.COMPLETED);
            assertThat(s.job(jobs.get(0).jobId()).state()).isEqualTo(JobState.WAITING);
        }

        @Test
        void aRefusedBatchEnqueuesNothingAndSaysWhy() {
            Semaphore s = sluice.semaphore(TestServer.name("sdk-batch-bad"));
            s.create(SemaphoreConfig.ofLimit(1));
            List<String> tooMany = new ArrayList<>();
            for (int i = 0; i < 101; i++) {
                tooMany.add("x");
            }
            assertThatThrownBy(() -> s.submitAll(tooMany)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> s.submitAll(List.of("x"), SubmitOptions.defaults().withChannel("not a channel")))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> s.submitEach(List.of(Submission.of("x"),
                    new Submission("y", SubmitOptions.defaults().withChannel("not a channel")))))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                        assertThat(e.problem().index()).as("the refused job's index").isEqualTo(1);
                        assertThat(e.getMessage()).startsWith("jobs[1]: ");
                    });
            assertThatThrownBy(() -> s.submitAll(tooMany))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.problem().index()).isNull());
            assertThatThrownBy(() -> s.submitAll(List.of("x"), SubmitOptions.defaults().withIdempotencyKey("k")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(s.state().state().waiting()).isZero();
            assertThatThrownBy(() -> sluice.semaphore(TestServer.name("sdk-batch-none")).submitAll(List.of("x")))
                    .isInstanceOf(NotFoundException.class);
        }
    }
}
