package dev.sluice.server.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.Api;
import dev.sluice.server.Api.Res;
import dev.sluice.server.http.Json;
import dev.sluice.server.http.Problems;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The bounds of {@link SimulationRoutes} that no real run can be made to hit on demand: runs at
 * once, and the time an answer is waited for, with a runner that waits for the test. Over real
 * HTTP on a bare Javalin with the node's problem mapping.
 */
class SimulationRoutesTest {

    private static Javalin serve(SimulationRoutes routes) {
        return Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            routes.register(config.routes);
            config.routes.exception(Exception.class, (e, ctx) -> Problems.handle(e, ctx));
        }).start();
    }

    @Test
    void aRunHoldsItsPlaceUntilItEndsEvenAfterItsAnswerTimedOut() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        SimulationRoutes routes = new SimulationRoutes(1, Duration.ofMillis(500), request -> {
            started.incrementAndGet();
            try {
                finish.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Json.object().put("done", true);
        });
        Javalin app = serve(routes);
        try {
            Api api = new Api(app.port());
            CompletableFuture<Res> first = CompletableFuture.supplyAsync(() -> api.post("/v1/simulations", "{}"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 1);

            Res second = api.post("/v1/simulations", "{}");
            assertThat(second.status()).as(second.toString()).isEqualTo(429);
            assertThat(second.code()).isEqualTo("limit_reached");
            assertThat(second.str("detail")).isEqualTo("this node is already running 1 simulation; try again in a moment");
            assertThat(second.headers().firstValue("Retry-After")).hasValue("1");

            Res timedOut = first.get(30, TimeUnit.SECONDS);
            assertThat(timedOut.status()).as(timedOut.toString()).isEqualTo(429);
            assertThat(timedOut.str("detail")).startsWith("the simulation did not finish within 0 s");
            assertThat(api.post("/v1/simulations", "{}").status()).as("the run still holds its place").isEqualTo(429);
            assertThat(started.get()).isEqualTo(1);

            finish.countDown();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> api.post("/v1/simulations", "{}").status() == 200);
            assertThat(started.get()).isEqualTo(2);
        } finally {
            finish.countDown();
            app.stop();
        }
    }

    @Test
    void badInputIsRefusedBeforeAnyRunStarts() {
        AtomicInteger started = new AtomicInteger();
        Javalin app = serve(new SimulationRoutes(1, Duration.ofSeconds(5), request -> {
            started.incrementAndGet();
            return Json.object();
        }));
        try {
            Res r = new Api(app.port()).post("/v1/simulations", "{\"duration\":\"3h\"}");
            assertThat(r.status()).isEqualTo(400);
            assertThat(started.get()).isZero();
        } finally {
            app.stop();
        }
    }
}
