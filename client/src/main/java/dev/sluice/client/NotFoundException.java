package dev.sluice.client;

/**
 * HTTP 404 {@code not_found}: the semaphore, permit or job does not exist.
 */
public class NotFoundException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(Problem problem) {
        super(problem);
    }
}
