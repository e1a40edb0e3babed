package dev.sluice.bench.systems;

import dev.sluice.bench.load.Commits;
import dev.sluice.bench.load.RawHttp;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import io.micrometer.core.instrument.Timer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sluice, in this JVM, reached over HTTP on loopback like any client would: one node on the
 * durable embedded store in a data directory of the harness ({@code sluice}), one node on a
 * PostgreSQL server started here ({@code sluice-postgres}), or three nodes sharing that PostgreSQL
 * ({@code sluice-3-nodes}), each client connected to the next node in turn.
 */
public final class SluiceSubject implements Subject {
    private final String id;
    private final List<SluiceServer> nodes;
    private final AtomicInteger nextNode = new AtomicInteger();
    /** The PostgreSQL server the nodes store in, or null for the embedded store. */
    private final EmbeddedPostgres postgres;

    private SluiceSubject(String id, List<SluiceServer> nodes, EmbeddedPostgres postgres) {
        this.id = id;
        this.nodes = List.copyOf(nodes);
        this.postgres = postgres;
    }

    /** Starts a node on {@code dataDir} (which may hold a store prefilled by {@link Prefill}). */
    public static SluiceSubject start(Path dataDir) {
        return new SluiceSubject("sluice", List.of(SluiceServer.start(ServerSettings.defaults().withPort(0).withDataDir(dataDir))), null);
    }

    /** Starts a PostgreSQL server, then one node storing in it (as {@code --store postgresql://…} does). */
    public static SluiceSubject startOnPostgres(Path dataDir) throws IOException {
        return startOnPostgres("sluice-postgres", dataDir, 1);
    }

    /** Starts a PostgreSQL server, then three nodes sharing it, as a cluster of three would. */
    public static SluiceSubject startThreeNodes(Path dataDir) throws IOException {
        return startOnPostgres("sluice-3-nodes", dataDir, 3);
    }

    private static SluiceSubject startOnPostgres(String id, Path dataDir, int count) throws IOException {
        EmbeddedPostgres pg = LocalPostgres.start();
        List<SluiceServer> started = new ArrayList<>();
        try {
            String url = "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
            for (int i = 0; i < count; i++) {
                started.add(SluiceServer.start(ServerSettings.defaults().withPort(0).withDataDir(dataDir.resolve("node-" + i))
                        .withStoreUrl(url)));
            }
            return new SluiceSubject(id, started, pg);
        } catch (RuntimeException e) {
            started.forEach(SluiceServer::close);
            pg.close();
            throw e;
        }
    }

