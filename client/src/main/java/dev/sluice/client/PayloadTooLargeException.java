package dev.sluice.client;

/**
 * HTTP 413 {@code payload_too_large}: the job payload exceeds the server's limit (256 KiB by
 * default). The job was not enqueued.
 */
public class PayloadTooLargeException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public PayloadTooLargeException(Problem problem) {
        super(problem);
    }
}
