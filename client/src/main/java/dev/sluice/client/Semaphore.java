package dev.sluice.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A handle on one named semaphore of a Sluice server: configuration, the three ways to acquire
 * (try, wait, async job), and job administration. Obtained from {@link Sluice#semaphore(String)};
 * cheap, stateless and thread-safe, so it may be created per use or shared. Creating a handle
 * does not contact the server and does not create the semaphore.
 *
 * <h2>Blocking and failures</h2>
 * Every method without an {@code Async} suffix blocks the calling thread for one HTTP request,
 * bounded by the client's request timeout, plus — for {@link #acquire(Duration)} and
 * {@link #claim(int, Duration)} — the requested wait. Failures are thrown as unchecked
 * {@link SluiceException}s carrying the server's problem code; requests that got no answer throw
 * {@link SluiceTransportException}. The {@code Async} variants never block; their futures complete
 * exceptionally with the same exceptions. Methods that wait on the server's queue
 * ({@code acquire}, {@code claim}) throw {@link InterruptedException}; the others, if
 * interrupted, throw {@link SluiceTransportException} with the interrupt status set.
 *
 * <h2>Abandoned acquires</h2>
 * If a thread blocked in {@code tryAcquire}/{@code acquire} is interrupted, or the future of an
 * async acquire is cancelled, the request is not aborted: should the server still grant a permit,
 * the SDK releases it at once. Likewise jobs of an abandoned claim are handed back with
 * {@code reschedule}. Nothing is left held by nobody, as long as the client stays open.
 */
public final class Semaphore {
    private final Transport transport;
    private final String name;
    private final String path;

    Semaphore(Transport transport, String name) {
        this.transport = transport;
        this.name = Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a semaphore name must not be empty");
        }
        this.path = "/v1/semaphores/" + Transport.seg(name);
    }

    /** The semaphore's name. */
    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- configuration

    /**
     * Creates the semaphore with this limit, or replaces its configuration with this limit and
     * server defaults for everything else ({@code PUT}). Idempotent: calling it at every start-up
     * is safe, but note that it resets settings changed since (use {@link #setLimit} to change
     * only the limit).
     *
     * @throws InvalidArgumentException the limit is out of range (0 … 1,000,000)
     */
    public SemaphoreView create(int limit) {
        return create(SemaphoreConfig.ofLimit(limit));
    }

    /** Creates the semaphore or replaces its whole configuration ({@code PUT}). Idempotent. */
    public SemaphoreView create(SemaphoreConfig config) {
        return Transport.await(createAsync(config));
    }

    public CompletableFuture<SemaphoreView> createAsync(SemaphoreConfig config) {
        return view("PUT", path, config.toJson(transport.mapper));
    }

    /**
     * What {@link #create(SemaphoreConfig)} would change, without changing anything (a dry run of
     * the {@code PUT}, validated as the {@code PUT} would be). For declarative tools: a config that
     * declares a webhook {@code delivery.secret} is compared with the current secret by the server,
     * which the semaphore's view never shows.
     *
     * @throws InvalidArgumentException the config would be refused
     */
    public ConfigPreview preview(SemaphoreConfig config) {
        return Transport.await(previewAsync(config));
    }

    public CompletableFuture<ConfigPreview> previewAsync(SemaphoreConfig config) {
        return transport.send("PUT", path + "?dryRun=true", config.toJson(transport.mapper), null)
                .thenApply(r -> ConfigPreview.from(r.body(), r.status()));
    }

    /**
     * Changes the limit, leaving the rest of the configuration alone ({@code PATCH}). Takes effect
     * at once: raising it grants waiting work immediately; lowering it revokes nothing.
     *
     * @throws NotFoundException the semaphore does not exist
     */
    public SemaphoreView setLimit(int limit) {
        return Transport.await(setLimitAsync(limit));
    }

    public CompletableFuture<SemaphoreView> setLimitAsync(int limit) {
        ObjectNode patch = transport.object();
        patch.put("limit", limit);
        return view("PATCH", path, patch);
    }

    /**
     * Applies a JSON merge patch (RFC 7396) to the configuration, e.g.
     * {@code Map.of("channelLimit", 2)}; a {@code null} value removes a setting. Values are
     * serialized with the client's mapper (durations as ISO-8601 strings are safest).
     */
    public SemaphoreView update(Map<String, ?> mergePatch) {
        return Transport.await(updateAsync(mergePatch));
    }

    public CompletableFuture<SemaphoreView> updateAsync(Map<String, ?> mergePatch) {
        Objects.requireNonNull(mergePatch, "mergePatch");
        return view("PATCH", path, transport.mapper.valueToTree(mergePatch));
    }

    /**
     * The configuration and live state.
     *
     * @throws NotFoundException the semaphore does not exist
     */
    public SemaphoreView state() {
        return Transport.await(stateAsync());
    }

    public CompletableFuture<SemaphoreView> stateAsync() {
        return view("GET", path, null);
    }

    /** Stops granting on the whole semaphore; enqueues and waits go on. Idempotent. */
    public SemaphoreView pause() {
        return Transport.await(pauseAsync(null));
    }

    /** Stops granting on one channel. Idempotent. */
    public SemaphoreView pause(String channel) {
        return Transport.await(pauseAsync(Objects.requireNonNull(channel, "channel")));
    }

    /** Asynchronous pause of one channel, or of the whole semaphore when {@code channel} is null. */
    public CompletableFuture<SemaphoreView> pauseAsync(String channel) {
        return view("POST", path + "/pause", channelBody(channel));
    }

    /** Restarts granting on the whole semaphore. Idempotent. */
    public SemaphoreView resume() {
        return Transport.await(resumeAsync(null));
    }

    /** Restarts granting on one channel (also one suspended by a retry policy). Idempotent. */
    public SemaphoreView resume(String channel) {
        return Transport.await(resumeAsync(Objects.requireNonNull(channel, "channel")));
    }

    /** Asynchronous resume of one channel, or of the whole semaphore when {@code channel} is null. */
    public CompletableFuture<SemaphoreView> resumeAsync(String channel) {
        return view("POST", path + "/resume", channelBody(channel));
    }

    /**
     * Deletes the semaphore.
     *
     * @throws ConflictException permits are held or jobs wait
     * @throws NotFoundException it does not exist
     */
    public void delete() {
        delete(false);
    }

    /** Deletes the semaphore; with {@code force}, also while permits are held or jobs wait. */
    public void delete(boolean force) {
        Transport.await(deleteAsync(force));
    }

    public CompletableFuture<Void> deleteAsync(boolean force) {
        return transport.send("DELETE", path + (force ? "?force=true" : ""), null, null).thenApply(r -> null);
    }

    // ---------------------------------------------------------------- acquiring

    /**
     * Acquires a permit if one is free now, on the default channel with the default lease. Never
     * waits in the queue: it succeeds only when capacity is free after every eligible waiting
     * entry has been granted.
     *
     * @return the permit, or empty when none was free ({@code limit_reached}) or granting is
     *         paused ({@code paused}); use {@code acquire(Duration.ZERO)} to tell them apart
     * @throws NotFoundException the semaphore does not exist
     */
    public Optional<Permit> tryAcquire() {
        return tryAcquire(AcquireOptions.defaults());
    }

    /** {@link #tryAcquire()} with a channel and/or lease. */
    public Optional<Permit> tryAcquire(AcquireOptions options) {
        return Transport.await(tryAcquireAsync(options));
    }

    public CompletableFuture<Optional<Permit>> tryAcquireAsync() {
        return tryAcquireAsync(AcquireOptions.defaults());
    }

    public CompletableFuture<Optional<Permit>> tryAcquireAsync(AcquireOptions options) {
        CompletableFuture<Optional<Permit>> result = new CompletableFuture<>();
        acquireAsync(Duration.ZERO, options).whenComplete((p, err) -> {
            if (err == null) {
                if (!result.complete(Optional.of(p))) {
                    p.releaseAsync();
                }
                return;
            }
            SluiceException e = Transport.unwrap(err);
            if (e instanceof LimitReachedException || e instanceof PausedException) {
                result.complete(Optional.empty());
            } else {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * Acquires a permit, waiting up to {@code wait} in the server's FIFO queue (behind earlier
     * waiting acquires and jobs). {@code Duration.ZERO} is a try that throws instead of returning
     * empty. The returned permit is heartbeated until released; use it in try-with-resources.
     *
     * @throws LimitReachedException no permit was granted within {@code wait}; the request has left the queue
     * @throws PausedException       granting is paused
     * @throws NotFoundException     the semaphore does not exist
     * @throws InterruptedException  the thread was interrupted while waiting; a permit granted
     *                               after that is released at once
     */
    public Permit acquire(Duration wait) throws InterruptedException {
        return acquire(wait, AcquireOptions.defaults());
    }

    /** {@link #acquire(Duration)} with a channel and/or lease. */
    public Permit acquire(Duration wait, AcquireOptions options) throws InterruptedException {
        return Transport.awaitInterruptibly(acquireAsync(wait, options));
    }

    public CompletableFuture<Permit> acquireAsync(Duration wait) {
        return acquireAsync(wait, AcquireOptions.defaults());
    }

    /**
     * Asynchronous {@link #acquire(Duration, AcquireOptions)}. Cancelling the future gives up the
     * acquire; a permit granted anyway is released at once.
     */
    public CompletableFuture<Permit> acquireAsync(Duration wait, AcquireOptions options) {
        Objects.requireNonNull(wait, "wait");
        Objects.requireNonNull(options, "options");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, got " + wait);
        }
        ObjectNode body = transport.object();
        if (options.channel() != null) {
            body.put("channel", options.channel());
        }
        if (options.leaseTimeout() != null) {
            body.put("leaseTimeout", options.leaseTimeout().toString());
        }
        if (!wait.isZero()) {
            body.put("wait", wait.toString());
        }
        long sent = System.nanoTime();
        CompletableFuture<Permit> result = new CompletableFuture<>();
        transport.send("POST", path + "/permits", body, transport.requestTimeout.plus(wait)).whenComplete((r, err) -> {
            if (err != null) {
                result.completeExceptionally(Transport.unwrap(err));
                return;
            }
            Permit p;
            try {
                p = Permit.granted(transport, name, r.body(), options.leaseTimeout(), sent);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            if (!result.complete(p)) {
                p.releaseAsync(); // nobody is waiting for it any more
            }
        });
        return result;
    }

    /**
     * Releases a permit by its id, e.g. one acquired by another process and handed over (see
     * {@link Permit#detach()}). Idempotent: releasing a released permit succeeds again. To release
     * a {@link Permit} of this client, use {@link Permit#close()}.
     *
     * @throws LeaseExpiredException the lease had expired and the server had reclaimed the permit
     * @throws NotFoundException     the semaphore does not exist, or never issued this permit
     */
    public void release(String permitId) {
        Transport.await(releaseAsync(permitId));
    }

    public CompletableFuture<Void> releaseAsync(String permitId) {
        Objects.requireNonNull(permitId, "permitId");
        return transport.send("DELETE", path + "/permits/" + Transport.seg(permitId), null, null).thenApply(r -> null);
    }

    // ---------------------------------------------------------------- jobs

    /**
     * Enqueues a job; returns once the server has durably accepted it ({@code 202}). The payload is
     * serialized with the client's mapper (a {@link JsonNode}, a {@code Map}, a record…).
     *
     * @throws PayloadTooLargeException the serialized payload exceeds the server's limit
     * @throws NotFoundException        the semaphore does not exist
     * @throws SluiceTransportException no answer: the job may or may not have been enqueued; retry
     *                                  with the same idempotency key to be safe
     */
    public JobRef submit(Object payload) {
        return submit(payload, SubmitOptions.defaults());
    }

    /** Enqueues a job with a channel, priority and/or idempotency key. See {@link #submit(Object)}. */
    public JobRef submit(Object payload, SubmitOptions options) {
        return Transport.await(submitAsync(payload, options));
    }

    public CompletableFuture<JobRef> submitAsync(Object payload) {
        return submitAsync(payload, SubmitOptions.defaults());
    }

    public CompletableFuture<JobRef> submitAsync(Object payload, SubmitOptions options) {
        Objects.requireNonNull(options, "options");
        ObjectNode body = transport.object();
        putJob(body, payload, options);
        return transport.send("POST", path + "/jobs", body, null).thenApply(r -> JobRef.from(r.body(), r.status()));
    }

    /**
     * Enqueues up to 100 jobs in one request and one transaction, in the order given: all of them,
     * or none when one is refused. Far cheaper per job than {@link #submit} one by one.
     *
     * @param payloads each job's payload, serialized as by {@link #submit(Object)}
     * @return what each enqueue answered, in the order given
     * @throws InvalidArgumentException  a job was refused (none was enqueued), or more than 100
     * @throws PayloadTooLargeException  a payload, or the whole request, is over the server's limit
     * @throws SluiceTransportException  no answer: the jobs may or may not have been enqueued
     */
    public List<JobRef> submitAll(List<?> payloads) {
        return submitAll(payloads, SubmitOptions.defaults());
    }

    /**
     * {@link #submitAll(List)} with the channel and priority of {@code options} for every job. An
     * idempotency key names one job, so a batch's options may not carry one: give each job its own
     * with {@link #submitEach}.
     */
    public List<JobRef> submitAll(List<?> payloads, SubmitOptions options) {
        return Transport.await(submitAllAsync(payloads, options));
    }

    public CompletableFuture<List<JobRef>> submitAllAsync(List<?> payloads, SubmitOptions options) {
        Objects.requireNonNull(payloads, "payloads");
        Objects.requireNonNull(options, "options");
        if (options.idempotencyKey() != null) {
            throw new IllegalArgumentException("an idempotency key names one job: give each job its own with submitEach");
        }
        return submitEachAsync(payloads.stream().map(p -> new Submission(p, options)).toList());
    }

    /**
     * Enqueues up to 100 jobs in one request and one transaction, in the order given, each with
     * its own options: all of them, or none when one is refused. A job whose idempotency key was
     * used before (in an earlier request, or earlier in this one) is not enqueued again: its
     * {@link JobRef} is the first job's, marked {@linkplain JobRef#duplicate() duplicate}.
     *
     * @return what each enqueue answered, in the order given
     * @throws InvalidArgumentException  a job was refused (none was enqueued; its index in the list
     *                                   is {@code problem().index()}, and the message starts with
     *                                   {@code jobs[i]:}), or more than 100
     * @throws PayloadTooLargeException  a payload (its job's index is {@code problem().index()}), or
     *                                   the whole request, is over the server's limit
     * @throws SluiceTransportException  no answer: the jobs may or may not have been enqueued; send
     *                                   them again with idempotency keys to be safe
     */
    public List<JobRef> submitEach(List<Submission> jobs) {
        return Transport.await(submitEachAsync(jobs));
    }

    public CompletableFuture<List<JobRef>> submitEachAsync(List<Submission> jobs) {
        Objects.requireNonNull(jobs, "jobs");
        ObjectNode body = transport.object();
        var array = body.putArray("jobs");
        for (Submission job : jobs) {
            putJob(array.addObject(), job.payload(), job.options());
        }
        return transport.send("POST", path + "/jobs/batch", body, null).thenApply(r -> {
            List<JobRef> refs = new ArrayList<>();
            JsonNode arr = Json.field(r.body(), "jobs");
            if (arr != null && arr.isArray()) {
                for (JsonNode n : arr.values()) {
                    refs.add(JobRef.from(n, r.status(), n.path("created").isBoolean() && !n.path("created").asBoolean()));
                }
            }
            return List.copyOf(refs);
        });
    }

    /** A job's payload (serialized with the client's mapper), channel, priority and idempotency key, into {@code job}. */
    private void putJob(ObjectNode job, Object payload, SubmitOptions options) {
        if (payload == null) {
            job.putNull("payload");
        } else {
            job.set("payload", payload instanceof JsonNode node ? node : transport.mapper.valueToTree(payload));
        }
        if (options.channel() != null) {
            job.put("channel", options.channel());
        }
        if (options.priority() != null) {
            job.put("priority", options.priority().intValue());
        }
        if (options.idempotencyKey() != null) {
            job.put("idempotencyKey", options.idempotencyKey());
        }
    }

    /**
     * Completes up to 100 claimed jobs of this semaphore in one request and one transaction. Each
     * is completed or refused on its own, as by its {@link Job#complete()}: a refusal (its lease
     * was lost, it is gone) leaves the others completed, and the job settled and lost.
     *
     * @return the jobs that were refused, with why; empty when all were completed
     * @throws SluiceException the request failed: no job was completed, all are still unsettled
     */
    public Map<Job, SluiceException> completeAll(List<Job> jobs) {
        return Transport.await(completeAllAsync(jobs));
    }

    public CompletableFuture<Map<Job, SluiceException>> completeAllAsync(List<Job> jobs) {
        Objects.requireNonNull(jobs, "jobs");
        ObjectNode body = transport.object();
        var array = body.putArray("jobs");
        for (Job job : jobs) {
            if (!job.semaphore().equals(name)) {
                throw new IllegalArgumentException(job + " is not a job of " + name);
            }
            array.add(job.completion());
        }
        return transport.send("POST", path + "/jobs/complete", body, null).thenApply(r -> {
            JsonNode results = Json.field(r.body(), "results");
            if (results == null || !results.isArray() || results.size() != jobs.size()) {
                throw new SluiceException(Problem.of(ProblemCode.INVALID_RESPONSE, r.status(),
                        "the server answered a batch completion of " + jobs.size() + " jobs with no result for each"));
            }
            Map<Job, SluiceException> refused = new LinkedHashMap<>();
            for (int i = 0; i < jobs.size(); i++) {
                JsonNode result = results.get(i);
                String outcome = Json.string(result, "outcome");
                SluiceException e = "completed".equals(outcome) ? null : SluiceException.of(Problem.of(
                        outcome == null ? ProblemCode.INVALID_RESPONSE : outcome, r.status(), Json.string(result, "detail")));
                jobs.get(i).settled(e);
                if (e != null) {
                    refused.put(jobs.get(i), e);
                }
            }
            return refused;
        });
    }

    /**
     * Claims up to {@code max} jobs, waiting up to {@code wait} for the first (a long poll), with
     * the semaphore's default lease. Each returned job holds a permit and is heartbeated until
     * settled; the caller must {@link Job#complete()} or {@link Job#fail} each one. Most programs
     * use a {@link Worker} instead.
     *
     * @return the jobs, empty when none was granted within {@code wait}
     */
    public List<Job> claim(int max, Duration wait) throws InterruptedException {
        return claim(max, wait, null);
    }

    /** {@link #claim(int, Duration)} asking for {@code leaseTimeout} (null: the semaphore's default). */
    public List<Job> claim(int max, Duration wait, Duration leaseTimeout) throws InterruptedException {
        return Transport.awaitInterruptibly(claimAsync(max, wait, leaseTimeout));
    }

    /**
     * Asynchronous claim. Cancelling the future gives up the claim: jobs granted anyway are handed
     * back with {@code reschedule} (best effort; otherwise their leases run out).
     */
    public CompletableFuture<List<Job>> claimAsync(int max, Duration wait, Duration leaseTimeout) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive, got " + max);
        }
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, got " + wait);
        }
        ObjectNode body = transport.object();
        body.put("max", max);
        body.put("wait", wait.toString());
        if (leaseTimeout != null) {
            body.put("leaseTimeout", leaseTimeout.toString());
        }
        long sent = System.nanoTime();
        CompletableFuture<List<Job>> result = new CompletableFuture<>();
        transport.send("POST", path + "/jobs/claim", body, transport.requestTimeout.plus(wait))
                .whenComplete((r, err) -> {
                    if (err != null) {
                        result.completeExceptionally(Transport.unwrap(err));
                        return;
                    }
                    List<Job> jobs;
                    try {
                        jobs = parseJobs(r.body(), leaseTimeout, sent);
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                        return;
                    }
                    if (!result.complete(jobs)) {
                        jobs.forEach(this::handBack);
                    }
                });
        return result;
    }

    private List<Job> parseJobs(JsonNode body, Duration leaseTimeout, long sent) {
        JsonNode arr = Json.field(body, "jobs");
        List<Job> jobs = new ArrayList<>();
        if (arr != null && arr.isArray()) {
            for (JsonNode n : arr.values()) {
                jobs.add(Job.claimed(transport, name, n, leaseTimeout, sent));
            }
        }
        return List.copyOf(jobs);
    }

    /** Gives an unwanted claimed job back to the queue at its original position (best effort). */
    void handBack(Job job) {
        job.abandon();
        transport.send("POST", path + "/jobs/" + Transport.seg(job.jobId()) + "/reschedule", transport.object(), null)
                .whenComplete((r, err) -> {
                    if (err != null) {
                        Transport.LOG.log(System.Logger.Level.DEBUG, () -> "could not hand back " + job
                                + "; its lease will run out: " + Transport.unwrap(err));
                    }
                });
    }

    /**
     * The job's current view.
     *
     * @throws NotFoundException no such job
     */
    public JobView job(String jobId) {
        return Transport.await(jobAsync(jobId));
    }

    public CompletableFuture<JobView> jobAsync(String jobId) {
        return jobOp("GET", jobId, "", null);
    }

    /** The first page of jobs in {@code state}, in the server's default page size. */
    public Page<JobView> jobs(JobState state) {
        return jobs(state, 0, null);
    }

    /**
     * One page of jobs in {@code state}.
     *
     * @param limit  the page size, or 0 for the server's default
     * @param cursor the {@link Page#nextCursor()} of the previous page, or {@code null} for the first
     */
    public Page<JobView> jobs(JobState state, int limit, String cursor) {
        return Transport.await(jobsAsync(state, limit, cursor));
    }

    public CompletableFuture<Page<JobView>> jobsAsync(JobState state, int limit, String cursor) {
        Objects.requireNonNull(state, "state");
        String q = Pages.query("state=" + state.wireName(), limit, cursor);
        return transport.send("GET", path + "/jobs" + q, null, null)
                .thenApply(r -> Pages.parse(r.body(), r.status(), JobView::from));
    }

    /** All jobs in {@code state}, fetching pages lazily as the stream is consumed. */
    public Stream<JobView> allJobs(JobState state) {
        return Pages.stream(cursor -> jobs(state, 0, cursor));
    }

    /**
     * Cancels a job; a held permit is released.
     *
     * @throws ConflictException it is already finished
     */
    public JobView cancel(String jobId) {
        return Transport.await(jobOp("POST", jobId, "/cancel", transport.object()));
    }

    /**
     * Moves a job to the back of the queue.
     *
     * @throws ConflictException wrong state
     */
    public JobView requeue(String jobId) {
        return Transport.await(jobOp("POST", jobId, "/requeue", transport.object()));
    }

    /**
     * Moves a job back to its original position.
     *
     * @throws ConflictException wrong state
     */
    public JobView reschedule(String jobId) {
        return Transport.await(jobOp("POST", jobId, "/reschedule", transport.object()));
    }

    /**
     * Redrives every dead job back to waiting, at the server's default position.
     *
     * @return how many were redriven
     */
    public int redrive() {
        return redrive(null, null);
    }

    /**
     * Redrives dead jobs back to waiting.
     *
     * @param jobIds   the jobs, or {@code null} for all dead jobs
     * @param position where they re-enter, or {@code null} for the server's default (back)
     * @return how many were redriven
     */
    public int redrive(List<String> jobIds, RedrivePosition position) {
        return Transport.await(redriveAsync(jobIds, position));
    }

    public CompletableFuture<Integer> redriveAsync(List<String> jobIds, RedrivePosition position) {
        ObjectNode body = transport.object();
        if (jobIds != null) {
            jobIds.forEach(body.putArray("jobIds")::add);
        }
        if (position != null) {
            body.put("position", Json.wire(position));
        }
        return transport.send("POST", path + "/dead-letters/redrive", body, null).thenApply(r -> count(r.body(), "redriven"));
    }

    /**
     * Deletes every waiting job.
     *
     * @return how many were deleted
     */
    public int purge() {
        return Transport.await(purgeAsync());
    }

    public CompletableFuture<Integer> purgeAsync() {
        return transport.send("DELETE", path + "/jobs?state=waiting", null, null).thenApply(r -> count(r.body(), "deleted"));
    }

    // ---------------------------------------------------------------- helpers

    private static int count(JsonNode body, String field) {
        JsonNode v = Json.field(body, field);
        if (v != null && v.isArray()) {
            return v.size();
        }
        return Json.integer(body, field, 0);
    }

    private CompletableFuture<JobView> jobOp(String method, String jobId, String action, JsonNode body) {
        Objects.requireNonNull(jobId, "jobId");
        return transport.send(method, path + "/jobs/" + Transport.seg(jobId) + action, body, null)
                .thenApply(r -> JobView.from(r.body(), r.status()));
    }

    private CompletableFuture<SemaphoreView> view(String method, String p, JsonNode body) {
        return transport.send(method, p, body, null).thenApply(r -> SemaphoreView.from(r.body(), r.status()));
    }

    private ObjectNode channelBody(String channel) {
        ObjectNode body = transport.object();
        if (channel != null) {
            body.put("channel", channel);
        }
        return body;
    }

    @Override
    public String toString() {
        return "Semaphore[" + name + " @ " + transport.baseUrl() + "]";
    }

    /** Paging helpers shared with {@link Sluice}. */
    static final class Pages {
        private Pages() {
        }

        static String query(String first, int limit, String cursor) {
            if (limit < 0) {
                throw new IllegalArgumentException("limit must not be negative, got " + limit);
            }
            StringBuilder q = new StringBuilder();
            if (first != null) {
                q.append('&').append(first);
            }
            if (limit > 0) {
                q.append("&limit=").append(limit);
            }
            if (cursor != null) {
                q.append("&cursor=").append(Transport.seg(cursor));
            }
            return q.isEmpty() ? "" : "?" + q.substring(1);
        }

        static <T> Page<T> parse(JsonNode body, int status, java.util.function.BiFunction<JsonNode, Integer, T> item) {
            JsonNode arr = Json.field(body, "items");
            List<T> items = new ArrayList<>();
            if (arr != null && arr.isArray()) {
                for (JsonNode n : arr.values()) {
                    items.add(item.apply(n, status));
                }
            }
            return new Page<>(items, Json.string(body, "nextCursor"));
        }

        static <T> Stream<T> stream(Function<String, Page<T>> fetch) {
            record Step<T>(Page<T> page, boolean last) {
            }
            Page<T> first = fetch.apply(null);
            return Stream.iterate(new Step<>(first, false), s -> !s.last(),
                            s -> s.page().hasMore() ? new Step<>(fetch.apply(s.page().nextCursor()), false)
                                    : new Step<>(s.page(), true))
                    .flatMap(s -> s.page().items().stream());
        }
    }
}
