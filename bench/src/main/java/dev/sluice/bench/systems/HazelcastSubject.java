package dev.sluice.bench.systems;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cp.ISemaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hazelcast's CP {@code ISemaphore} (Raft-replicated, linearizable) on three embedded members in
 * this JVM, joined over loopback only. Client threads are spread over the members. CP data is held
 * in memory (no CP persistence in the open-source edition). Hazelcast 5.6 and later refuse the CP
 * subsystem without an Enterprise licence, so the harness uses 5.4.
 */
public final class HazelcastSubject implements Subject {
    private static final int MEMBERS = 3;
    private final List<HazelcastInstance> members;
    private final AtomicInteger nextMember = new AtomicInteger();

    private HazelcastSubject(List<HazelcastInstance> members) {
        this.members = members;
    }

    public static HazelcastSubject start() throws Exception {
        System.setProperty("hazelcast.logging.type", "slf4j");   // before the first member: no JUL lines on stderr
        String cluster = "sluice-bench-" + UUID.randomUUID();
        int basePort = Executables.freePort();
        List<CompletableFuture<HazelcastInstance>> starting = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            Config config = new Config();
            config.setClusterName(cluster);
            config.setProperty("hazelcast.phone.home.enabled", "false");
            config.setProperty("hazelcast.logging.type", "slf4j");
            config.setProperty("hazelcast.socket.bind.any", "false");
            config.getNetworkConfig().setPort(basePort).setPortAutoIncrement(true).setPortCount(20);
            config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
            JoinConfig join = config.getNetworkConfig().getJoin();
            join.getMulticastConfig().setEnabled(false);
            join.getAutoDetectionConfig().setEnabled(false);
            for (int p = 0; p < MEMBERS + 2; p++) {
                join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + (basePort + p));
            }
            config.getCPSubsystemConfig().setCPMemberCount(MEMBERS);
            config.getJetConfig().setEnabled(false);
            starting.add(CompletableFuture.supplyAsync(() -> Hazelcast.newHazelcastInstance(config)));
        }
        List<HazelcastInstance> members = new ArrayList<>();
        try {
            for (var f : starting) {
                members.add(f.get(120, TimeUnit.SECONDS));
            }
            for (HazelcastInstance m : members) {
                if (!m.getCPSubsystem().getCPSubsystemManagementService().awaitUntilDiscoveryCompleted(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the CP subsystem did not form");
                }
            }
            return new HazelcastSubject(members);
        } catch (Exception e) {
            members.forEach(HazelcastInstance::shutdown);
            starting.forEach(f -> f.thenAccept(HazelcastInstance::shutdown));
            throw e;
        }
    }

    @Override
    public String id() {
        return "hazelcast";
    }

    /** Each CP semaphore is initialised by its own Raft commit: 100,000 of them would take minutes. */
    @Override
    public int maxSemaphores() {
        return 10_000;
    }

    @Override
    public void semaphore(String name, int limit) {
        ISemaphore s = members.getFirst().getCPSubsystem().getSemaphore(name);
        if (!s.init(limit)) {
            throw new IllegalStateException("semaphore " + name + " exists already");
        }
    }

    @Override
    public Client connect() {
        HazelcastInstance member = members.get(nextMember.getAndIncrement() % members.size());
        return new Client() {
            @Override
            public Object tryAcquire(String semaphore) {
                return member.getCPSubsystem().getSemaphore(semaphore).tryAcquire() ? Boolean.TRUE : null;
            }

            @Override
            public Object acquire(String semaphore, Duration wait) throws InterruptedException {
                return member.getCPSubsystem().getSemaphore(semaphore).tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)
                        ? Boolean.TRUE : null;
            }

            @Override
            public void release(String semaphore, Object permit) {
                member.getCPSubsystem().getSemaphore(semaphore).release();
            }
        };
    }

    @Override
    public void close() {
        members.forEach(m -> {
            try {
                m.getLifecycleService().terminate();
            } catch (RuntimeException ignored) {
                // stopping anyway
            }
        });
    }
}
