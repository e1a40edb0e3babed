package dev.sluice.bench.systems;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

/**
 * Apache Curator's {@code InterProcessSemaphoreV2} on a ZooKeeper server in this JVM (curator-test
 * {@code TestingServer}: a real standalone ZooKeeper with its transaction log on disk). One Curator
 * client (one ZooKeeper session) serves all client threads, each with its own semaphore recipe.
 *
 * <p>The recipe has no try: an acquire first takes a ZooKeeper lock that serialises acquirers, and
 * with a zero wait it gives up whenever another client holds that lock, free capacity or not (at
 * 64 clients nearly every call). So its "try" here waits up to {@link #LOCK_WAIT}; where capacity
 * is never short (try-release) that is a wait for the lock only.
 */
public final class CuratorSubject implements Subject {
    static final Duration LOCK_WAIT = Duration.ofSeconds(5);
    private final TestingServer zookeeper;
    private final CuratorFramework curator;
    private final Map<String, Integer> limits = new ConcurrentHashMap<>();

    private CuratorSubject(TestingServer zookeeper, CuratorFramework curator) {
        this.zookeeper = zookeeper;
        this.curator = curator;
    }

    public static CuratorSubject start() throws Exception {
        System.setProperty("zookeeper.admin.enableServer", "false");   // no AdminServer on port 8080
        TestingServer zookeeper = new TestingServer(true);
        try {
            CuratorFramework curator = CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), 30_000, 10_000,
                    new RetryOneTime(100));
            curator.start();
            if (!curator.blockUntilConnected(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("could not connect to the ZooKeeper test server");
            }
            return new CuratorSubject(zookeeper, curator);
        } catch (Exception e) {
            zookeeper.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return "curator";
    }

    @Override
    public void semaphore(String name, int limit) {
        limits.put(name, limit);
    }

    @Override
    public String notATry() {
        return "acquire takes a ZooKeeper lock first and, with a zero wait, fails while any other client holds it: "
                + "no true try; its blocking acquire is measured under wait";
    }

    @Override
    public Client connect() {
        Map<String, InterProcessSemaphoreV2> recipes = new HashMap<>();
        return new Client() {
            private InterProcessSemaphoreV2 recipe(String name) {
                return recipes.computeIfAbsent(name, n -> new InterProcessSemaphoreV2(curator, "/semaphores/" + n, limits.get(n)));
            }

            @Override
            public Object tryAcquire(String semaphore) throws Exception {
                return recipe(semaphore).acquire(LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public Object acquire(String semaphore, Duration wait) throws Exception {
                return recipe(semaphore).acquire(wait.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void release(String semaphore, Object permit) throws Exception {
                ((Lease) permit).close();
            }
        };
    }

    @Override
    public void close() {
        try {
            curator.close();
        } finally {
            try {
                zookeeper.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
        }
    }
}
