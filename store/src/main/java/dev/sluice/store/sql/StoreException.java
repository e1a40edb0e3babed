package dev.sluice.store.sql;

/** The store failed (I/O, a full disk, a lost connection): not the caller's fault, answered 503. */
public final class StoreException extends RuntimeException {
    public StoreException(Throwable cause) {
        super(cause.getMessage(), cause);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
