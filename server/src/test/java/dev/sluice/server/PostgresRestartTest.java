package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api.Res;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops and starts again under load, with two nodes on it. While it is away the nodes
 * answer 503 {@code store_unavailable} (never another 5xx) and {@code /readyz} says so; when it is
 * back they recover by themselves: every job acknowledged with 202 is there, G1 held throughout,
 * and wake-ups cross nodes again (their LISTEN connections came back).
 */
class PostgresRestartTest {
    @TempDir
    Path tmp;

    @Test
    void nodesAnswer503WhilePostgresIsDownAndRecoverWithNothingAcknowledgedLost() throws Exception {
        Path pgData = tmp.resolve("pg");
        EmbeddedPostgres pg = TestPostgres.startOwn(pgData, 0);
        int pgPort = pg.getPort();
        String url = TestPostgres.url(pg, tmp);
        List<TestServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                nodes.add(TestServer.start(ServerSettings.defaults().withPort(0).withDataDir(tmp.resolve("n" + i)).withStoreUrl(url)));
            }
            int limit = 3;
            String name = nodes.get(0).semaphore("outage", "{'limit':" + limit + ",'leaseTimeout':'PT30S'}");
            String jobs = "/v1/semaphores/" + name + "/jobs";
            String permits = "/v1/semaphores/" + name + "/permits";

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger holders = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            AtomicInteger unavailable = new AtomicInteger();
            ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
            Set<String> wrong = ConcurrentHashMap.newKeySet();
            List<Future<?>> clients = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < 8; c++) {
                    int client = c;
                    clients.add(pool.submit(() -> {
                        Api api = nodes.get(client % 2).api();
                        for (int i = 0; !stop.get() && i < 100_000; i++) {
                            Res r = client % 2 == 0
                                    ? api.post(jobs, j("{'payload':{'c':" + client + ",'i':" + i + "}}"))
                                    : api.post(permits);
                            switch (r.status()) {
                                case 202 -> acked.add(r.str("jobId"));
                                case 201 -> {
                                    most.accumulateAndGet(holders.incrementAndGet(), Math::max);
                                    holders.decrementAndGet();
                                    // released until it succeeds: the store may be away at this very moment
                                    while (api.delete(permits + "/" + r.str("permitId")).status() == 503) {
                                        unavailable.incrementAndGet();
                                        Thread.sleep(50);
                                    }
                                }
                                case 429 -> { }
                                case 503 -> {
                                    if (!"store_unavailable".equals(r.code())) {
                                        wrong.add(r.toString());
                                    }
                                    unavailable.incrementAndGet();
                                    Thread.sleep(50);
                                }
                                default -> wrong.add(r.toString());
                            }
                        }
                        return null;
                    }));
                }
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 50);

                pg.close();   // a fast shutdown: connections are cut, as in a restart or fail-over
                for (TestServer n : nodes) {
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> n.api().get("/readyz").status() == 503);
                    Res ready = n.api().get("/readyz");
                    assertThat(ready.code()).isEqualTo("store_unavailable");
                }
                Res during = nodes.get(1).api().post(permits);
                assertThat(during.status()).as(during.toString()).isEqualTo(503);
                assertThat(during.code()).isEqualTo("store_unavailable");
                int ackedWhileDown = acked.size();

                pg = TestPostgres.startOwn(pgData, pgPort);
                for (TestServer n : nodes) {
                    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> n.api().get("/readyz").status() == 200);
                }
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= ackedWhileDown + 50);
                stop.set(true);
                for (Future<?> f : clients) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
            assertThat(wrong).as("answers other than 201/202/429/503 store_unavailable").isEmpty();
            assertThat(unavailable.get()).as("the outage was seen by clients").isPositive();
            assertThat(most.get()).isLessThanOrEqualTo(limit);
            for (String jobId : acked) {
                Res job = nodes.get(0).api().get(jobs + "/" + jobId);
                assertThat(job.status()).as("acknowledged job %s", jobId).isEqualTo(200);
            }
            assertThat(nodes.get(1).state(name).get("waiting").asLong()).isGreaterThanOrEqualTo(acked.size());

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
