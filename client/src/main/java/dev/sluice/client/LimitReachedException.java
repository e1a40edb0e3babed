package dev.sluice.client;

/**
 * HTTP 429 {@code limit_reached}: no permit was free, either now (a try) or before the wait
 * elapsed (a waiting acquire, which has then left the queue). Nothing is held; retrying later is
 * safe.
 */
public class LimitReachedException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public LimitReachedException(Problem problem) {
        super(problem);
    }
}
