package dev.sluice.client;

import java.util.Objects;

/**
 * A request to the Sluice server was refused or could not be made. Unchecked.
 *
 * <p>Every refusal carries the server's {@link Problem}; programs branch on {@link #code()} (see
 * {@link ProblemCode}) or catch one of the subclasses, which exist for the codes a program
 * typically handles. A code this SDK does not know arrives as a plain {@code SluiceException}
 * with that code. Failures without an HTTP response are {@link SluiceTransportException}s.
 *
 * <p>Exceptions thrown by the blocking methods have the caller's stack trace; those delivered
 * through a {@link java.util.concurrent.CompletableFuture} have the stack of the thread that
 * completed it.
 */
public class SluiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Problem problem;

    public SluiceException(Problem problem) {
        super(Objects.requireNonNull(problem, "problem").message());
        this.problem = problem;
    }

    public SluiceException(Problem problem, Throwable cause) {
        super(Objects.requireNonNull(problem, "problem").message(), cause);
        this.problem = problem;
    }

    /** The full problem body. */
    public Problem problem() {
        return problem;
    }

    /** The stable machine-readable code, e.g. {@code limit_reached}; never {@code null}. */
    public String code() {
        return problem.code();
    }

    /** The HTTP status, or {@code 0} when no response was received. */
    public int status() {
        return problem.status();
    }

    /** The server's human-readable detail, or {@code null}. */
    public String detail() {
        return problem.detail();
    }

    @Override
    public String toString() {
        return getClass().getName() + ": [" + code() + (status() > 0 ? " " + status() : "") + "] " + getMessage();
    }

    /**
     * The exception for a problem: the subclass that matches its code, else the one that matches
     * its status, else a plain {@code SluiceException}.
     */
    public static SluiceException of(Problem problem) {
        return switch (problem.code()) {
            case ProblemCode.LIMIT_REACHED -> new LimitReachedException(problem);
            case ProblemCode.PAUSED -> new PausedException(problem);
            case ProblemCode.LEASE_EXPIRED -> new LeaseExpiredException(problem);
            case ProblemCode.NOT_FOUND -> new NotFoundException(problem);
            case ProblemCode.CONFLICT -> new ConflictException(problem);
            case ProblemCode.INVALID_ARGUMENT -> new InvalidArgumentException(problem);
            case ProblemCode.PAYLOAD_TOO_LARGE -> new PayloadTooLargeException(problem);
            case ProblemCode.UNAUTHORIZED -> new UnauthorizedException(problem);
            case ProblemCode.FORBIDDEN -> new ForbiddenException(problem);
            case ProblemCode.STORE_UNAVAILABLE -> new StoreUnavailableException(problem);
            case ProblemCode.UNSUPPORTED -> new UnsupportedException(problem);
            default -> switch (problem.status()) {
                case 401 -> new UnauthorizedException(problem);
                case 403 -> new ForbiddenException(problem);
                case 503 -> new StoreUnavailableException(problem);
                default -> new SluiceException(problem);
            };
        };
    }
}
