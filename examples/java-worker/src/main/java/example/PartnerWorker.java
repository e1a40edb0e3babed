package example;

import dev.sluice.client.Permit;
import dev.sluice.client.Semaphore;
import dev.sluice.client.SemaphoreConfig;
import dev.sluice.client.Sluice;
import dev.sluice.client.SubmitOptions;
import dev.sluice.client.Worker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Two workers (think: two processes, or two pods) each willing to run 4 jobs at once, in front of
 * a partner API that breaks beyond 3 concurrent calls. The Sluice semaphore, limit 3, is what keeps
 * the partner API safe: it never sees more than 3 calls, although up to 8 handlers could run.
 *
 * <p>Usage: {@code PartnerWorker [jobs] [limit]}; the server is {@code $SLUICE_URL}
 * (default {@code http://localhost:8080}), with the API key {@code $SLUICE_API_KEY} if set.
 */
public final class PartnerWorker {
    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String url = System.getenv().getOrDefault("SLUICE_URL", "http://localhost:8080");

        FakePartnerApi partner = new FakePartnerApi(limit);
        CountDownLatch done = new CountDownLatch(jobs);

        try (Sluice sluice = Sluice.builder().baseUrl(url).apiKey(System.getenv("SLUICE_API_KEY")).build()) {
            Semaphore sem = sluice.semaphore("example-partner-api");
            // Idempotent: creates the semaphore, or resets it to this configuration.
            sem.create(SemaphoreConfig.builder(limit).leaseTimeout(Duration.ofSeconds(30)).build());
            sem.purge(); // leftovers of an earlier run

            // The synchronous way, for one call in a request path: wait up to 5 s for a permit.
            try (Permit permit = sem.acquire(Duration.ofSeconds(5))) {
                System.out.println(partner.charge(0, permit.fencingToken()));
            }

            // The asynchronous way: enqueue durably, let workers process in FIFO order.
            for (int i = 1; i <= jobs; i++) {
                sem.submit(Map.of("order", i), SubmitOptions.defaults().withIdempotencyKey("example-order-" + i));
            }
            System.out.printf("enqueued %d jobs; state: %s%n", jobs, sem.state().state());

            long start = System.nanoTime();
            try (Worker a = startWorker(sluice, partner, done); Worker b = startWorker(sluice, partner, done)) {
                if (!done.await(2, TimeUnit.MINUTES)) {
                    System.out.println("timed out; is the server running at " + url + "?");
                }
            }
            System.out.printf("processed %d jobs in %d ms; partner API: %d calls, peak %d in flight (allowed %d), "
                            + "%d rejected%n",
                    jobs - done.getCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                    partner.calls(), partner.peak(), limit, partner.rejected());
        }
    }

    private static Worker startWorker(Sluice sluice, FakePartnerApi partner, CountDownLatch done) {
        return sluice.worker("example-partner-api", job -> {
                    int order = job.payload().get("order").asInt();
                    String receipt = partner.charge(order, job.fencingToken()); // a throw fails the job (retried)
                    System.out.println(receipt + " [attempt " + job.attempt() + "]");
                    done.countDown();
                })
                .concurrency(4)
                .pollWait(Duration.ofSeconds(5))
                .onError(e -> System.err.println("worker: " + e))
                .start();
    }
}
