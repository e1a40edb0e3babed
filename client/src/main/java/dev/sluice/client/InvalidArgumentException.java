package dev.sluice.client;

/**
 * HTTP 400 {@code invalid_argument}: the request was malformed or a value was out of range. The
 * server made no change.
 */
public class InvalidArgumentException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(Problem problem) {
        super(problem);
    }
}
