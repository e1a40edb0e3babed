package dev.sluice.client;

/**
 * HTTP 403: the API key is not allowed this action on this semaphore.
 */
public class ForbiddenException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(Problem problem) {
        super(problem);
    }
}
