package dev.sluice.server.jobs;

import dev.sluice.core.Claimed;
import dev.sluice.core.Enqueued;
import dev.sluice.core.Limits;
import dev.sluice.core.Names;
import dev.sluice.core.ProblemCode;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.server.Engine;
import dev.sluice.server.security.Actors;
import dev.sluice.server.http.Async;
import dev.sluice.server.http.ConnectionWatch;
import dev.sluice.server.http.Json;
import dev.sluice.server.http.Params;
import dev.sluice.server.http.RefusedItem;
import dev.sluice.server.http.TraceContext;
import dev.sluice.server.http.Views;
import dev.sluice.store.json.Fields;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Async jobs: enqueue, claim, complete, fail, heartbeat, move, cancel, list, redrive, purge, delete. */
public final class JobRoutes {
    private final Engine engine;
    private final ClaimRegistry claims;
    private final int maxPayloadBytes;

    public JobRoutes(Engine engine, ClaimRegistry claims, int maxPayloadBytes) {
        this.engine = engine;
        this.claims = claims;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public void register(RoutesConfig routes) {
        String jobs = "/v1/semaphores/{name}/jobs";
        routes.post(jobs, this::enqueue);
        routes.post(jobs + "/batch", this::enqueueBatch);
        routes.post(jobs + "/claim", this::claim);
        routes.post(jobs + "/complete", this::completeBatch);
        routes.get(jobs, this::list);
        routes.delete(jobs, this::purge);
        routes.get(jobs + "/{id}", this::get);
        routes.delete(jobs + "/{id}", this::delete);
        routes.post(jobs + "/{id}/complete", this::complete);
        routes.post(jobs + "/{id}/fail", this::fail);
        routes.post(jobs + "/{id}/heartbeat", this::heartbeat);
        routes.post(jobs + "/{id}/requeue", ctx -> move(ctx, "requeue"));
        routes.post(jobs + "/{id}/reschedule", ctx -> move(ctx, "reschedule"));
        routes.post(jobs + "/{id}/cancel", ctx -> move(ctx, "cancel"));
        routes.post("/v1/semaphores/{name}/dead-letters/redrive", this::redrive);
    }

    /** A job as a request gives it, validated. */
    private SemaphoreMachine.NewJob newJob(JsonNode body) {
        if (!body.isObject()) {
            throw SluiceException.invalid("a job must be a JSON object");
        }
        Fields.onlyKnown(body, "job", Set.of("payload", "channel", "priority", "idempotencyKey"));
        if (!body.has("payload")) {
            throw SluiceException.invalid("payload is required (any JSON value)");
        }
        String payload = body.get("payload").toString();
        int size = payload.getBytes(StandardCharsets.UTF_8).length;
        if (size > maxPayloadBytes) {
            throw new SluiceException(ProblemCode.PAYLOAD_TOO_LARGE, "payload is " + size + " bytes; the limit is " + maxPayloadBytes);
        }
        String channel = Names.channel(Fields.string(body, "channel", Limits.MAX_CHANNEL_LENGTH));
        Integer priority = Fields.integer(body, "priority", -Limits.MAX_PRIORITY, Limits.MAX_PRIORITY);
        String key = Fields.string(body, "idempotencyKey", Limits.MAX_IDEMPOTENCY_KEY_LENGTH);
        return new SemaphoreMachine.NewJob(payload, channel, priority == null ? 0 : priority, key);
    }

    private void enqueue(Context ctx) {
        String name = Params.semaphore(ctx);
        SemaphoreMachine.NewJob job = newJob(Json.body(ctx));
        String key = job.idempotencyKey();
        String header = ctx.header("Idempotency-Key");
        if (header != null) {
            if (header.isEmpty() || header.length() > Limits.MAX_IDEMPOTENCY_KEY_LENGTH) {
                throw SluiceException.invalid("Idempotency-Key must be 1 to " + Limits.MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
            }
            Fields.storable(header, "Idempotency-Key");
            if (key != null && !key.equals(header)) {
                throw SluiceException.invalid("the Idempotency-Key header and idempotencyKey differ");
            }
            key = header;
        }
        String idempotencyKey = key;
        String traceparent = TraceContext.traceparent(ctx.header(TraceContext.HEADER));
        Async.respond(ctx, engine.apply(name, m -> m.enqueue(job.payload(), job.channel(), job.priority(), idempotencyKey, traceparent)),
                (c, e) -> {
                    ObjectNode n = Views.job(name, e.job(), e.position());
                    n.put("position", e.position());
                    Json.send(c, e.created() ? 202 : 200, n);
                });
    }

    /**
     * Enqueues several jobs in one operation, in the order given: all of them or, when one is
     * refused, none. Each answers as its own enqueue would, without the payload.
     */
    private void enqueueBatch(Context ctx) {
        String name = Params.semaphore(ctx);
        if (ctx.header("Idempotency-Key") != null) {
            throw SluiceException.invalid("a batch takes no Idempotency-Key header: give each job its idempotencyKey");
        }
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "batch body", Set.of("jobs"));
        List<SemaphoreMachine.NewJob> batch = batchOf(body, "jobs", this::newJob);
        String traceparent = TraceContext.traceparent(ctx.header(TraceContext.HEADER));
        Async.respond(ctx, engine.apply(name, m -> m.enqueueEach(batch, traceparent)),
                (c, enqueued) -> {
                    ObjectNode n = Json.object();
                    ArrayNode jobs = n.putArray("jobs");
                    for (Enqueued e : enqueued) {
                        ObjectNode job = jobs.addObject();
                        job.put("jobId", e.job().id());
                        job.put("state", e.job().state().wireName());
                        job.put("position", e.position());
                        job.put("created", e.created());
                    }
                    Json.send(c, enqueued.stream().anyMatch(Enqueued::created) ? 202 : 200, n);
                });
    }

    /**
     * The elements of a batch request's list (1 to {@link Limits#MAX_BATCH}), each read by
     * {@code reader}; a refused one is named by its index.
     */
    private static <T> List<T> batchOf(JsonNode body, String field, Function<JsonNode, T> reader) {
        JsonNode array = body.get(field);
        if (array == null || !array.isArray() || array.isEmpty() || array.size() > Limits.MAX_BATCH) {
            throw SluiceException.invalid(field + " must be an array of 1 to " + Limits.MAX_BATCH + " elements");
        }
        List<T> items = new ArrayList<>(array.size());
        for (JsonNode element : array) {
            items.add(RefusedItem.read(field, items.size(), () -> reader.apply(element)));
        }
        return items;
    }

    private void claim(Context ctx) {
        String name = Params.semaphore(ctx);
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "claim body", Set.of("max", "wait", "leaseTimeout"));
        Integer max = Fields.integer(body, "max", 1, Limits.MAX_CLAIM);
        Duration lease = Fields.duration(body, "leaseTimeout");
        if (lease != null && (lease.compareTo(Limits.MIN_LEASE) < 0 || lease.compareTo(Limits.MAX_LEASE) > 0)) {
            // checked here, not only by the rules: a long-polling claim is served in one pass with the others
            // waiting on the semaphore, and its refusal there would fail them all
            throw SluiceException.invalid("leaseTimeout must be between " + Limits.MIN_LEASE + " and " + Limits.MAX_LEASE
                    + ", got " + lease);
        }
        Duration wait = Fields.duration(body, "wait");
        if (wait != null && wait.compareTo(Limits.MAX_WAIT) > 0) {
            throw SluiceException.invalid("wait must be at most " + Limits.MAX_WAIT);
        }
        CompletableFuture<List<Claimed>> result;
        if (wait == null || wait.isZero()) {
            result = claims.claim(name, max == null ? 1 : max, lease, Duration.ZERO);
        } else {
            ConnectionWatch client = ConnectionWatch.start(ctx);
            result = client.stoppedWhen(claims.claim(name, max == null ? 1 : max, lease, wait, client.closed()));
        }
        Async.respond(ctx, result,
                (c, claimed) -> {
                    ObjectNode n = Json.object();
                    ArrayNode jobs = n.putArray("jobs");
                    for (Claimed job : claimed) {
                        jobs.add(Views.claimed(job));
                    }
                    Json.send(c, 200, n);
                });
    }

