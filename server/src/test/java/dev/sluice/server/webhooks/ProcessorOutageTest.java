package dev.sluice.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Durations;
import dev.sluice.server.TestServer;
import dev.sluice.server.webhooks.Hooks.Created;
import dev.sluice.server.webhooks.Receiver.Delivery;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A processor that is down for a minute and comes back loses nothing and sees every job (G5).
 *
 * <p>The outage lasts {@code -Dsluice.test.outage} (default {@code 60s}, the real minute; e.g.
 * {@code -Dsluice.test.outage=10s} for a quicker run). For the first half the processor is not
 * listening at all (connections refused), for the second it answers 503; jobs keep arriving all
 * along. This is the one long test of the suite.
 */
class ProcessorOutageTest {
    private static final Duration OUTAGE = Durations.parse(System.getProperty("sluice.test.outage", "60s"), "sluice.test.outage");

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aProcessorDownForAMinuteLosesNothingAndSeesEveryJob() throws Exception {
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        try (TestServer server = TestServer.start(dataDir);
             Receiver processor = Receiver.start(d -> {
                 accepted.add(d.jobId());
                 return 200;
             })) {
            Hooks hooks = new Hooks(server);
            Created s = hooks.webhook("outage", processor.url(), "'limit':4,'leaseTimeout':'30s',"
                    + "'retry':{'maxAttempts':1000,'initialBackoff':'100ms','maxBackoff':'2s'}", "'timeout':'2s','releaseOnSuccess':true");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(hooks.enqueue(s.name(), "{'before':" + i + "}"));
            }
            hooks.awaitAll(s.name(), ids, "completed", 60);

            // down: not listening, then answering 503; jobs keep coming all along
            processor.stop();
            Instant outageStart = Instant.now();
            Instant halfway = outageStart.plus(OUTAGE.dividedBy(2));
            Instant end = outageStart.plus(OUTAGE);
            boolean refusing = true;
            int n = 0;
            while (Instant.now().isBefore(end)) {
                if (refusing && !Instant.now().isBefore(halfway)) {
                    processor.handler(d -> 503);
                    processor.restart();
                    refusing = false;
                }
                ids.add(hooks.enqueue(s.name(), "{'during':" + n++ + "}"));
                Thread.sleep(Math.max(1, OUTAGE.toMillis() / 40));   // paces the arrivals over the outage
            }
            assertThat(processor.deliveries(s.name()).stream().filter(d -> d.at().isAfter(halfway)))
                    .as("deliveries were tried during the outage").isNotEmpty();
            assertThat(hooks.ids(s.name(), "completed")).as("nothing went through while it was down").hasSize(20);
            assertThat(hooks.ids(s.name(), "dead")).isEmpty();

            // back
            processor.handler(d -> {
                accepted.add(d.jobId());
                return 200;
            });
            hooks.awaitAll(s.name(), ids, "completed", 120);

            assertThat(accepted).as("the processor accepted every job").containsExactlyInAnyOrderElementsOf(ids);
            assertThat(hooks.ids(s.name(), "dead")).isEmpty();
            assertThat(server.state(s.name()).get("waiting").asInt()).isZero();
            assertThat(server.state(s.name()).get("inUse").asInt()).isZero();
            long retried = processor.deliveries(s.name()).stream().mapToInt(Delivery::attempt).filter(a -> a > 1).count();
            assertThat(retried).as("jobs were retried through the outage").isPositive();
        }
    }
}
