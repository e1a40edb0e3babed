package dev.sluice.store.sql;

import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.sqlite.SQLiteException;

/** The store failed (I/O, a full disk, a lost connection): not the caller's fault, answered 503. */
public final class StoreException extends RuntimeException {
    /** Asked of a store already closed: the server is stopping. */
    private final boolean closed;

    public StoreException(Throwable cause) {
        this(cause.getMessage(), cause, false);
    }

    public StoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private StoreException(String message, Throwable cause, boolean closed) {
        super(message, cause);
        this.closed = closed;
    }

    /** The store was asked for something after it was closed (the server is stopping). */
    public static StoreException closed() {
        return new StoreException("the store is closed", null, true);
    }

    /**
     * What a client of the API may be told of this failure: its kind, never the driver's own
     * words, which can name hosts, users, files and SQL. The whole message is for the server's log.
     */
    public String publicReason() {
        if (closed) {
            return "the server is stopping";
        }
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLiteException e) {
                String code = e.getResultCode().name();
                if (code.startsWith("SQLITE_FULL")) {
                    return "its disk is full";
                }
                if (code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CANTOPEN")) {
                    return "its disk failed to read or write";
                }
                if (code.startsWith("SQLITE_READONLY")) {
                    return "its file cannot be written";
                }
                if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")) {
                    return "its file is damaged";
                }
            } else if (t instanceof SQLTransientConnectionException) {
                return "the database cannot be reached";   // the pool has no connection to give (whatever the last failure was)
            } else if (t instanceof SQLException e && e.getSQLState() != null) {
                String state = e.getSQLState();
                if (state.startsWith("08")) {
                    return "the database cannot be reached";
                }
                if (state.equals("53100")) {
                    return "the database's disk is full";
                }
                if (state.startsWith("53")) {
                    return "the database is out of resources";
                }
                if (state.startsWith("57P")) {
                    return "the database is restarting or shutting down";
                }
            } else if (t instanceof SocketException) {
                return "the database cannot be reached";
            }
        }
        return "the store failed";
    }
}
