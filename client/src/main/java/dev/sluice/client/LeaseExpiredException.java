package dev.sluice.client;

/**
 * HTTP 410 {@code lease_expired}: the permit's or job's lease ran out before this request, and
 * the server has reclaimed it. The holder must assume another holder may now be working, which is
 * what fencing tokens are for. The SDK also creates this exception (with status 0) when it sees a
 * lease pass its expiry without a successful heartbeat.
 */
public class LeaseExpiredException extends SluiceException {
    private static final long serialVersionUID = 1L;

    public LeaseExpiredException(Problem problem) {
        super(problem);
    }
}
