package dev.sluice.server.http;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and drops the rest of a request body refused as too large, so that a client that sent it
 * without asking first ({@code Expect: 100-continue}) finishes sending and then reads its 413.
 *
 * <p>A server that closes a connection with request bytes still unread makes its TCP stack send a
 * reset, and a reset can discard an answer the client has not read yet: the client sees "broken
 * pipe" or "connection reset" instead of the problem that says what was wrong. Reading the rest
 * costs the server what the client chose to send, so it is bounded by {@link #LIMIT}; past that the
 * connection is closed with the body unread, as before.
 */
public final class RefusedBodies {
    /** The most of a refused body read and dropped; a body declared longer is not read at all. */
    public static final long LIMIT = 8L * 1024 * 1024;

    private RefusedBodies() {}

    /**
     * Reads what is left of the request's body, up to {@link #LIMIT} more, unless its client
     * has not sent it: one that waits for 100 Continue and declared a body over {@code maxRequestSize}
     * is refused before it is asked for the body, and reading would ask for it.
     */
    public static void drain(HttpServletRequest request, long maxRequestSize) {
        long declared = request.getContentLengthLong();
        boolean neverAsked = declared > maxRequestSize && "100-continue".equalsIgnoreCase(request.getHeader("Expect"));
        if (neverAsked || declared > LIMIT) {
            return;
        }
        byte[] scratch = new byte[16 * 1024];
        long read = 0;
        try {
            InputStream body = request.getInputStream();
            for (int n; read < LIMIT && (n = body.read(scratch)) != -1; ) {
                read += n;
            }
        } catch (IOException | IllegalStateException gone) {
            // the client went away or the body was taken as a reader: the connection closes, as it would have
        }
    }
}
