package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.Api.Res;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics}: the numbers move with real traffic, and only with what committed. */
class MetricsTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void awaitMetric(String name, double expected, String... labels) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(Scrape.of(api).value(name, labels)).as(name + " " + String.join(",", labels))
                        .isEqualTo(expected));
    }

    @Test
    void gaugesFollowTheStateAndAcquireCountersCountOutcomes() {
        String name = server.semaphore("gauges", "{'limit':2}");
        String[] s = {"semaphore", name};
        awaitMetric("sluice_permits_limit", 2, s);
        awaitMetric("sluice_permits_in_use", 0, s);

        Res a = api.post("/v1/semaphores/" + name + "/permits");
        Res b = api.post("/v1/semaphores/" + name + "/permits");
        assertThat(api.post("/v1/semaphores/" + name + "/permits").status()).isEqualTo(429);
        api.post("/v1/semaphores/" + name + "/pause");
        assertThat(api.post("/v1/semaphores/" + name + "/permits").code()).isEqualTo("paused");
        api.post("/v1/semaphores/" + name + "/resume");

        awaitMetric("sluice_permits_in_use", 2, s);
        awaitMetric("sluice_acquires_total", 2, "semaphore", name, "mode", "try", "outcome", "granted");
        awaitMetric("sluice_acquires_total", 1, "semaphore", name, "mode", "try", "outcome", "rejected", "reason", "limit_reached");
        awaitMetric("sluice_acquires_total", 1, "semaphore", name, "mode", "try", "outcome", "rejected", "reason", "paused");

        api.patch("/v1/semaphores/" + name, j("{'limit':5}"));
        awaitMetric("sluice_permits_limit", 5, s);
        api.delete("/v1/semaphores/" + name + "/permits/" + a.str("permitId"));
        api.delete("/v1/semaphores/" + name + "/permits/" + a.str("permitId"));   // a repeat frees nothing and counts nothing
        api.delete("/v1/semaphores/" + name + "/permits/" + b.str("permitId"));
        awaitMetric("sluice_permits_in_use", 0, s);
        awaitMetric("sluice_releases_total", 2, s);
        awaitMetric("sluice_hold_seconds_count", 2, s);
    }

    @Test
    void waitHistogramHasBucketsAndCountsQueuedGrants() throws Exception {
        String name = server.semaphore("waits", "{'limit':1}");
        Res holder = api.post("/v1/semaphores/" + name + "/permits");
        CompletableFuture<Res> waiter = api.sendAsync("POST", "/v1/semaphores/" + name + "/permits", j("{'wait':'PT30S'}"));
        awaitMetric("sluice_jobs_waiting", 1, "semaphore", name);
        api.delete("/v1/semaphores/" + name + "/permits/" + holder.str("permitId"));
        Res granted = waiter.get();
        assertThat(granted.status()).isEqualTo(201);

        awaitMetric("sluice_wait_seconds_count", 1, "semaphore", name, "mode", "wait");
        awaitMetric("sluice_acquires_total", 1, "semaphore", name, "mode", "wait", "outcome", "granted");
        Scrape scrape = Scrape.of(api);
        // cumulative buckets: the +Inf bucket holds the one wait, and there are fixed bounds to aggregate across nodes
        assertThat(scrape.value("sluice_wait_seconds_bucket", "semaphore", name, "mode", "wait", "le", "+Inf")).isEqualTo(1);
        assertThat(scrape.find("sluice_wait_seconds_bucket", "semaphore", name, "mode", "wait")).hasSizeGreaterThan(10);
        assertThat(scrape.has("sluice_wait_seconds_bucket", "le", "0.001")).isTrue();
        assertThat(scrape.value("sluice_wait_seconds_sum", "semaphore", name, "mode", "wait")).isPositive();

        // a wait that elapses is a rejected acquire
        api.delete("/v1/semaphores/" + name + "/permits/" + granted.str("permitId"));
        Res waited = api.post("/v1/semaphores/" + name + "/permits", j("{'wait':'PT0.2S'}"));
        CompletableFuture<Res> late = api.sendAsync("POST", "/v1/semaphores/" + name + "/permits", j("{'wait':'PT0.2S'}"));
        assertThat(waited.status()).isEqualTo(201);
        assertThat(late.get().status()).isEqualTo(429);
        awaitMetric("sluice_acquires_total", 1, "semaphore", name, "mode", "wait", "outcome", "rejected", "reason", "limit_reached");
    }

    @Test
    void jobsCountEnqueuesDeliveriesDeadLettersAndExpiries() throws Exception {
        String name = server.semaphore("jobs", "{'limit':3,'retry':{'maxAttempts':1},'onLeaseExpired':'deadletter'}");
        String jobs = "/v1/semaphores/" + name + "/jobs";
        for (int i = 0; i < 3; i++) {
            assertThat(api.post(jobs, j("{'payload':" + i + "}")).status()).isEqualTo(202);
        }
        awaitMetric("sluice_jobs_enqueued_total", 3, "semaphore", name);
        awaitMetric("sluice_jobs_waiting", 3, "semaphore", name);

        Res claimed = api.post(jobs + "/claim", j("{'max':2,'leaseTimeout':'PT1M'}"));
        assertThat(claimed.json().get("jobs")).hasSize(2);
        String first = claimed.json().get("jobs").get(0).get("jobId").asString();
        String second = claimed.json().get("jobs").get(1).get("jobId").asString();
        assertThat(api.post(jobs + "/claim", j("{'max':1,'leaseTimeout':'PT1S'}")).json().get("jobs")).hasSize(1);
        assertThat(api.post(jobs + "/" + first + "/complete").status()).isEqualTo(204);
        assertThat(api.post(jobs + "/" + second + "/fail", j("{'error':'boom'}")).status()).isEqualTo(204);

        awaitMetric("sluice_acquires_total", 3, "semaphore", name, "mode", "job", "outcome", "granted");
        awaitMetric("sluice_deliveries_total", 1, "semaphore", name, "outcome", "completed");
        awaitMetric("sluice_deliveries_total", 1, "semaphore", name, "outcome", "failed");
        // the third one's one-second lease runs out: the server reclaims it and dead-letters the job
        awaitMetric("sluice_lease_expiries_total", 1, "semaphore", name);
        awaitMetric("sluice_deliveries_total", 1, "semaphore", name, "outcome", "lease_expired");
        awaitMetric("sluice_jobs_dead_lettered_total", 2, "semaphore", name);
        awaitMetric("sluice_jobs_dead", 2, "semaphore", name);
        awaitMetric("sluice_jobs_inflight", 0, "semaphore", name);
        awaitMetric("sluice_wait_seconds_count", 3, "semaphore", name, "mode", "job");

        // every metric the Grafana dashboard in docs/ graphs is one this node serves
        String grafana = Files.readString(Path.of("..", "docs", "grafana", "sluice.json"));
        Matcher m = Pattern.compile("\\b((?:sluice|http_server|jvm)_[a-z_]+)").matcher(grafana);
        Set<String> graphed = new TreeSet<>();
        while (m.find()) {
            graphed.add(m.group(1));
        }
        assertThat(graphed).contains("sluice_permits_in_use", "sluice_wait_seconds_bucket", "http_server_requests_seconds_bucket");
        Scrape scrape = Scrape.of(api);
        assertThat(graphed).allSatisfy(metric -> assertThat(scrape.has(metric)).as(metric + " is served").isTrue());
    }

    @Test
    void storeCommitsAreTimedWithTheOperationsTheyCarry() {
        String name = server.semaphore("commits", "{'limit':3}");
        Scrape before = Scrape.of(api);
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/v1/semaphores/" + name + "/permits").status()).isEqualTo(201);
        }
        Scrape after = Scrape.of(api);
        // one acquire after another, each answered after its commit: at least a commit each, heard before the answer
        double commits = after.value("sluice_store_commit_seconds_count");
        double operations = after.value("sluice_store_commit_operations_sum");
        assertThat(commits - before.value("sluice_store_commit_seconds_count")).isGreaterThanOrEqualTo(3);
        assertThat(operations - before.value("sluice_store_commit_operations_sum")).isGreaterThanOrEqualTo(3);
        assertThat(operations).as("a commit carries one operation or more").isGreaterThanOrEqualTo(commits);
        assertThat(after.value("sluice_store_commit_seconds_sum")).isPositive();
        assertThat(after.sum("sluice_store_commit_seconds_bucket", "le", "+Inf")).isEqualTo(commits);
        assertThat(after.find("sluice_store_commit_seconds_bucket")).hasSizeGreaterThan(10);
        assertThat(after.sum("sluice_store_commit_operations_bucket", "le", "+Inf")).isEqualTo(commits);
    }

    @Test
    void jvmAndHttpServerMetricsAreThereWithRouteTemplates() {
        String name = server.semaphore("http", "{'limit':1}");
        api.get("/v1/semaphores/" + name);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Scrape scrape = Scrape.of(api);
            assertThat(scrape.sum("http_server_requests_seconds_count", "uri", "/v1/semaphores/{name}", "method", "GET")).isPositive();
            assertThat(scrape.find("http_server_requests_seconds_count", "uri", "/v1/semaphores/" + name)).isEmpty();
            assertThat(scrape.has("jvm_memory_used_bytes")).isTrue();
            assertThat(scrape.has("jvm_threads_live_threads")).isTrue();
            assertThat(scrape.has("process_uptime_seconds")).isTrue();
        });
        assertThat(api.get("/metrics").contentType()).startsWith("text/plain");
    }

    @Test
    void aDeletedSemaphoreLosesItsSeries() {
        String name = server.semaphore("gone", "{'limit':4}");
        awaitMetric("sluice_permits_limit", 4, "semaphore", name);
        assertThat(api.delete("/v1/semaphores/" + name).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !Scrape.of(api).has("sluice_permits_limit", "semaphore", name));
    }
}
