package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.server.Api.Res;
import dev.sluice.server.audit.AuditLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/** A traceparent given at enqueue reaches the worker; every config change leaves an audit entry. */
class TracingAndAuditTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @TempDir
    static Path dataDir;
    static TestServer server;
    static Api api;
    static ListAppender<ILoggingEvent> audit = new ListAppender<>();

    @BeforeAll
    static void start() {
        Logger logger = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);
        logger.setLevel(Level.INFO);
        audit.start();
        logger.addAppender(audit);
        server = TestServer.start(dataDir);
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
        ((Logger) LoggerFactory.getLogger(AuditLog.LOGGER)).detachAppender(audit);
    }

    @Test
    void theTraceparentOfTheEnqueuerTravelsWithTheJobToItsDelivery() {
        String name = server.semaphore("trace", "{'limit':1}");
        Res enqueued = api.send("POST", "/v1/semaphores/" + name + "/jobs", j("{'payload':{'a':1}}"), "traceparent", TRACEPARENT);
        assertThat(enqueued.status()).isEqualTo(202);
        assertThat(enqueued.str("traceparent")).isEqualTo(TRACEPARENT);

        JsonNode claimed = api.post("/v1/semaphores/" + name + "/jobs/claim").json().get("jobs").get(0);
        assertThat(claimed.get("traceparent").asString()).isEqualTo(TRACEPARENT);
        String jobId = claimed.get("jobId").asString();
        assertThat(api.get("/v1/semaphores/" + name + "/jobs/" + jobId).str("traceparent")).isEqualTo(TRACEPARENT);

        // a retry is delivered with the same trace context
        api.post("/v1/semaphores/" + name + "/jobs/" + jobId + "/requeue");
        assertThat(api.post("/v1/semaphores/" + name + "/jobs/claim").json().get("jobs").get(0).get("traceparent").asString())
                .isEqualTo(TRACEPARENT);
    }

    @Test
    void anInvalidTraceparentIsIgnoredNotRefused() {
        String name = server.semaphore("badtrace", "{'limit':1}");
        for (String bad : List.of("garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")) {
            Res r = api.send("POST", "/v1/semaphores/" + name + "/jobs", j("{'payload':1}"), "traceparent", bad);
            assertThat(r.status()).as(bad).isEqualTo(202);
            assertThat(r.json().has("traceparent")).as(bad).isFalse();
        }
        Res none = api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':2}"));
        assertThat(none.json().has("traceparent")).isFalse();
    }

    private static List<Map<String, Object>> auditOf(String semaphore) {
        return audit.list.stream()
                .map(e -> e.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value == null ? "" : kv.value)))
                .filter(kv -> semaphore.equals(kv.get("semaphore")))
                .toList();
    }

    @Test
    void everyConfigChangeIsAuditedWithWhoWhatBeforeAndAfter() {
        String name = server.semaphore("audited", "{'limit':1}");
        api.put("/v1/semaphores/" + name, j("{'limit':1}"));   // the same config: no change, no entry
        api.patch("/v1/semaphores/" + name, j("{'limit':5}"));
        api.post("/v1/semaphores/" + name + "/pause", j("{'channel':'eu'}"));
        api.post("/v1/semaphores/" + name + "/pause");
        api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':1}"));
        api.delete("/v1/semaphores/" + name + "/jobs?state=waiting");
        api.delete("/v1/semaphores/" + name + "?force=true");

        await().atMost(Duration.ofSeconds(10)).until(() -> auditOf(name).size() == 6);
        List<Map<String, Object>> entries = auditOf(name);
        assertThat(entries).extracting(e -> e.get("action"))
                .containsExactly("create", "configure", "pause-channel", "configure", "purge", "delete");
        assertThat(entries).allSatisfy(e -> assertThat(e.get("actor")).isEqualTo("remote:127.0.0.1"));
        Map<String, Object> limit = entries.get(1);
        assertThat(Api.MAPPER.readTree((String) limit.get("before")).get("limit").asInt()).isEqualTo(1);
        assertThat(Api.MAPPER.readTree((String) limit.get("after")).get("limit").asInt()).isEqualTo(5);
        assertThat(entries.get(2).get("channel")).isEqualTo("eu");
        assertThat(Api.MAPPER.readTree((String) entries.get(3).get("after")).get("paused").asBoolean()).isTrue();
        assertThat(entries.get(4).get("count")).isEqualTo(1);
        // the message reads on its own in the text format too
        assertThat(audit.list.stream().map(ILoggingEvent::getFormattedMessage))
                .anyMatch(m -> m.contains(name + " configured by remote:127.0.0.1") && m.contains("\"limit\":5"));
    }

    @Test
    void deletedDeadLettersAndARotatedSecretAreAuditedAndNoSecretIsLogged() {
        String name = server.semaphore("auditdead", "{'limit':1,'retry':{'maxAttempts':1}}");
        String jobs = "/v1/semaphores/" + name + "/jobs";
        for (int i = 0; i < 2; i++) {
            api.post(jobs, j("{'payload':" + i + "}"));
            String id = api.post(jobs + "/claim").json().get("jobs").get(0).get("jobId").asString();
            assertThat(api.post(jobs + "/" + id + "/fail", j("{'error':'down'}")).status()).isEqualTo(204);
        }
        String one = api.get(jobs + "?state=dead").json().get("items").get(0).get("jobId").asString();
        assertThat(api.delete(jobs + "/" + one).status()).isEqualTo(204);
        assertThat(api.delete(jobs + "?state=dead").status()).isEqualTo(200);
        assertThat(api.delete(jobs + "?state=dead").status()).as("nothing left: no entry").isEqualTo(200);

        String hook = TestServer.name("auditsecret");
        String first = "first-secret-0123456789abc";
        String second = "second-secret-0123456789ab";
        String delivery = "'delivery':{'mode':'webhook','url':'http://127.0.0.1:9/hook','secret':'%s'},'paused':true";
        assertThat(api.put("/v1/semaphores/" + hook, j("{'limit':1," + delivery.formatted(first) + "}")).status()).isEqualTo(201);
        api.patch("/v1/semaphores/" + hook, j("{'delivery':{'secret':'" + first + "'}}"));   // the same: no rotation
        api.patch("/v1/semaphores/" + hook, j("{'delivery':{'secret':'" + second + "'}}"));

        await().atMost(Duration.ofSeconds(10)).until(() -> auditOf(name).size() == 3 && auditOf(hook).size() >= 2);
        assertThat(auditOf(name)).extracting(e -> e.get("action") + " " + e.get("state") + " " + e.get("count"))
                .containsExactly("create null null", "delete-jobs dead 1", "delete-jobs dead 1");
        assertThat(auditOf(hook)).extracting(e -> e.get("action")).containsExactly("create", "rotate-secret");
        assertThat(auditOf(name)).allSatisfy(e -> assertThat(e.get("actor")).isEqualTo("remote:127.0.0.1"));
        assertThat(auditOf(hook)).allSatisfy(e -> assertThat(e.get("actor")).isEqualTo("remote:127.0.0.1"));
        assertThat(auditOf(hook).get(1).get("previousValidUntil").toString()).isNotBlank();
        assertThat(audit.list.stream().map(e -> e.getFormattedMessage() + e.getKeyValuePairs()))
                .noneMatch(m -> m.contains(first) || m.contains(second));
    }

    @Test
    void aChangeThatIsRefusedLeavesNoEntry() {
        String name = server.semaphore("auditref", "{'limit':1}");
        api.post("/v1/semaphores/" + name + "/permits");
        assertThat(api.delete("/v1/semaphores/" + name).status()).isEqualTo(409);
        assertThat(api.patch("/v1/semaphores/" + name, j("{'limit':-1}")).status()).isEqualTo(400);
        // listeners run before the answer is sent, so what the two refusals would have logged is there by now
        assertThat(auditOf(name)).extracting(e -> e.get("action")).containsExactly("create");
    }
}
