package dev.sluice.server.security;

import dev.sluice.core.Limits;
import dev.sluice.core.SluiceException;
import dev.sluice.core.access.ApiKey;
import dev.sluice.core.access.Scope;
import dev.sluice.server.Engine;
import dev.sluice.server.cluster.Announcements;
import dev.sluice.store.Announced;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys a node accepts: those in the store, plus an admin key given in configuration.
 *
 * <p>Requests are checked against an in-memory copy of the store's keys, so a check costs a hash
 * and a map lookup, not a store round trip. The copy is reloaded after every change made through
 * this node, before the change is answered: a key revoked here is refused by the very next
 * request. A change is also announced to the other nodes sharing the store, with its commit
 * ({@link Announcements#keysChanged()}); a node that hears it ({@link #changedElsewhere}) reloads
 * at once, and every key check from then on waits for a copy loaded after the announcement: a
 * key revoked on node A is refused on node B from B's next request after the announcement
 * reached it. As a fallback for an announcement missed (a break in B's connection is treated
 * as an announcement too), the copy is also reloaded when it is older than {@link #MAX_AGE}: at
 * once for an unknown key (waiting for the reload), in the background for a known one. So an
 * unknown token costs at most one store read per {@link #MAX_AGE}, however many arrive.
 */
public final class KeyRing {
    private static final Logger log = LoggerFactory.getLogger(KeyRing.class);
    /** How stale the copy may get before a request triggers a reload. */
    static final long MAX_AGE = TimeUnit.SECONDS.toNanos(1);
    /** The id under which the configured admin key is listed. */
    public static final String CONFIGURED_ID = "config";

    /**
     * A loaded copy of the store's keys; {@code generation} orders loads by when they were asked for;
     * {@code changesSeen} is how many changes other nodes had announced when it was asked for.
     */
    private record Snapshot(Map<String, ApiKey> byHash, List<ApiKey> keys, long loadedAt, long generation, long changesSeen) {
        boolean isStale() {
            return System.nanoTime() - loadedAt > MAX_AGE;
        }
    }

    /** A key just made, with its secret: shown once, then forgotten. */
    public record Created(ApiKey key, String secret) {
        @Override
        public String toString() {
            return "Created[" + key + "]";
        }
    }

    private final Engine engine;
    private final ApiKey configured;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong generations = new AtomicLong();
    /** Changes of the keys announced by other nodes (or possibly missed): the copy must have been loaded after the last. */
    private final AtomicLong changesAnnounced = new AtomicLong();
    private final AtomicReference<Snapshot> snapshot =
            new AtomicReference<>(new Snapshot(Map.of(), List.of(), System.nanoTime() - 2 * MAX_AGE, 0, 0));
    private final AtomicReference<CompletableFuture<Snapshot>> staleReload = new AtomicReference<>();

    /** @param configuredSecret an admin key from configuration, or null */
    KeyRing(Engine engine, String configuredSecret, Instant now) {
        this.engine = engine;
        this.configured = configuredSecret == null ? null
                : new ApiKey(CONFIGURED_ID, "configured admin key (SLUICE_ADMIN_KEY or --admin-key-file)",
                        Secrets.hash(configuredSecret), List.of(Scope.ADMIN), now);
    }

    /** Loads the store's keys; completes when the copy reflects everything committed before this call. */
    CompletableFuture<Void> load() {
        long changesSeen = changesAnnounced.get();   // before the read: that read sees those changes' commits
        long generation = generations.incrementAndGet();
        return engine.query(q -> q.keys().all()).thenAccept(keys -> {
            Map<String, ApiKey> byHash = new HashMap<>();
            keys.forEach(k -> byHash.put(k.secretHash(), k));
            Snapshot next = new Snapshot(Map.copyOf(byHash), List.copyOf(keys), System.nanoTime(), generation, changesSeen);
            snapshot.accumulateAndGet(next, (current, candidate) -> candidate.generation() > current.generation() ? candidate : current);
        });
    }

    /** Whether any key can be presented: one in the store, or a configured one. */
    boolean hasAnyKey() {
        return configured != null || !snapshot.get().keys().isEmpty();
    }

    /** The key whose secret this is, if it is one; may wait for a reload (see the class comment). */
    Optional<ApiKey> find(String secret) {
        String hash = Secrets.hash(secret);
        if (configured != null && MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
                configured.secretHash().getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of(configured);
        }
        Snapshot s = snapshot.get();
        while (s.changesSeen() < changesAnnounced.get()) {
            s = reloadOnce().join();   // another node changed the keys: only a copy loaded since will do (fails with the store: 503)
        }
        ApiKey key = s.byHash().get(hash);
        if (s.isStale()) {
            CompletableFuture<Snapshot> reload = reloadOnce();
            if (key == null) {
                key = reload.join().byHash().get(hash);   // a key made on another node a moment ago
            }
        }
        return Optional.ofNullable(key);
    }

    /**
     * Another node announced a change of the keys, or announcements may have been missed: reloads
     * now, and until a copy loaded from now on is in, key checks wait for one. Does not block.
     */
    void changedElsewhere() {
        changesAnnounced.incrementAndGet();
        reloadOnce();
    }

    /** One reload at a time for requests that found the copy stale; they all share its result. */
    private CompletableFuture<Snapshot> reloadOnce() {
        while (true) {
            CompletableFuture<Snapshot> running = staleReload.get();
            if (running != null) {
                return running;
            }
            CompletableFuture<Snapshot> mine = new CompletableFuture<>();
            if (staleReload.compareAndSet(null, mine)) {
                load().whenComplete((ignored, failure) -> {
                    staleReload.set(null);
                    if (failure != null) {
                        log.warn("Reloading the API keys failed; the last copy stays in use: {}", failure.getMessage());
                        mine.completeExceptionally(failure);
                    } else {
                        mine.complete(snapshot.get());
                    }
                });
                return mine;
            }
        }
    }

    /** Every key, the configured one first; never a secret. */
    List<ApiKey> all() {
        List<ApiKey> stored = snapshot.get().keys();
        return configured == null ? stored : java.util.stream.Stream.concat(java.util.stream.Stream.of(configured), stored.stream()).toList();
    }

    boolean isConfigured(ApiKey key) {
        return configured != null && configured.id().equals(key.id());
    }

    /** Makes a key; completes once this node accepts it. */
    CompletableFuture<Created> create(String name, List<Scope> scopes) {
        String secret = Secrets.newSecret(random);
        ApiKey key = new ApiKey(Secrets.newKeyId(random), name, Secrets.hash(secret), scopes, engine.now());
        return engine.query(q -> {
            if (q.keys().all().size() >= Limits.MAX_API_KEYS) {
                throw SluiceException.conflict("there are already " + Limits.MAX_API_KEYS + " API keys; revoke some first");
            }
            q.keys().insert(key);
            return new Announcing<>(key);
        }).thenCompose(made -> load().thenApply(ignored -> new Created(made.value(), secret)));
    }

    /** Revokes a key; completes once this node refuses it. */
    CompletableFuture<Void> revoke(String id) {
        if (configured != null && configured.id().equals(id)) {
            return CompletableFuture.failedFuture(SluiceException.conflict("the configured admin key cannot be revoked "
                    + "through the API: remove SLUICE_ADMIN_KEY or --admin-key-file and restart the node"));
        }
        return engine.query(q -> new Announcing<>(q.keys().delete(id))).thenCompose(deleted -> {
            if (!deleted.value()) {
                throw SluiceException.notFound("no API key " + id);
            }
            return load();
        });
    }

    /** The result of a change of the keys: announced to the other nodes with its commit. */
    private record Announcing<T>(T value) implements Announced {
        @Override
        public List<String> announcements() {
            return List.of(Announcements.keysChanged());
        }
    }
}
