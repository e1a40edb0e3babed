package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.cli.ServerProcess.Reply;
import dev.sluice.server.TestPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook dispatch when the node dispatching a semaphore dies: three {@code sluice server}
 * processes on one PostgreSQL, a processor in this JVM that outlives them, jobs enqueued through
 * every node, and a {@code kill -9} of the node holding the semaphore's work claim while its
 * deliveries are under way. Its claim goes with its connection; another node takes the
 * dispatch over, delivers again what the dead one had under way, and goes on: every job is
 * delivered and completed, nothing is lost, and no attempt is made twice at once except those
 * the dead node had started (their processor may still be working on them when they are
 * delivered again: at least once).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MultiNodeWebhookKillTest {
    private static final int SIGKILLED = 128 + 9;
    private static final int LIMIT = 4;
    private static final Pattern NODE_ID = Pattern.compile("\\(node ([0-9a-z]+), pool of");

    @TempDir
    Path tmp;

    /** One delivery as the processor received it. */
    record Seen(String jobId, String permitId, int attempt, Instant at) {}

    /**
     * A processor taking 100 ms per job: records each delivery and the attempts it is working on.
     * From the 21st delivery on it holds each at a gate until the test opens it, so the node
     * dispatching is surely in the middle of deliveries when it is killed.
     */
    static final class Processor implements AutoCloseable {
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        final CountDownLatch gate = new CountDownLatch(1);
        final Set<String> open = ConcurrentHashMap.newKeySet();
        final Set<String> twiceAtOnce = ConcurrentHashMap.newKeySet();
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private final HttpServer http;

        Processor() throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
            http.setExecutor(executor);
            http.createContext("/", this::handle);
            http.start();
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                var h = ex.getRequestHeaders();
                Seen s = new Seen(h.getFirst("Sluice-Job-Id"), h.getFirst("Sluice-Permit-Id"),
                        Integer.parseInt(h.getFirst("Sluice-Attempt")), Instant.now());
                seen.add(s);
                String attempt = s.jobId() + "#" + s.attempt();
                if (!open.add(attempt)) {
                    twiceAtOnce.add(attempt);
                }
                try {
                    if (seen.size() > 20) {
                        gate.await(60, TimeUnit.SECONDS);
                    }
                    Thread.sleep(100);
                } finally {
                    open.remove(attempt);
                }
                ex.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the node that sent it died while it worked
            }
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/hook";
        }

        Set<String> jobIds() {
            Set<String> ids = new HashSet<>();
            seen.forEach(s -> ids.add(s.jobId()));
            return ids;
        }

        @Override
        public void close() {
            http.stop(0);
            executor.shutdownNow();
        }
    }

    @Test
    void aNodeKilledWhileDispatchingIsTakenOverAndNothingIsLost() throws Exception {
        String url = TestPostgres.url(tmp);
        List<ServerProcess> nodes = new CopyOnWriteArrayList<>();
        Map<String, ServerProcess> byNodeId = new ConcurrentHashMap<>();
        try (Processor processor = new Processor()) {
            try (ExecutorService starting = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> started = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Path log = tmp.resolve("node-" + i + ".log");
                    Path data = tmp.resolve("data-" + i);
                    started.add(starting.submit(() -> {
                        ServerProcess node = ServerProcess.start(data, log, "--store", url);
                        nodes.add(node);
                        Matcher m = NODE_ID.matcher(Files.readString(log));
                        assertThat(m.find()).as("the node logs its id at start").isTrue();
                        byNodeId.put(m.group(1), node);
                        return null;
                    }));
                }
                for (Future<?> f : started) {
                    f.get(120, TimeUnit.SECONDS);
                }
            }
            nodes.getFirst().expect(201, "PUT", "/v1/semaphores/hooked", "{\"limit\": " + LIMIT + ", \"leaseTimeout\": \"PT30S\", "
                    + "\"delivery\": {\"mode\": \"webhook\", \"url\": \"" + processor.url() + "\", \"timeout\": \"PT10S\", "
                    + "\"releaseOnSuccess\": true}}");

            int before = 120;
            int after = 60;
            AtomicReferenceArray<String> ids = new AtomicReferenceArray<>(before + after);
            List<ServerProcess> alive = new CopyOnWriteArrayList<>(nodes);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                enqueue(pool, alive, ids, 0, before);
                // 20 delivered, then 4 held at the processor's gate: the dispatching node is busy and keeps its claim
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> processor.open.size() == LIMIT && processor.seen.size() > 20);

                ServerProcess doomed = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> holderOf(url).map(byNodeId::get), Optional::isPresent).orElseThrow();
                Set<String> openAroundKill = new HashSet<>(processor.open);
                alive.remove(doomed);
                assertThat(doomed.kill()).isEqualTo(SIGKILLED);
                Instant killedAt = Instant.now();
                openAroundKill.addAll(processor.open);
                assertThat(openAroundKill).as("the dead node had deliveries under way").hasSize(LIMIT);
                processor.gate.countDown();

                enqueue(pool, alive, ids, before, before + after);

                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    Reply state = alive.getFirst().expect(200, "GET", "/v1/semaphores/hooked", null);
                    return state.body().get("state").get("inUse").asInt() == 0 && state.body().get("state").get("waiting").asInt() == 0;
                });

                List<String> all = new ArrayList<>();
                for (int i = 0; i < ids.length(); i++) {
                    all.add(ids.get(i));
                }
                assertThat(all).doesNotContainNull().doesNotHaveDuplicates();
                for (int i = 0; i < all.size(); i++) {
                    Reply job = alive.get(i % alive.size()).expect(200, "GET", "/v1/semaphores/hooked/jobs/" + all.get(i), null);
                    assertThat(job.str("state")).as("job %s", all.get(i)).isEqualTo("completed");
                }
                assertThat(processor.jobIds()).as("every job delivered").containsAll(all);
                assertThat(processor.seen.stream().filter(s -> s.at().isAfter(killedAt)).count())
                        .as("deliveries went on after the kill").isGreaterThanOrEqualTo(after);
                assertThat(processor.twiceAtOnce).as("attempts delivered twice at once, other than the dead node's")
                        .isSubsetOf(openAroundKill);
                Awaitility.await("the claim let go once nothing is owed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> holderOf(url).isEmpty());
            }
        } finally {
            for (ServerProcess n : nodes) {
                n.close();
            }
        }
    }

    /** Enqueues jobs {@code from} … {@code to - 1} through the live nodes in turn, each with an idempotency key, retried on another node when the answer is lost. */
    private static void enqueue(ExecutorService pool, List<ServerProcess> alive, AtomicReferenceArray<String> ids, int from, int to)
            throws Exception {
        List<Future<?>> producers = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int producer = p;
            producers.add(pool.submit(() -> {
                for (int i = from + producer; i < to; i += 3) {
                    for (int tries = 0; ids.get(i) == null; tries++) {
                        ServerProcess node = alive.get((i + tries) % alive.size());
                        try {
                            Reply r = node.call("POST", "/v1/semaphores/hooked/jobs", "{\"payload\": {\"n\": " + i + "}}", "job-" + i);
                            assertThat(r.status()).as(r.toString()).isIn(200, 202);
                            ids.set(i, r.str("jobId"));
                        } catch (IOException dead) {
                            assertThat(tries).as("enqueue %d: no node answers", i).isLessThan(10);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : producers) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /** The node id of whoever holds a work claim (a session advisory lock of a node's claims connection) in this database. */
    private static Optional<String> holderOf(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                     + "WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted AND a.datname = current_database() "
                     + "AND a.application_name LIKE 'sluice % claims'")) {
            Optional<String> holder = Optional.empty();
            while (rs.next()) {
                String[] words = rs.getString(1).split(" ");
                assertThat(holder).as("one holder at a time").isEmpty();
                holder = Optional.of(words[1]);
            }
            return holder;
        }
    }
}
