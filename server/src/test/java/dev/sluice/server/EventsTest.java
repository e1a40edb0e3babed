package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.Api.Res;
import dev.sluice.server.EventStream.Event;
import dev.sluice.server.events.EventHub;
import dev.sluice.server.events.Subscriber;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/semaphores/{name}/events}: a snapshot, then every change in order; resumable. */
class EventsTest {
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

    private static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }

    private static long number(Event e) {
        return Long.parseLong(e.id().substring(e.id().indexOf('-') + 1));
    }

    @Test
    void aSnapshotThenEveryChangeInOrder() throws Exception {
        String name = server.semaphore("ev", "{'limit':1,'retry':{'maxAttempts':1}}");
        try (EventStream events = EventStream.open(server.port(), name, null)) {
            assertThat(events.response().headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            Event snapshot = events.next();
            assertThat(snapshot.type()).isEqualTo("snapshot");
            assertThat(snapshot.id()).isNull();
            assertThat(snapshot.data().get("limit").asInt()).isEqualTo(1);
            assertThat(snapshot.data().get("state").get("inUse").asInt()).isZero();

            String base = "/v1/semaphores/" + name;
            Res permit = api.post(base + "/permits");
            assertThat(api.post(base + "/permits").status()).isEqualTo(429);
            CompletableFuture<Res> waiter = api.sendAsync("POST", base + "/permits", j("{'wait':'PT30S'}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.state(name).get("waiting").asInt() == 1);
            api.delete(base + "/permits/" + permit.str("permitId"));
            Res second = waiter.get();
            api.delete(base + "/permits/" + second.str("permitId"));
            api.post(base + "/pause");
            api.patch(base, j("{'limit':3}"));
            Res job = api.post(base + "/jobs", j("{'payload':{'n':1}}"));
            api.post(base + "/resume");
            Res claimed = api.post(base + "/jobs/claim");
            String jobId = claimed.json().get("jobs").get(0).get("jobId").asString();
            assertThat(jobId).isEqualTo(job.str("jobId"));
            api.post(base + "/jobs/" + jobId + "/fail", j("{'error':'partner down','retryable':false}"));
            api.post(base + "/dead-letters/redrive", j("{}"));

            List<Event> seen = events.until("redriven");
            assertThat(types(seen)).containsExactly(
                    "granted", "rejected", "enqueued", "released", "granted", "released", "paused", "limit", "enqueued",
                    "resumed", "granted", "released", "attempt", "dead", "redriven");
            for (int i = 1; i < seen.size(); i++) {
                assertThat(number(seen.get(i))).as("ids grow").isGreaterThan(number(seen.get(i - 1)));
            }
            Event firstGrant = seen.getFirst();
            assertThat(firstGrant.data().get("permitId").asString()).isEqualTo(permit.str("permitId"));
            assertThat(firstGrant.data().get("mode").asString()).isEqualTo("try");
            assertThat(firstGrant.data().get("state").get("inUse").asInt()).isEqualTo(1);
            assertThat(seen.get(1).data().get("reason").asString()).isEqualTo("limit_reached");
            assertThat(seen.get(4).data().get("mode").asString()).isEqualTo("wait");
            assertThat(seen.get(6).data().get("state").get("paused").asBoolean()).isTrue();
            assertThat(seen.get(6).data().get("actor").asString()).startsWith("remote:");
            assertThat(seen.get(7).data().get("before").asInt()).isEqualTo(1);
            assertThat(seen.get(7).data().get("after").asInt()).isEqualTo(3);
            assertThat(seen.get(10).data().get("jobId").asString()).isEqualTo(jobId);
            assertThat(seen.get(12).data().get("outcome").asString()).isEqualTo("failed");
            assertThat(seen.get(13).data().get("error").asString()).isEqualTo("partner down");
            assertThat(seen.get(14).data().get("state").get("waiting").asInt()).isEqualTo(1);
            assertThat(seen.get(14).data().get("state").get("dead").asInt()).isZero();

            String again = api.post(base + "/jobs/claim").json().get("jobs").get(0).get("jobId").asString();
            api.post(base + "/jobs/" + again + "/fail", j("{'error':'still down','retryable':false}"));
            assertThat(api.delete(base + "/jobs?state=dead").json().get("deleted").asInt()).isEqualTo(1);
            List<Event> more = events.until("jobs-deleted");
            assertThat(types(more)).containsExactly("granted", "released", "attempt", "dead", "jobs-deleted");
            Event deleted = more.getLast();
            assertThat(deleted.data().get("jobState").asString()).isEqualTo("dead");
            assertThat(deleted.data().get("count").asInt()).isEqualTo(1);
            assertThat(deleted.data().get("actor").asString()).startsWith("remote:");
            assertThat(deleted.data().get("state").get("dead").asInt()).isZero();
        }
    }

    @Test
    void expiriesTheServerMakesAreEventsToo() throws Exception {
        String name = server.semaphore("evexp", "{'limit':1}");
        try (EventStream events = EventStream.open(server.port(), name, null)) {
            assertThat(events.next().type()).isEqualTo("snapshot");
            api.post("/v1/semaphores/" + name + "/permits", j("{'leaseTimeout':'PT1S'}"));
            List<Event> seen = events.until("expired");
            assertThat(types(seen)).containsExactly("granted", "expired");
            assertThat(seen.get(1).data().get("state").get("inUse").asInt()).isZero();
        }
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsWhatItMissed() throws Exception {
        String name = server.semaphore("evresume", "{'limit':5}");
        String base = "/v1/semaphores/" + name;
        String lastId;
        try (EventStream events = EventStream.open(server.port(), name, null)) {
            assertThat(events.next().type()).isEqualTo("snapshot");
            api.post(base + "/permits");
            Event granted = events.next();
            assertThat(granted.type()).isEqualTo("granted");
            lastId = granted.id();
        }
        // while nobody listens
        api.patch(base, j("{'limit':6}"));
        api.post(base + "/jobs", j("{'payload':1}"));
        try (EventStream events = EventStream.open(server.port(), name, lastId)) {
            Event first = events.next();
            assertThat(first.type()).as("resumed, no snapshot").isEqualTo("limit");
            assertThat(events.next().type()).isEqualTo("enqueued");
            api.post(base + "/pause");
            assertThat(events.next().type()).isEqualTo("paused");
        }
        // an id the node does not know (another process, or too old) gets a fresh snapshot
        try (EventStream events = EventStream.open(server.port(), name, "zz-3")) {
            Event snapshot = events.next();
            assertThat(snapshot.type()).isEqualTo("snapshot");
            assertThat(snapshot.data().get("paused").asBoolean()).isTrue();
            assertThat(snapshot.data().get("state").get("waiting").asInt()).isEqualTo(1);
        }
    }

    @Test
    void anUnknownSemaphoreIs404() {
        Res r = api.get("/v1/semaphores/no-such-thing/events");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo("not_found");
    }

    /**
     * A client that stops reading must not hold up the engine: publishing never blocks, and the
     * stalled client is cut off once its queue is full, while a reading client gets every event.
     * The stalled one here writes to a stream that blocks for good, as a full socket does.
     */
    @Test
    void aStalledSubscriberIsDroppedAndSlowsNothing() throws Exception {
        String name = server.semaphore("evslow", "{'limit':1000}");
        EventHub hub = server.server().events();
        long droppedBefore = hub.droppedSubscribers();
        CountDownLatch never = new CountDownLatch(1);
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        };
        CountDownLatch ended = new CountDownLatch(1);
        Subscriber stalled = new Subscriber(hub, stuck, ended::countDown, 50);
        hub.subscribe(name, stalled, null);
        stalled.resume();
        try (EventStream reading = EventStream.open(server.port(), name, null)) {
            assertThat(reading.next().type()).isEqualTo("snapshot");
            int rounds = 100;
            for (int i = 0; i < rounds; i++) {
                Res p = api.post("/v1/semaphores/" + name + "/permits");
                assertThat(p.status()).isEqualTo(201);
                assertThat(api.delete("/v1/semaphores/" + name + "/permits/" + p.str("permitId")).status()).isEqualTo(204);
            }
            assertThat(ended.await(10, TimeUnit.SECONDS)).as("the stalled subscriber was cut off").isTrue();
            assertThat(stalled.isClosed()).isTrue();
            assertThat(hub.droppedSubscribers()).isGreaterThan(droppedBefore);
            for (int i = 0; i < rounds; i++) {
                assertThat(reading.next().type()).isEqualTo("granted");
                assertThat(reading.next().type()).isEqualTo("released");
            }
        } finally {
            never.countDown();
        }
    }
}
