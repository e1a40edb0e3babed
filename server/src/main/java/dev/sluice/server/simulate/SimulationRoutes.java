package dev.sluice.server.simulate;

import dev.sluice.core.ProblemCode;
import dev.sluice.core.SluiceException;
import dev.sluice.server.http.Async;
import dev.sluice.server.http.Json;
import dev.sluice.sim.ArrivalProcess;
import dev.sluice.sim.Figures;
import dev.sluice.sim.JsonReport;
import dev.sluice.sim.LimitSchedule;
import dev.sluice.sim.Mode;
import dev.sluice.sim.Scenario;
import dev.sluice.sim.SimulationResult;
import dev.sluice.sim.Simulator;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/simulations}: the traffic simulator of {@code sluice simulate}, run on the node
 * for the dashboard's Simulate page. It reads and writes nothing of the node's state; its cost is
 * CPU, so it is bounded three ways: the size of a run ({@link SimulationRequest}), the runs at
 * once ({@value #MAX_RUNNING} per node; more get {@code 429 limit_reached}), and the time an
 * answer is waited for ({@link #TIME_BOUND}; then {@code 429} too). A run goes on a virtual thread
 * of its own, never on a request thread, and holds its place until it really ends, even after
 * its request was answered, so that a slow node does not start more of them.
 */
public final class SimulationRoutes {
    static final int MAX_RUNNING = 2;
    static final Duration TIME_BOUND = Duration.ofSeconds(20);
    /** Shaded burst bands in the answer, at most (as in the HTML report). */
    private static final int MAX_BURSTS = 2000;

    private final AtomicInteger running = new AtomicInteger();
    private final int maxRunning;
    private final Duration timeBound;
    private final Function<SimulationRequest, ObjectNode> runner;

    public SimulationRoutes() {
        this(MAX_RUNNING, TIME_BOUND, SimulationRoutes::run);
    }

    /** Routes with other bounds and another runner (tests: a run that waits for the test). */
    SimulationRoutes(int maxRunning, Duration timeBound, Function<SimulationRequest, ObjectNode> runner) {
        this.maxRunning = maxRunning;
        this.timeBound = timeBound;
        this.runner = runner;
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/simulations", this::simulate);
    }

    private void simulate(Context ctx) {
        SimulationRequest request = SimulationRequest.parse(Json.body(ctx));
        if (running.incrementAndGet() > maxRunning) {
            running.decrementAndGet();
            throw new SluiceException(ProblemCode.LIMIT_REACHED, "this node is already running " + maxRunning
                    + " simulation" + (maxRunning == 1 ? "" : "s") + "; try again in a moment");
        }
        CompletableFuture<ObjectNode> result = new CompletableFuture<>();
        try {
            Thread.ofVirtual().name("sluice-simulation").start(() -> {
                try {
                    result.complete(runner.apply(request));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    running.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            running.decrementAndGet();
            throw e;
        }
        CompletableFuture<ObjectNode> bounded = result.copy().orTimeout(timeBound.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(failure -> {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof TimeoutException) {
                        throw new SluiceException(ProblemCode.LIMIT_REACHED, "the simulation did not finish within "
                                + timeBound.toSeconds() + " s on this node (it is busy); try again, or shorten the duration");
                    }
                    throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
                });
        Async.respond(ctx, bounded, (c, body) -> Json.send(c, 200, body));
    }

    /**
     * Runs the asked modes and answers {@code {scenario, sync, async}}: per mode the figures of
     * {@code sluice simulate --format json} (same keys) plus {@code rejected}, {@code attempts},
     * {@code endTime} and the time {@code series}; the scenario's parameters as the reports show
     * them, its limit steps and its burst bands, for the charts.
     */
    static ObjectNode run(SimulationRequest request) {
        Scenario s = request.scenario();
        SimulationResult sync = request.sync() ? Simulator.run(s, Mode.SYNC) : null;
        SimulationResult async = request.async() ? Simulator.run(s, Mode.ASYNC) : null;
        ObjectNode report = (ObjectNode) Json.parse(JsonReport.render(sync, async, true));
        ObjectNode body = Json.object();
        body.set("scenario", scenario(s, Math.max(endTime(sync), endTime(async))));
        for (SimulationResult r : new SimulationResult[] {sync, async}) {
            if (r != null) {
                ObjectNode mode = (ObjectNode) report.get(r.mode().label());
                Figures f = r.figures();
                mode.put("rejected", f.rejected());
                mode.put("attempts", f.attempts());
                mode.put("endTime", f.endTime());
                body.set(r.mode().label(), mode);
            }
        }
        return body;
    }

    private static double endTime(SimulationResult r) {
        return r == null ? 0 : r.figures().endTime();
    }

    private static ObjectNode scenario(Scenario s, double endTime) {
        ObjectNode n = Json.object();
        n.put("name", s.name());
        n.put("duration", s.duration());
        n.put("retries", s.retries());
        n.put("endTime", endTime);
        n.put("service", s.service().spec());
        n.put("arrivals", s.arrival().describe());
        n.put("limit", s.limit().spec());
        ObjectNode parameters = n.putObject("parameters");
        s.parameters().forEach(parameters::put);
        ArrayNode steps = n.putArray("limitSteps");
        for (LimitSchedule.Step step : s.limit().steps()) {
            steps.addObject().put("at", step.at()).put("limit", step.limit());
        }
        ArrayNode bursts = n.putArray("bursts");
        if (s.arrival() instanceof ArrivalProcess.Spikes sp) {
            for (int k = 0; k < MAX_BURSTS && sp.burstStart(k) < Math.min(endTime, s.duration()); k++) {
                bursts.addArray().add(sp.burstStart(k)).add(Math.min(sp.burstEnd(k), s.duration()));
            }
        }
        return n;
    }
}
