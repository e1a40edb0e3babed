package dev.sluice.server.events;

import dev.sluice.core.Effects;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.server.Engine;
import dev.sluice.server.http.Json;
import dev.sluice.store.json.ConfigCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.node.ObjectNode;

/**
 * The state changes of semaphores, as events for {@code GET /v1/semaphores/{name}/events}.
 *
 * <p>Events are made from the commits of this node, in commit order per semaphore (the engine's
 * in-order listener), so a subscriber sees them in the order they happened. Each semaphore that
 * has or recently had a subscriber keeps a <em>topic</em>: a bounded ring of its recent events,
 * each with an id ({@code <epoch>-<n>}), so that a client that reconnects with
 * {@code Last-Event-ID} is sent what it missed. A semaphore nobody watches costs nothing: its
 * commits make no events. A topic with no subscriber for {@link #TOPIC_IDLE} is dropped.
 *
 * <p>Publishing never blocks: it appends to the ring and offers the event to each subscriber's
 * bounded queue; a subscriber that falls too far behind is disconnected (see {@link Subscriber}).
 */
public final class EventHub implements AutoCloseable {
    static final Duration TOPIC_IDLE = Duration.ofMinutes(5);
    static final Duration KEEPALIVE = Duration.ofSeconds(15);

    private final int ringSize;
    private final Clock clock;
    /** Distinguishes this process's event ids from those of an earlier one. */
    private final String epoch = Long.toString(System.currentTimeMillis(), 36);
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
    private final AtomicLong dropped = new AtomicLong();
    /** Event numbers, node-wide, so that a topic made again never reuses the number of an earlier event. */
    private final AtomicLong numbers = new AtomicLong();
    private final ScheduledExecutorService keeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sluice-events-keeper").daemon().factory());

