package dev.sluice.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A claimed job: it holds a permit of its semaphore until it is completed or failed, or its lease
 * expires. Handed to a {@link JobHandler} by a {@link Worker}, or returned by
 * {@link Semaphore#claim(int, Duration)}.
 *
 * <p>While the job is unsettled the SDK heartbeats its lease in the background, like a
 * {@link Permit}'s; if the lease is lost anyway, {@link #isValid()} turns false and the
 * {@link #onLost} listeners are called. The handler is not interrupted: it should check
 * {@link #isValid()} before irreversible steps, and pass {@link #fencingToken()} downstream.
 *
 * <p>Settling: the first successful {@link #complete()} or {@link #fail(String, boolean)} settles
 * the job and stops the heartbeats; later calls return at once and do nothing. A call that fails
 * with a transport problem leaves the job unsettled, so it may be retried.
 *
 * <p>Thread-safe.
 */
public final class Job {
    private static final int MAX_ERROR_LENGTH = 4096;

    private final Transport transport;
    private final String semaphore;
    private final String jobId;
    private final JsonNode payload;
    private final String channel;
    private final String permitId;
    private final long fencingToken;
    private final int attempt;
    private final Lease lease;
    private final String path;

    private final Object lock = new Object();
    private boolean settled;
    private CompletableFuture<Void> settling;

    private Job(Transport transport, String semaphore, String jobId, JsonNode payload, String channel,
                String permitId, long fencingToken, int attempt, Instant expiresAt, Duration requestedLease,
                long sentNanos) {
        this.transport = transport;
        this.semaphore = semaphore;
        this.jobId = jobId;
        this.payload = payload;
        this.channel = channel;
        this.permitId = permitId;
        this.fencingToken = fencingToken;
        this.attempt = attempt;
        this.path = "/v1/semaphores/" + Transport.seg(semaphore) + "/jobs/" + Transport.seg(jobId);
        this.lease = new Lease(transport, "job " + jobId + " of " + semaphore, expiresAt, requestedLease, sentNanos,
                timeout -> {
                    ObjectNode body = attemptBody();
                    if (requestedLease != null) {
                        body.put("leaseTimeout", requestedLease.toString());
                    }
                    return transport.send("POST", path + "/heartbeat", body, timeout)
                            .thenApply(r -> Json.instant(r.body(), "expiresAt"));
                });
    }

    /** Builds a job from one element of a claim answer and starts keeping its lease. */
    static Job claimed(Transport transport, String semaphore, JsonNode n, Duration requestedLease, long sentNanos) {
        String id = Json.required(n, "jobId", 200);
        Long token = Json.longInteger(n, "fencingToken");
        String channel = Json.string(n, "channel");
        JsonNode payload = n.get("payload");
        Job job = new Job(transport, semaphore, id,
                payload == null ? tools.jackson.databind.node.MissingNode.getInstance() : payload,
                channel == null ? "default" : channel, Json.string(n, "permitId"), token == null ? 0 : token,
                Json.integer(n, "attempt", 1), Json.instant(n, "expiresAt"), requestedLease, sentNanos);
        job.lease.start();
        return job;
    }

    public String jobId() {
        return jobId;
    }

    public String semaphore() {
        return semaphore;
    }

    /** The payload as enqueued (a JSON {@code null} node if it was null). */
    public JsonNode payload() {
        return payload;
    }

    /**
     * The payload converted with the client's mapper.
     *
     * @throws JacksonException the payload does not fit {@code type}
     */
    public <T> T payload(Class<T> type) {
        return transport.mapper.treeToValue(payload, type);
    }

    /** The payload converted with the client's mapper, for generic types. */
    public <T> T payload(TypeReference<T> type) {
        return transport.mapper.treeToValue(payload, type);
    }

    public String channel() {
        return channel;
    }

    /** The permit this job holds while inflight. */
    public String permitId() {
        return permitId;
    }

    /** The fencing token of the permit this job holds; see {@link Permit#fencingToken()}. */
    public long fencingToken() {
        return fencingToken;
    }

    /** Which attempt this is, 1 for the first. */
    public int attempt() {
        return attempt;
    }

    /** When the lease expires unless heartbeated, as last reported; empty when untimed. */
    public Optional<Instant> expiresAt() {
        return lease.expiresAt();
    }

    /** Whether the job still holds its lease as far as this client knows and is not settled. */
    public boolean isValid() {
        synchronized (lock) {
            if (settled) {
                return false;
            }
        }
        return lease.isValid();
    }

    /** Whether {@link #complete()} or {@link #fail} has taken effect (or found the lease lost). */
    public boolean isSettled() {
        synchronized (lock) {
            return settled;
        }
    }

    /** Registers a listener called once, on the callback executor, when the lease is lost. */
    public Job onLost(Consumer<? super SluiceException> listener) {
        lease.onLost(listener);
        return this;
    }

    /**
     * Completes the job, releasing its permit. Blocks for one request.
     *
     * @throws LeaseExpiredException the lease had expired; the server applies {@code onLeaseExpired}
     * @throws SluiceException       the request failed; the job is still unsettled
     */
    public void complete() {
        Transport.await(completeAsync());
    }

    public CompletableFuture<Void> completeAsync() {
        return settle("/complete", attemptBody());
    }

    /**
     * Fails this attempt, releasing the permit. With {@code retryable} the semaphore's retry
     * policy applies; without, the job goes straight to its exhausted outcome (e.g. dead-letter).
     * Blocks for one request. The error is truncated to 4096 characters.
     *
     * @throws LeaseExpiredException the lease had expired
     * @throws SluiceException       the request failed; the job is still unsettled
     */
    public void fail(String error, boolean retryable) {
        Transport.await(failAsync(error, retryable));
    }

    /** {@code fail(error, true)}. */
    public void fail(String error) {
        fail(error, true);
    }

    public CompletableFuture<Void> failAsync(String error, boolean retryable) {
        String e = Objects.requireNonNullElse(error, "failed");
        ObjectNode body = attemptBody();
        body.put("error", e.length() > MAX_ERROR_LENGTH ? e.substring(0, MAX_ERROR_LENGTH) : e);
        body.put("retryable", retryable);
        return settle("/fail", body);
    }

    private CompletableFuture<Void> settle(String action, JsonNode body) {
        CompletableFuture<Void> f;
        synchronized (lock) {
            if (settled) {
                return CompletableFuture.completedFuture(null);
            }
            if (settling != null) {
                return settling;
            }
            f = new CompletableFuture<>();
            settling = f;
        }
        transport.send("POST", path + action, body, null).whenComplete((r, err) -> {
            SluiceException e = err == null ? null : Transport.unwrap(err);
            settled(e);
            if (e == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * What an answer to settling this job means for it: settled when it was done, or when the
     * server refused it for good (the lease was lost, the job is gone or in another state); a
     * failure to reach the server leaves it unsettled, its lease kept.
     */
    void settled(SluiceException e) {
        boolean definitive = e == null || e instanceof LeaseExpiredException || e instanceof NotFoundException
                || e instanceof ConflictException;
        synchronized (lock) {
            settling = null;
            settled |= definitive;
        }
        if (e instanceof LeaseExpiredException || e instanceof NotFoundException) {
            lease.markLost(e);
        } else if (definitive) {
            lease.stop();
        }
    }

    /** The body of this attempt in a batch completion. */
    ObjectNode completion() {
        ObjectNode n = attemptBody();
        n.put("jobId", jobId);
        return n;
    }

    /**
     * A body naming this attempt's permit: the server then refuses (410) a heartbeat, completion or
     * failure of an attempt that is over, e.g. because the lease ran out and another worker holds
     * the job now, instead of applying it to the new attempt.
     */
    private ObjectNode attemptBody() {
        ObjectNode body = transport.object();
        if (permitId != null) {
            body.put("permitId", permitId);
        }
        return body;
    }

    /** Stops heartbeating without settling: the lease will run out and the server reclaims the job. */
    void abandon() {
        lease.stop();
    }

    @Override
    public String toString() {
        return "Job[" + semaphore + "/" + jobId + ", attempt=" + attempt + ", channel=" + channel
                + ", token=" + fencingToken + "]";
    }
}
