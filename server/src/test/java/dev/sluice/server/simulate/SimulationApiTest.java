package dev.sluice.server.simulate;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api;
import dev.sluice.server.Api.Res;
import dev.sluice.server.TestServer;
import dev.sluice.sim.JsonReport;
import dev.sluice.sim.Mode;
import dev.sluice.sim.Scenario;
import dev.sluice.sim.Simulator;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/simulations} on a real node: the simulator's own figures, bounded input, problem+json refusals. */
class SimulationApiTest {
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

    @Test
    void theSpikesScenarioRejectsWithoutAQueueAndNothingWithOne() {
        Res r = api.post("/v1/simulations", j("{'scenario':'spikes','duration':'5m','seed':7}"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode sync = r.json().get("sync");
        JsonNode async = r.json().get("async");
        assertThat(sync.get("rejectedPct").asDouble()).isGreaterThan(10);
        assertThat(async.get("rejectedPct").asDouble()).isZero();
        assertThat(async.get("maxWaiting").asLong()).isPositive();
        assertThat(async.get("utilizationPct").asDouble()).isGreaterThan(sync.get("utilizationPct").asDouble());
        assertThat(sync.get("offered").asLong()).isEqualTo(async.get("offered").asLong()).isPositive();

        // the figures are the simulator's, under the keys of sluice simulate --format json
        Scenario s = Scenario.preset("spikes").duration(300).seed(7).build();
        JsonNode cli = Api.MAPPER.readTree(JsonReport.render(Simulator.run(s, Mode.SYNC), Simulator.run(s, Mode.ASYNC)));
        for (String mode : new String[] {"sync", "async"}) {
            cli.get(mode).propertyNames().forEach(key ->
                    assertThat(r.json().get(mode).get(key)).as(mode + "." + key).isEqualTo(cli.get(mode).get(key)));
        }

        JsonNode series = sync.get("series");
        int points = series.get("time").size();
        assertThat(points).isBetween(10, 400);
        for (String k : new String[] {"inUse", "inUseMax", "limit", "waiting", "waitingMax", "arrivals", "rejections", "retries"}) {
            assertThat(series.get(k).size()).as(k).isEqualTo(points);
        }
        JsonNode scenario = r.json().get("scenario");
        assertThat(scenario.get("name").asString()).isEqualTo("spikes");
        assertThat(scenario.get("bursts").size()).isEqualTo(5);   // at 30 s, 90 s, … 270 s
        assertThat(scenario.get("limitSteps").get(0).get("limit").asInt()).isEqualTo(10);
        assertThat(scenario.get("parameters").get("seed").asString()).isEqualTo("7");
    }

    @Test
    void theSameBodyGivesTheSameAnswerAndOneModeRunsAlone() {
        String body = j("{'scenario':'poisson','rate':9,'service':'fixed:1s','limitSchedule':'0s:5,30s:12','duration':60,"
                + "'mode':'sync','retries':2,'retryBackoff':'500ms','seed':3}");
        Res a = api.post("/v1/simulations", body);
        Res b = api.post("/v1/simulations", body);
        assertThat(a.status()).as(a.toString()).isEqualTo(200);
        assertThat(a.text()).isEqualTo(b.text());
        assertThat(a.json().has("async")).isFalse();
        assertThat(a.json().get("sync").get("attempts").asLong()).isGreaterThan(a.json().get("sync").get("offered").asLong());
        assertThat(a.json().get("scenario").get("limitSteps").size()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'arrival':'csv:/etc/passwd'}",
        "{'duration':'2h'}",
        "{'duration':0}",
        "{'scenario':'poisson','rate':1000,'duration':'1h'}",
        "{'retries':11}",
        "{'limit':5,'limitSchedule':'0s:5'}",
        "{'limit':-1}",
        "{'mode':'sideways'}",
        "{'scenario':'storm'}",
        "{'seed':1.5}",
        "{'rate':'fast'}",
        "{'service':'gamma:2'}",
        "{'limitSchedule':'10s:5'}",
        "{'speed':2}",
    })
    void badOrUnboundedInputIsA400Problem(String body) {
        Res r = api.post("/v1/simulations", j(body));
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.code()).isEqualTo("invalid_argument");
        assertThat(r.str("detail")).isNotBlank();
    }

    @Test
    void aLimitScheduleOfMoreThanAHundredStepsIsRefused() {
        String schedule = IntStream.range(0, 101).mapToObj(i -> i + "s:" + (i % 10 + 1)).collect(Collectors.joining(","));
        Res r = api.post("/v1/simulations", j("{'duration':'5m','limitSchedule':'" + schedule + "'}"));
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.str("detail")).contains("at most 100");
    }

    @Test
    void theArrivalBoundSaysWhatToChange() {
        Res r = api.post("/v1/simulations", j("{'scenario':'poisson','rate':100,'duration':'1h'}"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.str("detail")).contains("360,000 requests").contains("at most 200,000").contains("sluice simulate");
    }
}