    /** The port of the first node. */
    public int port() {
        return nodes.getFirst().port();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void semaphore(String name, int limit) throws IOException {
        try (RawHttp http = new RawHttp(port())) {
            expect(http.send("PUT", "/v1/semaphores/" + name, "{\"limit\":" + limit + "}"), 200, 201);
        }
    }

    @Override
    public HttpClient connect() throws IOException {
        return new HttpClient(new RawHttp(nodes.get(Math.floorMod(nextNode.getAndIncrement(), nodes.size())).port()));
    }

    static RawHttp.Response expect(RawHttp.Response r, int... statuses) throws IOException {
        for (int s : statuses) {
            if (r.status() == s) {
                return r;
            }
        }
        throw new IOException("unexpected " + r.status() + ": " + r.body());
    }

    /** A client of the HTTP API: permits and jobs. */
    public static final class HttpClient implements Client {
        private final RawHttp http;

        HttpClient(RawHttp http) {
            this.http = http;
        }

        @Override
        public Object tryAcquire(String semaphore) throws IOException {
            return acquired(http.send("POST", "/v1/semaphores/" + semaphore + "/permits", "{}"));
        }

        @Override
        public Object acquire(String semaphore, Duration wait) throws IOException {
            return acquired(http.send("POST", "/v1/semaphores/" + semaphore + "/permits", "{\"wait\":\"" + wait + "\"}"));
        }

        private static String acquired(RawHttp.Response r) throws IOException {
            if (r.status() == 429) {
                return null;
            }
            return RawHttp.field(expect(r, 201).body(), "permitId");
        }

        @Override
        public void release(String semaphore, Object permit) throws IOException {
            expect(http.send("DELETE", "/v1/semaphores/" + semaphore + "/permits/" + permit, null), 204);
        }

        /** Enqueues a small job. */
        public void enqueue(String semaphore) throws IOException {
            expect(http.send("POST", "/v1/semaphores/" + semaphore + "/jobs", "{\"payload\":{\"order\":42}}"), 202);
        }

        /** Claims one job, waiting up to {@code wait}; returns {jobId, permitId} or null when none came. */
        public String[] claim(String semaphore, Duration wait) throws IOException {
            String body = expect(http.send("POST", "/v1/semaphores/" + semaphore + "/jobs/claim",
                    "{\"max\":1,\"wait\":\"" + wait + "\"}"), 200).body();
            String job = RawHttp.field(body, "jobId");
            return job == null ? null : new String[] {job, RawHttp.field(body, "permitId")};
        }

        /** Enqueues {@code count} small jobs in one request. */
        public void enqueueBatch(String semaphore, int count) throws IOException {
            StringBuilder body = new StringBuilder("{\"jobs\":[");
            for (int i = 0; i < count; i++) {
                body.append(i == 0 ? "" : ",").append("{\"payload\":{\"order\":").append(i).append("}}");
            }
            expect(http.send("POST", "/v1/semaphores/" + semaphore + "/jobs/batch", body.append("]}").toString()), 202);
        }

        /** Claims up to {@code max} jobs, waiting up to {@code wait} for the first; each as {jobId, permitId}. */
        public List<String[]> claim(String semaphore, int max, Duration wait) throws IOException {
            String body = expect(http.send("POST", "/v1/semaphores/" + semaphore + "/jobs/claim",
                    "{\"max\":" + max + ",\"wait\":\"" + wait + "\"}"), 200).body();
            List<String> jobs = RawHttp.fields(body, "jobId");
            List<String> permits = RawHttp.fields(body, "permitId");
            List<String[]> claimed = new ArrayList<>(jobs.size());
            for (int i = 0; i < jobs.size(); i++) {
                claimed.add(new String[] {jobs.get(i), permits.get(i)});
            }
            return claimed;
        }

        /** Completes claimed jobs ({jobId, permitId} each) in one request. */
        public void completeBatch(String semaphore, List<String[]> claimed) throws IOException {
            StringBuilder body = new StringBuilder("{\"jobs\":[");
            for (int i = 0; i < claimed.size(); i++) {
                body.append(i == 0 ? "" : ",").append("{\"jobId\":\"").append(claimed.get(i)[0])
                        .append("\",\"permitId\":\"").append(claimed.get(i)[1]).append("\"}");
            }
            String answer = expect(http.send("POST", "/v1/semaphores/" + semaphore + "/jobs/complete",
                    body.append("]}").toString()), 200).body();
            if (RawHttp.fields(answer, "outcome").stream().anyMatch(o -> !o.equals("completed"))) {
                throw new IOException("a job of the batch was not completed: " + answer);
            }
        }

        public void complete(String semaphore, String[] claimed) throws IOException {
            expect(http.send("POST", "/v1/semaphores/" + semaphore + "/jobs/" + claimed[0] + "/complete",
                    "{\"permitId\":\"" + claimed[1] + "\"}"), 204);
        }

        @Override
        public void close() throws IOException {
            http.close();
        }
    }

    /** Every node's commits, from its {@code sluice_store_commit_seconds} metric. */
    @Override
    public Commits commits() {
        long count = 0;
        double seconds = 0;
        for (SluiceServer node : nodes) {
            Timer commits = node.metrics().registry().get("sluice.store.commit").timer();
            count += commits.count();
            seconds += commits.totalTime(TimeUnit.SECONDS);
        }
        return new Commits(count, seconds);
    }

    @Override
    public void close() {
        nodes.forEach(SluiceServer::close);
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
