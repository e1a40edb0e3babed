package dev.sluice.server.metrics;

import io.javalin.config.RoutesConfig;

/** {@code GET /metrics}: Prometheus text format. */
public final class MetricsRoutes {
    private final SluiceMetrics metrics;

    public MetricsRoutes(SluiceMetrics metrics) {
        this.metrics = metrics;
    }

    public void register(RoutesConfig routes) {
        routes.get("/metrics", ctx -> {
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
            ctx.result(metrics.scrape());
        });
    }
}
