package dev.sluice.client;

/**
 * HTTP 503: the server cannot reach its store right now. The operation had no effect unless
 * stated otherwise; retrying with backoff is reasonable.
 */
public class StoreUnavailableException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(Problem problem) {
        super(problem);
    }
}
