package dev.sluice.client;

/**
 * HTTP 429 {@code paused}: the semaphore or the requested channel is paused, so nothing is
 * granted (jobs are still accepted). Nothing is held.
 */
public class PausedException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public PausedException(Problem problem) {
        super(problem);
    }
}
