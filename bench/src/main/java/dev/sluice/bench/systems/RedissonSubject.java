package dev.sluice.bench.systems;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RPermitExpirableSemaphore;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redisson's {@code RPermitExpirableSemaphore} (permits with a lease, released by id, as Sluice's)
 * on a local {@code redis-server} that the harness starts as a child process on a free loopback
 * port, with persistence off: nothing it grants survives a crash. One Redisson client serves all
 * client threads, with a connection pool as large as the clients, as one process would use it.
 */
public final class RedissonSubject implements Subject {
    private final Process redis;
    private final RedissonClient client;

    private RedissonSubject(Process redis, RedissonClient client) {
        this.redis = redis;
        this.client = client;
    }

    /** Why this machine cannot run it, or null. */
    public static String unavailable() {
        return Executables.find("redis-server").isPresent() ? null
                : "redis-server is not installed (Debian: apt-get install redis-server)";
    }

    public static RedissonSubject start(int maxClients) throws Exception {
        Path server = Executables.find("redis-server").orElseThrow(() -> new IllegalStateException(unavailable()));
        int port = Executables.freePort();
        Process redis = new ProcessBuilder(server.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Runtime.getRuntime().addShutdownHook(new Thread(redis::destroyForcibly));
        try {
            awaitPort(port, Duration.ofSeconds(10));
            Config config = new Config();
            config.useSingleServer().setAddress("redis://127.0.0.1:" + port)
                    .setConnectionPoolSize(Math.max(64, maxClients + 8))
                    .setConnectionMinimumIdleSize(Math.max(8, maxClients))
                    .setSubscriptionConnectionPoolSize(Math.max(50, maxClients));
            return new RedissonSubject(redis, Redisson.create(config));
        } catch (Exception e) {
            redis.destroyForcibly();
            throw e;
        }
    }

    private static void awaitPort(int port, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    throw new IOException("redis-server did not listen on port " + port + " within " + timeout, e);
                }
                Thread.sleep(20);
            }
        }
    }

    @Override
    public String id() {
        return "redisson";
    }

    @Override
    public void semaphore(String name, int limit) {
        RPermitExpirableSemaphore s = client.getPermitExpirableSemaphore(name);
        s.delete();
        s.trySetPermits(limit);
    }

    @Override
    public void semaphores(String prefix, int count, int limit) {
        List<org.redisson.api.RFuture<Boolean>> pending = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            pending.add(client.getPermitExpirableSemaphore(prefix + i).trySetPermitsAsync(limit));
            if (pending.size() == 1000) {
                pending.forEach(f -> f.toCompletableFuture().join());
                pending.clear();
            }
        }
        pending.forEach(f -> f.toCompletableFuture().join());
    }

    @Override
    public Client connect() {
        return new Client() {
            @Override
            public Object tryAcquire(String semaphore) throws InterruptedException {
                return client.getPermitExpirableSemaphore(semaphore).tryAcquire(0, LEASE.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public Object acquire(String semaphore, Duration wait) throws InterruptedException {
                return client.getPermitExpirableSemaphore(semaphore).tryAcquire(wait.toMillis(), LEASE.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void release(String semaphore, Object permit) {
                client.getPermitExpirableSemaphore(semaphore).release((String) permit);
            }
        };
    }

    @Override
    public void close() {
        try {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        } finally {
            redis.destroy();
            try {
                if (!redis.waitFor(5, TimeUnit.SECONDS)) {
                    redis.destroyForcibly();
                }
            } catch (InterruptedException e) {
                redis.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
