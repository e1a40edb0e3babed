package dev.sluice.core;

/**
 * An operation refused by the semaphore's rules. It is thrown before anything is written, so a
 * refused operation leaves no trace in the store.
 */
public class SluiceException extends RuntimeException {
    private final ProblemCode code;

    public SluiceException(ProblemCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ProblemCode code() {
        return code;
    }

    public static SluiceException invalid(String message) {
        return new SluiceException(ProblemCode.INVALID_ARGUMENT, message);
    }

    public static SluiceException notFound(String message) {
        return new SluiceException(ProblemCode.NOT_FOUND, message);
    }

    public static SluiceException conflict(String message) {
        return new SluiceException(ProblemCode.CONFLICT, message);
    }
}
