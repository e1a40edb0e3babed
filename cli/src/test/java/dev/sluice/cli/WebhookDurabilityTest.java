package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.cli.ServerProcess.Reply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * G5 across crashes (SPEC §2, §3): webhook deliveries are at least once through {@code kill -9}
 * of the server. The server is a child JVM ({@code sluice server}); the processor is a real HTTP
 * server in this JVM, which outlives it.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class WebhookDurabilityTest {
    private static final int SIGKILLED = 128 + 9;

    @TempDir
    Path tmp;

    /** One delivery as the processor received it. */
    record Seen(String jobId, String permitId, int attempt) {}

    /** A processor: records each delivery, then runs the current behaviour to decide the answer. */
    static final class Processor implements AutoCloseable {
        interface Behaviour {
            int answer(Seen seen) throws InterruptedException;
        }

        final List<Seen> seen = new CopyOnWriteArrayList<>();
        volatile Behaviour behaviour;
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private final HttpServer http;

        Processor(Behaviour behaviour) throws IOException {
            this.behaviour = behaviour;
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
            http.setExecutor(executor);
            http.createContext("/", this::handle);
            http.start();
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                Seen s = new Seen(ex.getRequestHeaders().getFirst("Sluice-Job-Id"), ex.getRequestHeaders().getFirst("Sluice-Permit-Id"),
                        Integer.parseInt(ex.getRequestHeaders().getFirst("Sluice-Attempt")));
                seen.add(s);
                int status = behaviour.answer(s);
                ex.sendResponseHeaders(status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the server died while it waited for the answer
            }
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/hook";
        }

        List<Seen> of(String jobId) {
            return seen.stream().filter(s -> s.jobId().equals(jobId)).toList();
        }

        @Override
        public void close() {
            http.stop(0);
            executor.shutdownNow();
        }
    }

    private static String config(String url, int limit) {
        return "{\"limit\": " + limit + ", \"leaseTimeout\": \"PT2M\", \"retry\": {\"maxAttempts\": 20, \"initialBackoff\": \"100ms\","
                + " \"maxBackoff\": \"1s\"}, \"delivery\": {\"mode\": \"webhook\", \"url\": \"" + url + "\", \"timeout\": \"90s\","
                + " \"releaseOnSuccess\": true}}";
    }

    private static List<String> enqueue(ServerProcess s, String semaphore, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(s.expect(202, "POST", "/v1/semaphores/" + semaphore + "/jobs", "{\"payload\": {\"n\": " + i + "}}").str("jobId"));
        }
        return ids;
    }

    private static int count(ServerProcess s, String semaphore, String state) throws Exception {
        return s.expect(200, "GET", "/v1/semaphores/" + semaphore + "/jobs?state=" + state + "&limit=1000", null)
                .body().get("items").size();
    }

    private static void awaitCompleted(ServerProcess s, String semaphore, int n) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> count(s, semaphore, "completed") == n);
    }

    @Test
    void deliveriesUnderWayAtAKill9AreMadeAgainAfterRestartWithTheSameJobIdAndAttempt() throws Exception {
        Path data = tmp.resolve("data");
        CountDownLatch released = new CountDownLatch(1);
        List<String> ids;
        try (Processor processor = new Processor(s -> {
            released.await(60, TimeUnit.SECONDS);   // holds on to the deliveries: the kill comes mid-delivery
            return 200;
        })) {
            ServerProcess s1 = ServerProcess.start(data, tmp.resolve("server-1.log"));
            try {
                s1.expect(201, "PUT", "/v1/semaphores/hooks", config(processor.url(), 2));
                ids = enqueue(s1, "hooks", 8);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> processor.seen.size() == 2);
                assertThat(s1.kill()).isEqualTo(SIGKILLED);
            } finally {
                s1.close();
            }
            List<Seen> cutShort = List.copyOf(processor.seen);
            processor.behaviour = s -> 200;
            released.countDown();

            try (ServerProcess s2 = ServerProcess.start(data, tmp.resolve("server-2.log"))) {
                awaitCompleted(s2, "hooks", ids.size());

                assertThat(processor.seen.stream().map(Seen::jobId).distinct().toList())
                        .as("every job reached the processor").containsExactlyInAnyOrderElementsOf(ids);
                assertThat(cutShort).extracting(Seen::jobId).as("FIFO: the first two were under way")
                        .containsExactlyInAnyOrderElementsOf(ids.subList(0, 2));
                for (Seen first : cutShort) {
                    assertThat(processor.of(first.jobId())).as("delivered again, as the same attempt")
                            .containsExactly(first, first);
                }
                for (String id : ids.subList(2, ids.size())) {
                    assertThat(processor.of(id)).extracting(Seen::attempt).containsExactly(1);
                }
                JsonNode state = s2.expect(200, "GET", "/v1/semaphores/hooks", null).body().get("state");
                assertThat(state.get("inUse").asInt()).isZero();
                assertThat(state.get("waiting").asInt()).isZero();
                assertThat(state.get("dead").asInt()).isZero();
            }
        }
    }

    @Test
    void nothingIsLostWhenTheServerIsKilledWhileDeliveriesFlow() throws Exception {
        Path data = tmp.resolve("data");
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        CountDownLatch killed = new CountDownLatch(1);
        List<String> ids;
        AtomicInteger tickets = new AtomicInteger();
        try (Processor processor = new Processor(s -> {
            if (tickets.incrementAndGet() > 30) {
                killed.await(60, TimeUnit.SECONDS);   // from the 31st delivery on, deliveries hang until the kill
            }
            accepted.add(s.jobId());
            return 200;
        })) {
            ServerProcess s1 = ServerProcess.start(data, tmp.resolve("server-1.log"));
            try {
                s1.expect(201, "PUT", "/v1/semaphores/flow", config(processor.url(), 0));
                ids = enqueue(s1, "flow", 150);
                s1.expect(200, "PATCH", "/v1/semaphores/flow", "{\"limit\": 3}");
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> processor.seen.size() >= 33);
                assertThat(s1.kill()).isEqualTo(SIGKILLED);
            } finally {
                s1.close();
            }
            assertThat(accepted).as("killed while deliveries flowed").hasSize(30);
            killed.countDown();

            try (ServerProcess s2 = ServerProcess.start(data, tmp.resolve("server-2.log"))) {
                awaitCompleted(s2, "flow", ids.size());
                assertThat(accepted).as("every acknowledged job was delivered").containsExactlyInAnyOrderElementsOf(ids);
                Reply view = s2.expect(200, "GET", "/v1/semaphores/flow", null);
                assertThat(view.body().get("state").get("inUse").asInt()).isZero();
                assertThat(count(s2, "flow", "dead")).isZero();
            }
        }
    }
}
