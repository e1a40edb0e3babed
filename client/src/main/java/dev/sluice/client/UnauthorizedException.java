package dev.sluice.client;

/**
 * HTTP 401: the request carried no API key, or one the server does not know.
 */
public class UnauthorizedException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public UnauthorizedException(Problem problem) {
        super(problem);
    }
}
