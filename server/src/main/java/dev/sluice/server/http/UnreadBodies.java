package dev.sluice.server.http;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * Reads and drops what is left of a request body its answer did not need (a 413 for a body too
 * large, a 401 before the body was looked at, a 404 of a path no route has), so that a client
 * sending it without asking first ({@code Expect: 100-continue}) finishes sending and then reads
 * its answer.
 *
 * <p>A server that closes a connection with request bytes still unread makes its TCP stack send a
 * reset, and a reset can discard an answer the client has not read yet: the client sees "broken
 * pipe" or "connection reset" instead of the problem that says what was wrong. Jetty reads only what
 * has already arrived and closes otherwise, which loses the answer to a body of a few hundred KiB
 * sent at once. Reading the rest costs the server what the client chose to send, so it is bounded
 * by {@link #LIMIT}; past that the connection is closed with the body unread, as before.
 */
public final class UnreadBodies {
    /** The most of an unread body read and dropped; a body declared longer is not read at all. */
    public static final long LIMIT = 8L * 1024 * 1024;

    private UnreadBodies() {}

    /**
     * Reads what is left of the request's body, up to {@link #LIMIT} more, unless there is none or
     * its client has not sent it. A client waiting for 100 Continue is asked for its body only when
     * something starts reading it, and reading now would ask for one the answer does not need: its
     * body is read on only when it was refused as too large while being read ({@code status} 413 for a
     * body declared within {@code maxRequestSize}, or not declared).
     */
    public static void drain(HttpServletRequest request, int status, long maxRequestSize) {
        long declared = request.getContentLengthLong();
        if (declared == 0 || declared > LIMIT || (declared < 0 && request.getHeader("Transfer-Encoding") == null)) {
            return;
        }
        boolean askedForBody = status == 413 && declared <= maxRequestSize;
        if (!askedForBody && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            return;
        }
        try {
            ServletInputStream body = request.getInputStream();
            if (body.isFinished()) {
                return;   // the handler read it all, as almost every request with a body
            }
            byte[] scratch = new byte[16 * 1024];
            long read = 0;
            for (int n; read < LIMIT && (n = body.read(scratch)) != -1; ) {
                read += n;
            }
        } catch (IOException | IllegalStateException gone) {
            // the client went away or the body was taken as a reader: the connection closes, as it would have
        }
    }
}
