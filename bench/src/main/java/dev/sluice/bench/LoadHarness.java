package dev.sluice.bench;

import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * A first load figure: try-acquire + release pairs per second against one node with the durable
 * embedded store, beside the ceiling of the same server stack (an empty GET /healthz).
 *
 * <p>Usage: {@code java -cp … dev.sluice.bench.LoadHarness [clients=32] [seconds=10] [runs=3] [store=-] [nodes=1] [semaphores=1]}.
 * The servers run in this JVM; clients use the JDK HttpClient over loopback, one per client
 * thread, as separate processes would. {@code store} is a PostgreSQL URL ({@code -}: the embedded
 * store); with {@code nodes} above 1 that many nodes share it, and the clients are spread over
 * them round-robin; with {@code semaphores} above 1 the clients are spread over that many
 * semaphores (client {@code c} uses {@code bench-(c % semaphores)}).
 */
public final class LoadHarness {
    private record Result(String scenario, int clients, double perSecond, double p50Ms, double p99Ms) {}

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String store = args.length > 3 && !args[3].equals("-") ? args[3] : null;
        int nodes = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        int semaphores = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        if (nodes > 1 && store == null) {
            throw new IllegalArgumentException("several nodes need a shared store: give a PostgreSQL URL");
        }
        Path data = Files.createTempDirectory("sluice-bench");
        List<SluiceServer> servers = new ArrayList<>();
        try {
            for (int n = 0; n < nodes; n++) {
                servers.add(SluiceServer.start(ServerSettings.defaults().withPort(0).withDataDir(data).withStoreUrl(store)));
            }
            List<String> base = servers.stream().map(s -> "http://127.0.0.1:" + s.port()).toList();
            for (int k = 0; k < semaphores; k++) {
                send(HttpClient.newHttpClient(), "PUT", base.getFirst() + "/v1/semaphores/" + name(k, semaphores), "{\"limit\":1000}");
            }
            List<Result> pairs = new ArrayList<>();
            List<Result> empty = new ArrayList<>();
            run("warm-up", clients, 3, base, semaphores, true);
            for (int i = 0; i < runs; i++) {
                System.err.printf("run %d/%d …%n", i + 1, runs);
                pairs.add(run("try-release", clients, seconds, base, semaphores, true));
                empty.add(run("empty-http", clients, seconds, base, semaphores, false));
            }
            Result p = median(pairs);
            Result e = median(empty);
            System.out.printf("%-12s %7s %12s %8s %8s%n", "scenario", "clients", "per second", "p50 ms", "p99 ms");
            for (Result r : List.of(p, e)) {
                System.out.printf("%-12s %7d %12.0f %8.2f %8.2f%n", r.scenario, r.clients, r.perSecond, r.p50Ms, r.p99Ms);
            }
            System.out.printf("pairs/s over empty requests/s: %.2f (a pair is two requests, so 0.50 is the wall)%n",
                    p.perSecond / e.perSecond);
        } finally {
            servers.forEach(SluiceServer::close);
        }
    }

    private static Result median(List<Result> results) {
        List<Result> sorted = results.stream().sorted(Comparator.comparingDouble(Result::perSecond)).toList();
        return sorted.get(sorted.size() / 2);
    }

    /** {@code bench} alone keeps the first figure's name; several are {@code bench-0} … */
    private static String name(int k, int semaphores) {
        return semaphores == 1 ? "bench" : "bench-" + k;
    }

    private static Result run(String scenario, int clients, int seconds, List<String> bases, int semaphores, boolean pairs)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder done = new LongAdder();
        LongAdder errors = new LongAdder();
        Recorder latency = new Recorder(3);
        CountDownLatch finished = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            String base = bases.get(c % bases.size());
            String permits = base + "/v1/semaphores/" + name(c % semaphores, semaphores) + "/permits";
            Thread.ofPlatform().daemon().start(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                try {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        if (pairs) {
                            HttpResponse<String> acquired = send(http, "POST", permits, "{}");
                            if (acquired.statusCode() != 201) {
                                errors.increment();
                                continue;
                            }
                            String id = acquired.body().split("\"permitId\":\"")[1].split("\"")[0];
                            if (send(http, "DELETE", permits + "/" + id, null).statusCode() != 204) {
                                errors.increment();
                            }
                        } else {
                            send(http, "GET", base + "/healthz", null);
                        }
                        latency.recordValue((System.nanoTime() - start) / 1_000);
                        done.increment();
                    }
                } catch (Exception e) {
                    errors.increment();
                } finally {
                    finished.countDown();
                }
            });
        }
        Thread.sleep(Duration.ofSeconds(seconds));
        stop.set(true);
        finished.await();
        var h = latency.getIntervalHistogram();
        if (errors.sum() > 0) {
            System.err.printf("%s: %d errors%n", scenario, errors.sum());
        }
        return new Result(scenario, clients, done.sum() / (double) seconds,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
    }

    private static HttpResponse<String> send(HttpClient http, String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
