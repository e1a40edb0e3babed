package dev.sluice.bench.systems;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** The in-process ceiling: {@link Semaphore} (fair, as Sluice is FIFO), no I/O, no durability. */
public final class JdkSemaphoreSubject implements Subject {
    private static final Object PERMIT = new Object();
    private final Map<String, Semaphore> semaphores = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "jdk-semaphore";
    }

    @Override
    public void semaphore(String name, int limit) {
        semaphores.put(name, new Semaphore(limit, true));
    }

    @Override
    public Client connect() {
        return new Client() {
            @Override
            public Object tryAcquire(String semaphore) {
                return semaphores.get(semaphore).tryAcquire() ? PERMIT : null;
            }

            @Override
            public Object acquire(String semaphore, Duration wait) throws InterruptedException {
                return semaphores.get(semaphore).tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS) ? PERMIT : null;
            }

            @Override
            public void release(String semaphore, Object permit) {
                semaphores.get(semaphore).release();
            }
        };
    }

    @Override
    public void close() {
        semaphores.clear();
    }
}