    private void get(Context ctx) {
        String name = Params.semaphore(ctx);
        String id = Params.id(ctx, "id");
        Async.respond(ctx, engine.apply(name, m -> m.job(id, true)),
                (c, e) -> Json.send(c, 200, Views.job(name, e.job(), e.position())));
    }

    private void list(Context ctx) {
        String name = Params.semaphore(ctx);
        JobState state = state(ctx.queryParam("state"));
        int limit = Params.pageSize(ctx);
        long after = cursor(ctx.queryParam("cursor"));
        Async.respond(ctx, engine.apply(name, m -> m.jobs(state, after, limit + 1)), (c, page) -> {
            ObjectNode n = Json.object();
            ArrayNode items = n.putArray("items");
            List<JobRecord> shown = page.subList(0, Math.min(limit, page.size()));
            shown.forEach(j -> items.add(Views.job(name, j, 0)));
            n.put("nextCursor", page.size() > limit ? Long.toString(shown.getLast().seq()) : null);
            Json.send(c, 200, n);
        });
    }

    private static final String STATES = "waiting, inflight, completed, failed, dead, cancelled, forwarding or forwarded";

    private static JobState state(String raw) {
        if (raw == null) {
            throw SluiceException.invalid("state is required: " + STATES);
        }
        try {
            return JobState.valueOf(raw.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SluiceException.invalid("state must be " + STATES);
        }
    }

    private static long cursor(String raw) {
        if (raw == null) {
            return 0;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw SluiceException.invalid("cursor must be a nextCursor value from a previous page");
        }
    }

    /** {@code state=waiting} purges the queue; {@code state=dead} empties the dead-letter list. */
    private void purge(Context ctx) {
        String name = Params.semaphore(ctx);
        JobState state = state(ctx.queryParam("state"));
        if (state != JobState.WAITING && state != JobState.DEAD) {
            throw SluiceException.invalid("only waiting or dead jobs can be deleted in bulk: use state=waiting or state=dead");
        }
        Async.respond(ctx, engine.apply(name, Actors.of(ctx), m -> state == JobState.DEAD ? m.deleteDead() : m.purge()), (c, deleted) -> {
            ObjectNode n = Json.object();
            n.put("deleted", deleted);
            Json.send(c, 200, n);
        });
    }

    /** Deletes one dead or finished job; a waiting or inflight one is refused (409: cancel it first). */
    private void delete(Context ctx) {
        String name = Params.semaphore(ctx);
        String id = Params.id(ctx, "id");
        Async.respond(ctx, engine.apply(name, Actors.of(ctx), m -> {
            m.deleteJob(id);
            return true;
        }), (c, ignored) -> c.status(204));
    }

    private void complete(Context ctx) {
        String name = Params.semaphore(ctx);
        String id = Params.id(ctx, "id");
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "complete body", Set.of("permitId"));
        String permitId = Fields.string(body, "permitId", 64);
        Async.respond(ctx, engine.apply(name, m -> {
            m.complete(id, permitId);
            return true;
        }), (c, ignored) -> c.status(204));
    }

