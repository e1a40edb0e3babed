package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Past the cap, semaphores fold into {@code semaphore="_other"}: bounded series, sums kept. */
class MetricsCardinalityTest {
    @TempDir
    Path dataDir;

    @Test
    void semaphoresPastTheCapAreSummedUnderOther() {
        try (TestServer server = TestServer.start(dataDir, s -> s.withObservability(s.observability().withLabelledSemaphores(2)))) {
            Api api = server.api();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String name = server.semaphore("card", "{'limit':10}");
                names.add(name);
                for (int p = 0; p <= i; p++) {
                    assertThat(api.post("/v1/semaphores/" + name + "/permits").status()).isEqualTo(201);
                }
            }
            // 1+2 permits on the two labelled semaphores, 3+4+5+6 on the four folded ones
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Scrape scrape = Scrape.of(api);
                assertThat(scrape.value("sluice_permits_in_use", "semaphore", names.get(0))).isEqualTo(1);
                assertThat(scrape.value("sluice_permits_in_use", "semaphore", names.get(1))).isEqualTo(2);
                assertThat(scrape.value("sluice_permits_in_use", "semaphore", "_other")).isEqualTo(18);
                assertThat(scrape.value("sluice_permits_limit", "semaphore", "_other")).isEqualTo(40);
                assertThat(scrape.value("sluice_acquires_total", "semaphore", "_other", "mode", "try", "outcome", "granted"))
                        .isEqualTo(18);
                assertThat(scrape.value("sluice_metrics_semaphores_folded")).isEqualTo(4);
                for (String folded : names.subList(2, 6)) {
                    assertThat(scrape.has("sluice_permits_in_use", "semaphore", folded)).isFalse();
                }
                assertThat(scrape.find("sluice_permits_in_use")).hasSize(3);
            });

            // deleting a folded semaphore takes its share out of the sums
            api.delete("/v1/semaphores/" + names.get(5) + "?force=true");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Scrape scrape = Scrape.of(api);
                assertThat(scrape.value("sluice_permits_in_use", "semaphore", "_other")).isEqualTo(12);
                assertThat(scrape.value("sluice_metrics_semaphores_folded")).isEqualTo(3);
            });
        }
    }

    @Test
    void aRestartedNodeStartsItsGaugesFromTheStore() {
        String name;
        try (TestServer server = TestServer.start(dataDir)) {
            name = server.semaphore("restart", "{'limit':7}");
            server.api().post("/v1/semaphores/" + name + "/permits", Api.j("{'leaseTimeout':null}"));
        }
        try (TestServer server = TestServer.start(dataDir)) {
            Scrape scrape = Scrape.of(server.api());
            assertThat(scrape.value("sluice_permits_limit", "semaphore", name)).isEqualTo(7);
            assertThat(scrape.value("sluice_permits_in_use", "semaphore", name)).isEqualTo(1);
        }
    }
}
