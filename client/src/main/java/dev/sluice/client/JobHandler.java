package dev.sluice.client;

/**
 * Processes one job for a {@link Worker}. Runs on a virtual thread of its own, while the job holds
 * a permit whose lease the worker heartbeats.
 *
 * <p>Returning normally completes the job; throwing fails it as retryable, with the exception's
 * message as the error, so the semaphore's retry policy applies. To settle a job differently
 * (e.g. fail it as not retryable), call {@link Job#fail(String, boolean)} or
 * {@link Job#complete()} before returning; the worker then leaves it alone.
 */
@FunctionalInterface
public interface JobHandler {
    void handle(Job job) throws Exception;
}
