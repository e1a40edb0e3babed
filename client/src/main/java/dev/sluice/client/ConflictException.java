package dev.sluice.client;

/**
 * HTTP 409 {@code conflict}: the operation does not fit the current state, e.g. deleting a
 * semaphore while permits are held, or requeueing a job that is not in a requeueable state.
 */
public class ConflictException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public ConflictException(Problem problem) {
        super(problem);
    }
}
