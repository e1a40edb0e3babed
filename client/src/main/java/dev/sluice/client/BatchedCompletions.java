package dev.sluice.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Completes one semaphore's jobs as they finish, several to a request, as a store's group
 * commit: a job that finishes while no completion is in flight goes at once, alone; those that
 * finish while one is in flight wait for it and then go together, up to {@value #MAX_BATCH} a
 * request ({@link Semaphore#completeAllAsync}). So a busy worker completes many jobs per request
 * and a quiet one adds no delay. Each job's future says what its own completion would have: done,
 * or the job's refusal, or the request's failure (the job is then still unsettled).
 */
final class BatchedCompletions {
    static final int MAX_BATCH = 100;

    private record Entry(Job job, CompletableFuture<Void> done) {}

    private final Semaphore semaphore;
    private final Object lock = new Object();
    /** Guarded by lock: jobs waiting for the request in flight to end. */
    private final List<Entry> waiting = new ArrayList<>();
    private boolean sending;

    BatchedCompletions(Semaphore semaphore) {
        this.semaphore = semaphore;
    }

    CompletableFuture<Void> complete(Job job) {
        Entry entry = new Entry(job, new CompletableFuture<>());
        boolean send;
        synchronized (lock) {
            waiting.add(entry);
            send = !sending;
            sending = true;
        }
        if (send) {
            sendWaiting();
        }
        return entry.done();
    }

    /** Sends what waits, then again when that answer comes, until nothing waits. */
    private void sendWaiting() {
        List<Entry> batch;
        synchronized (lock) {
            if (waiting.isEmpty()) {
                sending = false;
                return;
            }
            List<Entry> first = waiting.subList(0, Math.min(waiting.size(), MAX_BATCH));
            batch = List.copyOf(first);
            first.clear();
        }
        CompletableFuture<Map<Job, SluiceException>> answer;
        try {
            answer = semaphore.completeAllAsync(batch.stream().map(Entry::job).toList());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((refused, failure) -> {
            for (Entry e : batch) {
                SluiceException why = failure != null ? Transport.unwrap(failure) : refused.get(e.job());
                if (why == null) {
                    e.done().complete(null);
                } else {
                    e.done().completeExceptionally(why);
                }
            }
            sendWaiting();
        });
    }
}
