package dev.sluice.client;

/**
 * {@code unsupported}: the server does not offer what was asked for (e.g. a delivery mode or retry
 * outcome this server version lacks). Retrying does not help; use another option or a newer server.
 */
public class UnsupportedException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public UnsupportedException(Problem problem) {
        super(problem);
    }
}
