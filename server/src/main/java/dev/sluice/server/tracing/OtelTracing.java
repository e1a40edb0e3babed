package dev.sluice.server.tracing;

import dev.sluice.core.Effects;
import dev.sluice.server.Engine;
import dev.sluice.server.http.TraceContext;
import io.javalin.http.Context;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry spans, sent over OTLP/HTTP, made only when an endpoint is configured (otherwise
 * this class is never used, and nothing of OpenTelemetry runs).
 *
 * <ul>
 *   <li>{@code sluice.acquire} and {@code sluice.enqueue}: a server span per request, child of the
 *       request's {@code traceparent}; an acquire that waits in the queue spans its wait.</li>
 *   <li>{@code sluice.wait}: a job's time in the queue, from enqueue (or the end of its backoff) to
 *       its grant; {@code sluice.deliver}: a delivery attempt, from the grant to its end (completed,
 *       failed, lease expired, …). Both are children of the enqueuer's {@code traceparent}, so the
 *       trace crosses the queue.</li>
 * </ul>
 * Spans are made after commit, from the core's changes, with the times the rules recorded.
 */
public final class OtelTracing implements AutoCloseable {
    private static final AttributeKey<String> SEMAPHORE = AttributeKey.stringKey("sluice.semaphore");
    private static final AttributeKey<String> JOB = AttributeKey.stringKey("sluice.job.id");
    private static final AttributeKey<String> CHANNEL = AttributeKey.stringKey("sluice.channel");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("sluice.outcome");
    private static final AttributeKey<Long> ATTEMPT_TOKEN = AttributeKey.longKey("sluice.fencing_token");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(TraceContext.HEADER);
        }

        @Override
        public String get(String carrier, String key) {
            return TraceContext.HEADER.equals(key) ? carrier : null;
        }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private OtelTracing(SdkTracerProvider provider) {
        this.provider = provider;
        this.tracer = provider.get("dev.sluice.server");
    }

    /** Starts exporting to {@code endpoint} (the OTLP/HTTP base URL; {@code /v1/traces} is added). */
    public static OtelTracing start(String endpoint) {
        String url = endpoint.endsWith("/v1/traces") ? endpoint : endpoint.replaceAll("/+$", "") + "/v1/traces";
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(url).build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "sluice"))))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        return new OtelTracing(provider);
    }

    public void install(Engine engine) {
        engine.onCommit(this::committed);
    }

    private void committed(Engine.Committed c) {
        for (Effects.Change change : c.effects().changes()) {
            switch (change) {
                case Effects.Granted g when g.mode() == Effects.AcquireMode.JOB && g.traceparent() != null -> span("sluice.wait",
                        g.traceparent(), g.waitingSince(), g.permit().grantedAt(), Attributes.of(SEMAPHORE, c.semaphore(),
                                JOB, g.entryId(), CHANNEL, g.permit().channel()), null);
                case Effects.AttemptEnded a when a.traceparent() != null && a.permit() != null -> span("sluice.deliver",
                        a.traceparent(), a.permit().grantedAt(), a.at(), Attributes.of(SEMAPHORE, c.semaphore(), JOB, a.jobId(),
                                OUTCOME, a.outcome().wireName(), ATTEMPT_TOKEN, a.permit().fencingToken()),
                        a.outcome() == Effects.AttemptOutcome.COMPLETED ? StatusCode.OK : StatusCode.ERROR);
                default -> { }
            }
        }
    }

    private void span(String name, String traceparent, Instant start, Instant end, Attributes attributes, StatusCode status) {
        Span span = tracer.spanBuilder(name)
                .setParent(W3CTraceContextPropagator.getInstance().extract(io.opentelemetry.context.Context.root(), traceparent, TRACEPARENT))
                .setSpanKind(SpanKind.INTERNAL)
                .setAllAttributes(attributes)
                .setStartTimestamp(start)
                .startSpan();
        if (status != null) {
            span.setStatus(status);
        }
        span.end(end.isBefore(start) ? start : end);
    }

    /** A finished request: acquires and enqueues get a server span, child of their {@code traceparent} if any. */
    public void request(Context ctx, String route, long millis) {
        String name = switch (ctx.method().name() + " " + route) {
            case "POST /v1/semaphores/{name}/permits" -> "sluice.acquire";
            case "POST /v1/semaphores/{name}/jobs" -> "sluice.enqueue";
            default -> null;
        };
        if (name == null) {
            return;
        }
        Instant end = Instant.now();
        String traceparent = TraceContext.traceparent(ctx.header(TraceContext.HEADER));
        var builder = tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(end.minusMillis(millis))
                .setAttribute(ROUTE, route)
                .setAttribute(STATUS, (long) ctx.statusCode())
                .setAttribute(SEMAPHORE, ctx.pathParamMap().getOrDefault("name", ""));
        if (traceparent != null) {
            builder.setParent(W3CTraceContextPropagator.getInstance().extract(io.opentelemetry.context.Context.root(), traceparent, TRACEPARENT));
        } else {
            builder.setNoParent();
        }
        Span span = builder.startSpan();
        span.setAttribute(OUTCOME, ctx.statusCode() < 300 ? "granted" : ctx.statusCode() == 429 ? "rejected" : "error");
        if (ctx.statusCode() >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end(end);
    }

    /** Sends what is left. */
    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
