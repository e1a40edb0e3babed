package dev.sluice.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A held permit: a lease on one unit of a semaphore's capacity, obtained from
 * {@link Semaphore#tryAcquire()} or {@link Semaphore#acquire(Duration)}.
 *
 * <h2>Keeping the lease</h2>
 * While the permit is held the SDK heartbeats it in the background at about a third of its lease
 * (on the client's single heartbeat scheduler; no thread per permit), so work may take longer than
 * the lease. Should the lease be lost anyway (the server answers a heartbeat with {@code 410} or
 * {@code 404}, or the expiry passes without a successful heartbeat, e.g. during a network
 * partition), {@link #isValid()} turns {@code false} and the listeners registered with
 * {@link #onLost} are called, once. The holder must then assume that another holder may be
 * working: pass {@link #fencingToken()} to the protected resource so that it can reject the
 * stale holder. An untimed permit ({@link #expiresAt()} empty) is never heartbeated and never
 * expires; it is held until released.
 *
 * <h2>Releasing</h2>
 * {@link #close()} and {@link #release()} both release the permit (one {@code DELETE}) and stop
 * the heartbeats. They differ only in how they report a permit that was already lost:
 * <ul>
 *   <li>{@link #release()} throws {@link LeaseExpiredException} (or {@link NotFoundException})
 *       when the server says the lease had expired (or the permit is unknown);</li>
 *   <li>{@link #close()} never throws for a lost lease: loss is reported through
 *       {@link #isValid()} and {@link #onLost} (which also fire when the loss is only discovered by
 *       the release), so that try-with-resources does not turn it into a second failure.</li>
 * </ul>
 * Both throw {@link SluiceTransportException} (or another {@link SluiceException}) when the release
 * could not be carried out; the permit then stays held on the server (until its lease expires, if
 * timed) and a later call retries. Once a release has had a definitive answer, further calls
 * return at once without a request: releasing is idempotent.
 *
 * <p>If the {@link Sluice} client is closed while the permit is held, it releases the permit
 * (best effort) and the permit becomes invalid.
 *
 * <p>Thread-safe.
 */
public final class Permit implements AutoCloseable {
    private final Transport transport;
    private final String semaphore;
    private final String permitId;
    private final long fencingToken;
    private final String channel;
    private final Lease lease;

    private final Object lock = new Object();
    private boolean released;
    private CompletableFuture<Void> releasing;

    private Permit(Transport transport, String semaphore, String permitId, long fencingToken, String channel,
                   Instant expiresAt, Duration requestedLease, long sentNanos) {
        this.transport = transport;
        this.semaphore = semaphore;
        this.permitId = permitId;
        this.fencingToken = fencingToken;
        this.channel = channel;
        String base = "/v1/semaphores/" + Transport.seg(semaphore) + "/permits/" + Transport.seg(permitId);
        this.lease = new Lease(transport, "permit " + permitId + " of " + semaphore, expiresAt, requestedLease,
                sentNanos, timeout -> {
                    ObjectNode body = transport.object();
                    if (requestedLease != null) {
                        body.put("leaseTimeout", requestedLease.toString());
                    }
                    return transport.send("POST", base + "/heartbeat", body, timeout)
                            .thenApply(r -> Json.instant(r.body(), "expiresAt"));
                });
    }

    /** Builds the permit from a 201 answer and starts keeping its lease. */
    static Permit granted(Transport transport, String semaphore, JsonNode body, Duration requestedLease,
                          long sentNanos) {
        String id = Json.required(body, "permitId", 201);
        Long token = Json.longInteger(body, "fencingToken");
        if (token == null) {
            throw Json.invalid(201, "the response lacks \"fencingToken\"");
        }
        String channel = Json.string(body, "channel");
        Permit p = new Permit(transport, semaphore, id, token, channel == null ? "default" : channel,
                Json.instant(body, "expiresAt"), requestedLease, sentNanos);
        transport.track(p);
        p.lease.onLost(e -> transport.untrack(p));
        p.lease.start();
        return p;
    }

    /** The server's id of this permit. */
    public String permitId() {
        return permitId;
    }

    /** The semaphore this permit belongs to. */
    public String semaphore() {
        return semaphore;
    }

    /**
     * The fencing token: strictly increasing per semaphore, so a downstream that remembers the
     * highest token it has seen can reject requests of a holder whose lease was lost.
     */
    public long fencingToken() {
        return fencingToken;
    }

    /** The channel the permit was granted on ({@code default} unless one was asked for). */
    public String channel() {
        return channel;
    }

    /**
     * When the lease expires unless heartbeated, as last reported by the server (heartbeats move
     * it forward); empty for an untimed permit.
     */
    public Optional<Instant> expiresAt() {
        return lease.expiresAt();
    }

    /**
     * Whether the permit is still held as far as this client knows: not released, not reported
     * lost, and (if timed) not past its expiry without a successful heartbeat. Does not block.
     */
    public boolean isValid() {
        synchronized (lock) {
            if (released) {
                return false;
            }
        }
        return lease.isValid();
    }

    /**
     * Registers a listener called once, on the client's callback executor, when the lease is lost
     * (with a {@link LeaseExpiredException} or {@link NotFoundException} saying why); at once if it
     * already was. Never called for a permit that is released normally. Listener exceptions are
     * logged and otherwise ignored.
     *
     * @return this permit
     */
    public Permit onLost(Consumer<? super SluiceException> listener) {
        lease.onLost(listener);
        return this;
    }

    /**
     * Releases the permit. Blocks for one request (bounded by the request timeout).
     *
     * @throws LeaseExpiredException the lease had expired before the release (the server had already reclaimed it)
     * @throws NotFoundException     the server does not know the permit
     * @throws SluiceException       the release could not be carried out; the permit is still held and a later call retries
     */
    public void release() {
        Transport.await(releaseAsync());
    }

    /**
     * Releases the permit asynchronously; see {@link #release()} for the outcomes. Concurrent calls
     * share one request; calls after a definitive answer complete at once, normally.
     */
    public CompletableFuture<Void> releaseAsync() {
        CompletableFuture<Void> f;
        synchronized (lock) {
            if (released) {
                return CompletableFuture.completedFuture(null);
            }
            if (releasing != null) {
                return releasing;
            }
            f = new CompletableFuture<>();
            releasing = f;
        }
        lease.stop();
        String path = "/v1/semaphores/" + Transport.seg(semaphore) + "/permits/" + Transport.seg(permitId);
        transport.send("DELETE", path, null, null).whenComplete((r, err) -> {
            SluiceException e = err == null ? null : Transport.unwrap(err);
            boolean definitive = e == null || e instanceof LeaseExpiredException || e instanceof NotFoundException;
            synchronized (lock) {
                releasing = null;
                released |= definitive;
            }
            if (definitive) {
                transport.untrack(this);
            }
            if (e == null) {
                f.complete(null);
            } else {
                if (definitive) {
                    lease.markLost(e);
                }
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * Hands the permit over instead of releasing it: stops the heartbeats and forgets it, so that
     * neither {@link #close()} nor closing the {@link Sluice} client releases it. It stays held on
     * the server until someone releases it by id ({@link Semaphore#release(String)}), from any
     * process, or its lease runs out. For passing a permit to another process, as
     * {@code sluice acquire} does. Afterwards {@link #isValid()} is {@code false} and
     * {@link #release()} and {@link #close()} do nothing.
     *
     * @return {@code false} if the permit had already been released, lost or detached
     */
    public boolean detach() {
        synchronized (lock) {
            if (released || releasing != null) {
                return false;
            }
            released = true;
        }
        lease.stop();
        transport.untrack(this);
        return !lease.isLost();
    }

    /**
     * Releases the permit like {@link #release()}, but reports a lost lease only through
     * {@link #isValid()} and {@link #onLost}, never by throwing.
     *
     * @throws SluiceException the release could not be carried out (e.g. {@link SluiceTransportException})
     */
    @Override
    public void close() {
        try {
            release();
        } catch (LeaseExpiredException | NotFoundException lostAlready) {
            // reported through isValid() and onLost listeners
        }
    }

    @Override
    public String toString() {
        return "Permit[" + semaphore + "/" + permitId + ", token=" + fencingToken + ", channel=" + channel
                + ", expiresAt=" + lease.expiresAt().map(Instant::toString).orElse("never") + "]";
    }
}