    /**
     * Completes several claimed jobs in one operation. Each is completed or refused on its own, as
     * its own {@code complete} would be: a refusal (lease expired, unknown job) leaves the others done.
     */
    private void completeBatch(Context ctx) {
        String name = Params.semaphore(ctx);
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "complete body", Set.of("jobs"));
        List<SemaphoreMachine.Attempt> attempts = batchOf(body, "jobs", job -> {
            if (!job.isObject()) {
                throw SluiceException.invalid("a completion must be an object {jobId, permitId?}");
            }
            Fields.onlyKnown(job, "completion", Set.of("jobId", "permitId"));
            String id = Fields.string(job, "jobId", 64);
            if (id == null || !Params.isId(id)) {
                throw SluiceException.invalid("jobId must be a job id");
            }
            return new SemaphoreMachine.Attempt(id, Fields.string(job, "permitId", 64));
        });
        Async.respond(ctx, engine.apply(name, m -> m.completeEach(attempts)), (c, refusals) -> {
            ObjectNode n = Json.object();
            ArrayNode results = n.putArray("results");
            for (int i = 0; i < attempts.size(); i++) {
                ObjectNode r = results.addObject();
                r.put("jobId", attempts.get(i).jobId());
                SluiceException refused = refusals.get(i);
                if (refused == null) {
                    r.put("outcome", "completed");
                } else {
                    r.put("outcome", refused.code().wireName());
                    r.put("detail", refused.getMessage());
                }
            }
            Json.send(c, 200, n);
        });
    }

    private void fail(Context ctx) {
        String name = Params.semaphore(ctx);
        String id = Params.id(ctx, "id");
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "fail body", Set.of("error", "retryable", "permitId"));
        String error = Fields.string(body, "error", Limits.MAX_ERROR_LENGTH);
        Boolean retryable = Fields.bool(body, "retryable");
        String permitId = Fields.string(body, "permitId", 64);
        Async.respond(ctx, engine.apply(name, m -> {
            m.fail(id, permitId, error == null ? "failed" : error, retryable == null || retryable);
            return true;
        }), (c, ignored) -> c.status(204));
    }

    private void heartbeat(Context ctx) {
        String name = Params.semaphore(ctx);
        String id = Params.id(ctx, "id");
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "heartbeat body", Set.of("leaseTimeout", "permitId"));
        Duration lease = Fields.duration(body, "leaseTimeout");
        String permitId = Fields.string(body, "permitId", 64);
        Async.respond(ctx, engine.apply(name, m -> m.heartbeatJob(id, permitId, lease)), (c, p) -> {
            ObjectNode n = Json.object();
            n.put("jobId", id);
            n.put("permitId", p.id());
            n.put("expiresAt", Json.instant(p.expiresAt()));
            Json.send(c, 200, n);
        });
    }

    private void move(Context ctx, String how) {
        String name = Params.semaphore(ctx);
        String id = Params.id(ctx, "id");
        Async.respond(ctx, engine.apply(name, m -> switch (how) {
            case "requeue" -> m.requeue(id);
            case "reschedule" -> m.reschedule(id);
            default -> m.cancel(id);
        }), (c, job) -> Json.send(c, 200, Views.job(name, job, 0)));
    }

    private void redrive(Context ctx) {
        String name = Params.semaphore(ctx);
        JsonNode body = Json.body(ctx);
        Fields.onlyKnown(body, "redrive body", Set.of("jobIds", "position"));
        List<String> ids = null;
        JsonNode rawIds = body.get("jobIds");
        if (rawIds != null && !rawIds.isNull()) {
            if (!rawIds.isArray() || rawIds.size() > Limits.MAX_REDRIVE_IDS) {
                throw SluiceException.invalid("jobIds must be an array of at most " + Limits.MAX_REDRIVE_IDS + " job ids");
            }
            ids = new ArrayList<>();
            for (JsonNode id : rawIds) {
                ids.add(RefusedItem.read("jobIds", ids.size(), () -> {
                    if (!id.isString() || !Params.isId(id.stringValue())) {
                        throw SluiceException.invalid("not a job id (a string of letters, digits, '.', '_', '-')");
                    }
                    return id.stringValue();
                }));
            }
        }
        String position = Fields.string(body, "position", 16);
        if (position != null && !position.equals("back") && !position.equals("original")) {
            throw SluiceException.invalid("position must be back or original");
        }
        boolean original = "original".equals(position);
        List<String> jobIds = ids;
        Async.respond(ctx, engine.apply(name, Actors.of(ctx), m -> m.redrive(jobIds, original)), (c, n) -> {
            ObjectNode out = Json.object();
            out.put("redriven", n);
            Json.send(c, 200, out);
        });
    }
}
