package dev.sluice.client;

/**
 * No HTTP response was received: the connection failed, the request timed out, the client was
 * closed, or the calling thread was interrupted (then its interrupt status is set again). Code
 * {@link ProblemCode#TRANSPORT}, status 0.
 *
 * <p>The request may or may not have reached the server. Releases, heartbeats, completions and
 * enqueues with an idempotency key are safe to retry; see each method for the others.
 */
public class SluiceTransportException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public SluiceTransportException(String message, Throwable cause) {
        super(Problem.of(ProblemCode.TRANSPORT, 0, message), cause);
    }
}
