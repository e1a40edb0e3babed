package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops for several seconds and starts again under a mixed load on two nodes: try and
 * wait acquires with heartbeats and releases, enqueues, long-polling claims and completions,
 * each through either node. While it is away the nodes answer 503 {@code store_unavailable}
 * (never another 5xx) and {@code /readyz} says so; when it is back they recover by themselves,
 * without a restart:
 * <ul>
 *   <li>every permit acknowledged with 201, before or after, was in the store (its heartbeat
 *   answers 200), and every job acknowledged with 202 is there and is completed;</li>
 *   <li>G1 held throughout: an external count of holders (permits and claimed jobs, counted from
 *   the grant's answer to the moment the release or completion is sent) never exceeds the limit;</li>
 *   <li>wake-ups cross nodes again (their LISTEN connections came back).</li>
 * </ul>
 * Requests are retried on 503 with the same idempotency key or permit, as a client should.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PostgresRestartTest {
    private static final int LIMIT = 3;

    @TempDir
    Path tmp;

    /** What the clients saw. */
    static final class Seen {
        final AtomicInteger holders = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final AtomicInteger unavailable = new AtomicInteger();
        final AtomicInteger granted = new AtomicInteger();
        final AtomicInteger leaseEndedMeanwhile = new AtomicInteger();
        /** Idempotency key → job id, for every job acknowledged. */
        final Map<String, String> acked = new ConcurrentHashMap<>();
        final Set<String> completed = ConcurrentHashMap.newKeySet();
        final Set<String> wrong = ConcurrentHashMap.newKeySet();

        void hold() {
            most.accumulateAndGet(holders.incrementAndGet(), Math::max);
            granted.incrementAndGet();
        }

        /** Whether the answer is a 503 {@code store_unavailable} (counted), refusing any other 5xx. */
        boolean unavailable(Res r) {
            if (r.status() == 503 && "store_unavailable".equals(r.code())) {
                unavailable.incrementAndGet();
                return true;
            }
            if (r.status() >= 500) {
                wrong.add(r.toString());
            }
            return false;
        }

        /** Sends until the answer is not a 503 (sleeping a little between tries); returns that answer. */
        Res untilAvailable(Callable<Res> call) throws Exception {
            while (true) {
                Res r = call.call();
                if (!unavailable(r)) {
                    return r;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void aPostgresOutageUnderMixedLoadIsAnswered503AndNothingAcknowledgedIsLost() throws Exception {
        Path pgData = tmp.resolve("pg");
        EmbeddedPostgres pg = TestPostgres.startOwn(pgData, 0);
        int pgPort = pg.getPort();
        String url = TestPostgres.url(pg, tmp);
        List<TestServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                nodes.add(TestServer.start(ServerSettings.defaults().withPort(0).withDataDir(tmp.resolve("n" + i)).withStoreUrl(url)));
            }
            String name = nodes.get(0).semaphore("outage", "{'limit':" + LIMIT + ",'leaseTimeout':'PT60S'}");
            String jobs = "/v1/semaphores/" + name + "/jobs";
            String permits = "/v1/semaphores/" + name + "/permits";

            Seen seen = new Seen();
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> clients = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < 2; c++) {   // producers
                    int client = c;
                    clients.add(pool.submit(() -> {
                        for (int i = 0; producing.get(); i++) {
                            String key = "c" + client + "-" + i;
                            Api api = nodes.get((client + i) % 2).api();
                            String body = j("{'payload':{'c':" + client + ",'i':" + i + "}}");
                            Res r = seen.untilAvailable(() -> api.send("POST", jobs, body, "Idempotency-Key", key));
                            if (r.status() == 202 || r.status() == 200) {
                                seen.acked.put(key, r.str("jobId"));
                            } else {
                                seen.wrong.add("enqueue: " + r);
                            }
                        }
                        return null;
                    }));
                }
                for (int c = 0; c < 3; c++) {   // holders: two try, one waits
                    int client = c;
                    clients.add(pool.submit(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            Api api = nodes.get((client + i) % 2).api();
                            Res r = api.post(permits, j(client == 2 ? "{'wait':'PT2S'}" : "{}"));
                            if (r.status() == 201) {
                                seen.hold();
                                String permit = r.str("permitId");
                                Api other = nodes.get((client + i + 1) % 2).api();
                                Res beat = seen.untilAvailable(() -> other.post(permits + "/" + permit + "/heartbeat", j("{}")));
                                if (beat.status() != 200) {
                                    seen.wrong.add("heartbeat of an acknowledged permit: " + beat);
                                }
                                seen.holders.decrementAndGet();   // before the release is sent: the count never exceeds what is held
                                Res released = seen.untilAvailable(() -> api.delete(permits + "/" + permit));
                                if (released.status() != 204) {
                                    seen.wrong.add("release: " + released);
                                }
                            } else if (r.status() == 429) {
                                Thread.sleep(5);
                            } else if (seen.unavailable(r)) {
                                Thread.sleep(50);
                            } else {
                                seen.wrong.add("acquire: " + r);
                            }
                        }
                        return null;
                    }));
                }
                for (int c = 0; c < 3; c++) {   // workers
                    int client = c;
                    clients.add(pool.submit(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            Api api = nodes.get((client + i) % 2).api();
                            Res r = api.post(jobs + "/claim", j("{'max':2,'wait':'PT1S','leaseTimeout':'PT20S'}"));
                            if (r.status() == 200) {
                                for (int k = 0; k < r.json().get("jobs").size(); k++) {
                                    seen.hold();
                                }
                                for (var job : r.json().get("jobs")) {
                                    String id = job.get("jobId").asString();
                                    String permit = job.get("permitId").asString();
                                    seen.holders.decrementAndGet();
                                    Res done = seen.untilAvailable(() -> api.post(jobs + "/" + id + "/complete",
                                            j("{'permitId':'" + permit + "'}")));
                                    if (done.status() == 204) {
                                        seen.completed.add(id);
                                    } else if (done.status() == 410) {
                                        seen.leaseEndedMeanwhile.incrementAndGet();   // the job is retried: claimed again later
                                    } else {
                                        seen.wrong.add("complete: " + done);
                                    }
                                }
                            } else if (seen.unavailable(r)) {
                                Thread.sleep(50);
                            } else {
                                seen.wrong.add("claim: " + r);
                            }
                        }
                        return null;
                    }));
                }
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> seen.acked.size() >= 30 && seen.completed.size() >= 10 && seen.granted.get() >= 30);

                pg.close();   // a fast shutdown: connections are cut, as in a restart or fail-over
                for (TestServer n : nodes) {
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> n.api().get("/readyz").status() == 503);
                    assertThat(n.api().get("/readyz").code()).isEqualTo("store_unavailable");
                }
                Res during = nodes.get(1).api().post(permits);
                assertThat(during.status()).as(during.toString()).isEqualTo(503);
                assertThat(during.code()).isEqualTo("store_unavailable");
                assertThat(during.str("detail")).as("the kind of failure, not the driver's words (host, port, user)")
                        .startsWith("the store is unavailable: the database").doesNotContain(":" + pgPort)
                        .doesNotContain("localhost").doesNotContain("127.0.0.1");
                // Down for several seconds, under the clients' retries.
                int unavailableAtStop = seen.unavailable.get();
                Awaitility.await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(60))
                        .until(() -> seen.unavailable.get() >= unavailableAtStop + 8);

                pg = TestPostgres.startOwn(pgData, pgPort);
                for (TestServer n : nodes) {
                    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> n.api().get("/readyz").status() == 200);
                }
                int ackedAtRestart = seen.acked.size();
                int grantedAtRestart = seen.granted.get();
                int completedAtRestart = seen.completed.size();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> seen.acked.size() >= ackedAtRestart + 30
                        && seen.granted.get() >= grantedAtRestart + 30 && seen.completed.size() >= completedAtRestart + 10);

                producing.set(false);   // the workers drain the queue: every acknowledged job is completed
                Awaitility.await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(200))
                        .until(() -> seen.completed.containsAll(seen.acked.values()));
                stop.set(true);
                for (Future<?> f : clients) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
            assertThat(seen.wrong).as("answers other than the expected ones, or 5xx other than 503 store_unavailable").isEmpty();
            assertThat(seen.unavailable.get()).as("the outage was seen by clients").isPositive();
            assertThat(seen.most.get()).as("G1: most holders at once").isLessThanOrEqualTo(LIMIT);
            assertThat(Set.copyOf(seen.acked.values())).as("one job per idempotency key").hasSize(seen.acked.size());
            for (String jobId : seen.acked.values()) {
                Res job = nodes.get(jobId.hashCode() & 1).api().get(jobs + "/" + jobId);
                assertThat(job.status()).as("acknowledged job %s", jobId).isEqualTo(200);
                assertThat(job.json().get("state").asString()).as("acknowledged job %s", jobId).isEqualTo("completed");
            }
            assertThat(nodes.get(1).state(name).get("waiting").asLong()).as("no job but the acknowledged ones").isZero();

            // The nodes listen again: a wait on one is granted by a release on the other.
            String gate = nodes.get(0).semaphore("after-outage", "{'limit':1}");
            String held = nodes.get(0).api().post("/v1/semaphores/" + gate + "/permits").str("permitId");
            CompletableFuture<Res> waiting = nodes.get(1).api().sendAsync("POST", "/v1/semaphores/" + gate + "/permits",
                    j("{'wait':'PT120S'}"));
            nodes.get(0).awaitState(gate, "waiting", 1);
            assertThat(nodes.get(0).api().delete("/v1/semaphores/" + gate + "/permits/" + held).status()).isEqualTo(204);
            assertThat(waiting.orTimeout(60, TimeUnit.SECONDS).join().status()).isEqualTo(201);
        } finally {
            nodes.forEach(TestServer::close);
            pg.close();
        }
    }
}