    public EventHub(int ringSize, Clock clock) {
        this.ringSize = ringSize;
        this.clock = clock;
        keeper.scheduleWithFixedDelay(this::keepAlive, KEEPALIVE.toMillis(), KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void install(Engine engine) {
        engine.onCommitInOrder(this::committed);
        engine.onRefusal(this::refused);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Subscribers disconnected because they fell too far behind. */
    public long droppedSubscribers() {
        return dropped.get();
    }

    /** One event: its id, the commit it came from, and its frame as written on the stream. */
    record Event(long n, long sequence, String frame) {}

    /** A semaphore's recent events and its subscribers. */
    final class Topic {
        final String semaphore;
        final ArrayDeque<Event> ring = new ArrayDeque<>();
        final Set<Subscriber> subs = new CopyOnWriteArraySet<>();
        /** The number of the last event published. */
        long lastN;
        /** Events numbered up to here are not in the ring: evicted, or from before this topic. */
        long floor;
        long lastSequence;
        long[] lastState;
        Instant idleSince;

        Topic(String semaphore) {
            this.semaphore = semaphore;
            this.idleSince = clock.instant();
            this.floor = numbers.incrementAndGet();   // above every number a client may hold from an earlier topic
            this.lastN = floor;
        }

        synchronized void publish(String type, long sequence, ObjectNode data) {
            lastN = numbers.incrementAndGet();
            String id = epoch + "-" + lastN;
            data.put("type", type);
            data.put("semaphore", semaphore);
            Event e = new Event(lastN, sequence, "id: " + id + "\nevent: " + type + "\ndata: " + data + "\n\n");
            ring.addLast(e);
            if (ring.size() > ringSize) {
                floor = ring.removeFirst().n();
            }
            for (Subscriber s : subs) {
                s.offer(e);
            }
        }

        /**
         * Registers a subscriber. With {@code afterN} in the ring, it is given the events after it
         * and answers true; else it will get a snapshot first and answers false.
         */
        synchronized boolean add(Subscriber s, long afterN) {
            subs.add(s);
            idleSince = null;
            if (afterN < floor || afterN > lastN) {
                return false;   // what came after it is no longer known
            }
            for (Event e : ring) {
                if (e.n() > afterN) {
                    s.offer(e);
                }
            }
            return true;
        }

        synchronized void remove(Subscriber s) {
            subs.remove(s);
            if (subs.isEmpty()) {
                idleSince = clock.instant();
            }
        }

        synchronized boolean idleLongerThan(Duration d, Instant now) {
            return subs.isEmpty() && idleSince != null && idleSince.plus(d).isBefore(now);
        }
    }

    /**
     * Starts a subscription: registers {@code s} on the semaphore's topic, resuming after
     * {@code lastEventId} when the ring still holds what came after it. Answers whether it
     * resumed; if not, the caller sends a snapshot first ({@link Subscriber#snapshot}).
     */
    public boolean subscribe(String semaphore, Subscriber s, String lastEventId) {
        subscribers.add(s);
        Topic t = topics.computeIfAbsent(semaphore, Topic::new);
        s.onClose(() -> {
            subscribers.remove(s);
            t.remove(s);
        });
        return t.add(s, afterN(lastEventId));
    }

    /** The event number of a {@code Last-Event-ID} of this process, or -1. */
    private long afterN(String lastEventId) {
        if (lastEventId == null || !lastEventId.startsWith(epoch + "-")) {
            return -1;
        }
        try {
            return Long.parseLong(lastEventId.substring(epoch.length() + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void committed(Engine.Committed c) {
        Topic t = topics.get(c.semaphore());
        if (t == null) {
            return;
        }
        synchronized (t) {
            t.lastSequence = c.sequence();
            Instant at = clock.instant();   // just after the commit
            ObjectNode state = c.state() == null ? null : state(c.state());
            long[] stateKey = c.state() == null ? null : key(c.state());
            int published = 0;
            for (Effects.Change change : c.effects().changes()) {
                ObjectNode data = describe(change);
                if (data == null) {
                    continue;
                }
                String type = data.get("type").asString();
                data.put("at", Json.instant(at));
                if (change instanceof Effects.Reconfigured || change instanceof Effects.ChannelPaused
                        || change instanceof Effects.Deleted || change instanceof Effects.Redriven
                        || change instanceof Effects.Purged || change instanceof Effects.JobsDeleted) {
                    data.put("actor", c.actor());
                }
                if (state != null) {
                    data.set("state", state);
                }
                t.publish(type, c.sequence(), data);
                published++;
            }
            if (published == 0 && stateKey != null && t.lastState != null && !java.util.Arrays.equals(stateKey, t.lastState)) {
                ObjectNode data = Json.object();
                data.put("at", Json.instant(at));
                data.set("state", state);
                t.publish("state", c.sequence(), data);   // e.g. waits that the timekeeper ended
            }
            if (stateKey != null) {
                t.lastState = stateKey;
            }
        }
    }

    private void refused(Engine.Refused r) {
        Topic t = topics.get(r.semaphore());
        if (t == null) {
            return;
        }
        synchronized (t) {
            ObjectNode data = Json.object();
            data.put("mode", r.rejection().mode().wireName());
            data.put("reason", r.rejection().reason().wireName());
            data.put("at", Json.instant(clock.instant()));
            t.publish("rejected", t.lastSequence + 1, data);   // after the state a snapshot may hold
        }
    }

    /** The event of a change: its type (in field {@code type}) and details, or null for none. */
    static ObjectNode describe(Effects.Change change) {
        ObjectNode n = Json.object();
        switch (change) {
            case Effects.Granted g -> {
                n.put("type", "granted");
                n.put("mode", g.mode().wireName());
                n.put("permitId", g.permit().id());
                n.put("fencingToken", g.permit().fencingToken());
                n.put("channel", g.permit().channel());
                if (g.mode() == Effects.AcquireMode.JOB) {
                    n.put("jobId", g.entryId());
                }
            }
            case Effects.Rejected r -> {
                n.put("type", "rejected");
                n.put("mode", r.mode().wireName());
                n.put("reason", r.reason().wireName());
            }
            case Effects.Queued q -> {
                n.put("type", "enqueued");
                n.put("mode", q.mode().wireName());
                n.put("channel", q.channel());
                if (q.mode() == Effects.AcquireMode.JOB) {
                    n.put("jobId", q.entryId());
                }
            }
            case Effects.Released r -> {
                n.put("type", "released");
                n.put("permitId", r.permit().id());
                n.put("channel", r.permit().channel());
            }
            case Effects.Expired e -> {
                n.put("type", "expired");
                n.put("permitId", e.permit().id());
                n.put("channel", e.permit().channel());
                n.put("jobId", e.jobId());
            }
            case Effects.AttemptEnded a -> {
                n.put("type", "attempt");
                n.put("jobId", a.jobId());
                n.put("outcome", a.outcome().wireName());
            }
            case Effects.DeadLettered d -> {
                n.put("type", "dead");
                n.put("jobId", d.jobId());
                n.put("error", d.error());
            }
            case Effects.Redriven r -> {
                n.put("type", "redriven");
                n.put("count", r.count());
            }
            case Effects.Purged p -> {
                n.put("type", "purged");
                n.put("count", p.count());
            }
            case Effects.JobsDeleted d -> {
                n.put("type", "jobs-deleted");
                n.put("jobState", d.state().wireName());   // "state" is the semaphore's counts
                n.put("count", d.count());
            }
            case Effects.ChannelPaused p -> {
                n.put("type", p.paused() ? "paused" : "resumed");
                n.put("channel", p.channel());
            }
            case Effects.Deleted d -> n.put("type", "deleted");
            case Effects.Reconfigured r -> {
                SemaphoreConfig before = r.before();
                SemaphoreConfig after = r.after();
                if (before == null) {
                    n.put("type", "created");
                } else if (before.paused() != after.paused()
                        && before.withPaused(after.paused()).equals(after)) {
                    n.put("type", after.paused() ? "paused" : "resumed");
                    n.putNull("channel");
                } else if (before.limit() != after.limit() && before.withLimit(after.limit()).equals(after)) {
                    n.put("type", "limit");
                    n.put("before", before.limit());
                    n.put("after", after.limit());
                } else {
                    n.put("type", "configured");
                    n.set("before", ConfigCodec.toJson(before));
                }
                n.set("config", ConfigCodec.toJson(after));
            }
            default -> {
                return null;   // changes added later get an event when someone gives them one
            }
        }
        return n;
    }

    static ObjectNode state(SemaphoreRecord s) {
        ObjectNode n = Json.object();
        n.put("inUse", s.inUse());
        n.put("limit", s.config().limit());
        n.put("waiting", s.waiting());
        n.put("inflight", s.inflight());
        n.put("dead", s.dead());
        n.put("paused", s.config().paused());
        return n;
    }

    private static long[] key(SemaphoreRecord s) {
        return new long[] {s.inUse(), s.config().limit(), s.waiting(), s.inflight(), s.dead(), s.config().paused() ? 1 : 0};
    }

    void dropped() {
        dropped.incrementAndGet();
    }

    private void keepAlive() {
        Instant now = clock.instant();
        for (Subscriber s : subscribers) {
            s.comment("keepalive");
        }
        List<String> idle = new ArrayList<>();
        topics.forEach((name, t) -> {
            if (t.idleLongerThan(TOPIC_IDLE, now)) {
                idle.add(name);
            }
        });
        idle.forEach(name -> topics.computeIfPresent(name, (k, t) -> t.idleLongerThan(TOPIC_IDLE, now) ? null : t));
    }

    @Override
    public void close() {
        keeper.shutdownNow();
        subscribers.forEach(Subscriber::close);
    }
}
