package dev.sluice.server.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when the client of a request that waits (a wait for a permit, a long-polling claim)
 * closes its connection, so that what it waits for is given up at once rather than at its
 * deadline.
 *
 * <p>Jetty notices a closed connection only when it reads or writes it, and while a request is
 * answered asynchronously (its body read, its answer not yet written) it does neither. So the
 * watch registers a read interest of its own on the connection's end point, and reads when the
 * end point is readable: an HTTP/1.1 client waiting for its answer sends nothing, so what there
 * is to read is the end of the stream (a FIN, or TLS's close_notify) once it has closed. Bytes
 * read instead (a client pipelining its next request, which it should not do after a POST)
 * cannot be handed back to Jetty: they are dropped and the connection is closed after the answer
 * ({@code Connection: close}), as a server may always do.
 *
 * <p>Start a watch only once the request body has been read, and {@link #stop()} it before the
 * answer is written (see {@link #stoppedWhen}): Jetty then finds the end point without a read
 * interest when it reads the next request. HTTP/2 streams share one connection, so over HTTP/2
 * (and wherever the end point cannot be reached) the watch watches nothing and
 * {@link #closed()} never completes.
 */
public final class ConnectionWatch {
    private static final Logger log = LoggerFactory.getLogger(ConnectionWatch.class);
    private static final int READ_BUFFER = 512;

    private final Context ctx;
    private final EndPoint endPoint;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Callback readable = new Callback() {
        @Override
        public void succeeded() {
            onReadable();
        }

        @Override
        public void failed(Throwable cause) {
            onFailed(cause);
        }
    };
    /** Guarded by {@link #lock}. */
    private boolean stopped;
    /** Guarded by {@link #lock}: bytes of the connection were read and dropped. */
    private boolean readAhead;

    private ConnectionWatch(Context ctx, EndPoint endPoint) {
        this.ctx = ctx;
        this.endPoint = endPoint;
    }

    /** Watches the connection of {@code ctx}, whose request body has been read. */
    public static ConnectionWatch start(Context ctx) {
        EndPoint endPoint = endPointOf(ctx);
        ConnectionWatch watch = new ConnectionWatch(ctx, endPoint);
        if (endPoint != null) {
            watch.lock.lock();
            try {
                watch.interest();
            } finally {
                watch.lock.unlock();
            }
        }
        return watch;
    }

    private static EndPoint endPointOf(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) {
            return null;
        }
        ConnectionMetaData connection = request.getConnectionMetaData();
        HttpVersion version = connection.getHttpVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return null;
        }
        return connection.getConnection().getEndPoint();
    }

    /** Completes when the client has closed the connection (or the connection failed) before {@link #stop()}. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /**
     * Stops watching; to be called before the answer is written. When the watch has read bytes of
     * the connection, asks for the connection to be closed after the answer. Idempotent.
     */
    public void stop() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            stopped = true;
            if (endPoint instanceof AbstractEndPoint e) {
                e.getFillInterest().onFail(new CancellationException("the answer is ready"));
            }
            if (readAhead && !ctx.res().isCommitted()) {
                ctx.header("Connection", "close");
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@code answer}, completing only after this watch has been {@linkplain #stop() stopped}. */
    public <T> CompletableFuture<T> stoppedWhen(CompletableFuture<T> answer) {
        return answer.whenComplete((value, failure) -> stop());
    }

    /** Registers the read interest; with {@link #lock} held. */
    private void interest() {
        if (!endPoint.tryFillInterested(readable)) {
            // someone else reads the connection (never the case while a request waits): nothing to watch
            log.debug("Not watching {}: it has a read interest already", endPoint);
        }
    }

    private void onReadable() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            ByteBuffer buffer = BufferUtil.allocate(READ_BUFFER);
            int filled;
            while ((filled = endPoint.fill(buffer)) > 0) {
                readAhead = true;
                BufferUtil.clear(buffer);
            }
            if (filled < 0) {
                gone(null);
            } else {
                interest();
            }
        } catch (IOException e) {
            gone(e);
        } finally {
            lock.unlock();
        }
    }

    private void onFailed(Throwable cause) {
        lock.lock();
        try {
            if (!stopped) {
                gone(cause);   // the end point was closed or failed under the waiting request
            }
        } finally {
            lock.unlock();
        }
    }

    /** With {@link #lock} held. */
    private void gone(Throwable cause) {
        stopped = true;
        log.debug("The client of {} {} closed its connection", ctx.method(), ctx.path(), cause);
        // what depends on it runs on a thread of its own: outside the lock, and never on a selector thread
        Thread.ofVirtual().name("sluice-client-gone").start(() -> closed.complete(null));
    }
}
