package dev.sluice.server.webhooks;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Claimed;
import dev.sluice.core.job.JobRecord;
import dev.sluice.server.Api;
import dev.sluice.server.Engine;
import dev.sluice.server.TestServer;
import dev.sluice.server.webhooks.Hooks.Created;
import dev.sluice.server.webhooks.Receiver.Delivery;
import dev.sluice.store.Store;
import dev.sluice.store.json.ConfigCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code retry.onExhausted: {forward: other}}: a job whose retries ran out moves to another
 * semaphore, with its own delivery and limit, keeping its id, payload and history; never lost,
 * never doubled, even when the node stops between the steps of the move.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForwardTest {
    @TempDir
    Path tmp;

    @Test
    void anExhaustedJobIsDeliveredByTheOtherSemaphoreUnderItsIdWithItsPayload() {
        try (TestServer server = TestServer.start(tmp.resolve("a"));
             Receiver failing = Receiver.answering(500);
             Receiver working = Receiver.answering(200)) {
            Hooks hooks = new Hooks(server);
            Created fallback = hooks.webhook("fallback", working.url(), "'limit':1", "'releaseOnSuccess':true");
            Created primary = hooks.webhook("primary", failing.url(), "'limit':2,'retry':{'maxAttempts':2,'initialBackoff':'PT0S',"
                    + "'onExhausted':{'forward':'" + fallback.name() + "'}}", "");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add(hooks.enqueue(primary.name(), "{'order':" + i + "}", i % 2 == 0 ? "eu" : "us"));
            }

            hooks.awaitAll(fallback.name(), ids, "completed", 60);
            hooks.awaitAll(primary.name(), ids, "forwarded", 30);

            assertThat(failing.jobIds(primary.name())).as("two attempts each on the first semaphore").hasSize(12);
            Map<String, Delivery> delivered = working.deliveries(fallback.name()).stream()
                    .collect(Collectors.toMap(Delivery::jobId, d -> d, (x, y) -> x));
            assertThat(delivered.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            for (int i = 0; i < ids.size(); i++) {
                Delivery d = delivered.get(ids.get(i));
                assertThat(Api.MAPPER.readTree(d.body()).get("order").asInt()).isEqualTo(i);
                assertThat(d.attempt()).as("the new semaphore's own attempts").isEqualTo(1);
                assertThat(Hooks.verifies(d.signature(), d.body(), fallback.secret())).as("signed by its new semaphore").isTrue();
                JsonNode there = hooks.job(fallback.name(), ids.get(i));
                assertThat(there.get("forwardedFrom").asString()).isEqualTo(primary.name());
                assertThat(there.get("channel").asString()).isEqualTo(i % 2 == 0 ? "eu" : "us");
                JsonNode here = hooks.job(primary.name(), ids.get(i));
                assertThat(here.get("forwardedTo").asString()).isEqualTo(fallback.name());
                assertThat(here.get("attempts").asInt()).isEqualTo(2);
                assertThat(here.get("lastError").asString()).startsWith("HTTP 500");
                assertThat(here.get("payload")).isEqualTo(there.get("payload"));
            }
            JsonNode state = server.state(primary.name());
            assertThat(state.get("inUse").asInt()).isZero();
            assertThat(state.get("waiting").asInt()).isZero();
            assertThat(state.get("dead").asInt()).isZero();
            assertThat(hooks.ids(primary.name(), "forwarded")).containsExactlyInAnyOrderElementsOf(ids);
        }
    }

    @Test
    void aForwardToASemaphoreThatDoesNotExistDeadLettersTheJobWithTheReason() {
        try (TestServer server = TestServer.start(tmp.resolve("b"))) {
            Hooks hooks = new Hooks(server);
            String name = server.semaphore("lonely", "{'limit':1,'retry':{'maxAttempts':1,'onExhausted':{'forward':'nobody-here'}}}");
            String id = hooks.enqueue(name, "{'x':1}");
            JsonNode claimed = server.api().post(Hooks.jobs(name) + "/claim", j("{'max':1}")).json().get("jobs").get(0);
            server.api().post(Hooks.jobs(name) + "/" + id + "/fail", j("{'error':'boom','permitId':'" + claimed.get("permitId").asString() + "'}"));

            hooks.awaitAll(name, List.of(id), "dead", 30);

            assertThat(hooks.job(name, id).get("lastError").asString())
                    .isEqualTo("could not forward to nobody-here: no semaphore named nobody-here; last error: boom");
            assertThat(server.state(name).get("dead").asInt()).isOne();
        }
    }

    /**
     * The node stops between the steps of three moves: one after step 1 (forwarding on the source),
     * one after step 2 (taken in by the target, still forwarding on the source), one after step 3.
     * Each step is a committed transaction, so this is the state a {@code kill -9} at those points
     * leaves. A node started on it finishes the moves: every job once on the target, forwarded on the source.
     */
    @Test
    void forwardsCutShortByAStopAreFinishedAtStartExactlyOnce() {
        Path data = tmp.resolve("c");
        List<String> ids;
        try (Store store = TestServer.openStore(data)) {
            Engine engine = new Engine(store, Clock.systemUTC());
            engine.apply("source", m -> m.put(ConfigCodec.fromJson(Api.MAPPER.readTree(
                    j("{'limit':3,'retry':{'maxAttempts':1,'onExhausted':{'forward':'target'}}}"))))).join();
            engine.apply("target", m -> m.put(ConfigCodec.fromJson(Api.MAPPER.readTree(j("{'limit':0}"))))).join();
            for (int i = 0; i < 3; i++) {
                int n = i;
                engine.apply("source", m -> m.enqueue("{\"n\":" + n + "}", "default", 0, null)).join();
            }
            List<Claimed> claimed = engine.apply("source", m -> m.claim(3, null)).join();
            for (Claimed c : claimed) {
                engine.apply("source", m -> {
                    m.fail(c.job().id(), c.permit().id(), "boom", true);
                    return null;
                }).join();
            }
            List<JobRecord> moving = engine.apply("source", m -> m.pendingForwards()).join();
            assertThat(moving).hasSize(3);
            ids = moving.stream().map(JobRecord::id).toList();
            // moving[0]: step 1 only. moving[1]: steps 1 and 2. moving[2]: all three.
            engine.apply("target", m -> m.acceptForward(moving.get(1), "source")).join();
            engine.apply("target", m -> m.acceptForward(moving.get(2), "source")).join();
            engine.apply("source", m -> {
                m.forwardDone(moving.get(2).id(), null);
                return null;
            }).join();
        }

        try (TestServer server = TestServer.start(data)) {
            Hooks hooks = new Hooks(server);
            hooks.awaitAll("source", ids, "forwarded", 30);

            List<String> there = hooks.ids("target", "waiting");
            assertThat(there).as("each job once on the target").containsExactlyInAnyOrderElementsOf(ids);
            for (String id : ids) {
                assertThat(hooks.job("target", id).get("forwardedFrom").asString()).isEqualTo("source");
            }
            assertThat(server.state("target").get("waiting").asInt()).isEqualTo(3);
            assertThat(hooks.ids("source", "forwarding")).isEmpty();
        }
    }
}
