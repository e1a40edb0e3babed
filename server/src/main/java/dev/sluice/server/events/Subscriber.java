package dev.sluice.server.events;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One event-stream client. Events are offered to a bounded queue without blocking; a writer
 * runs on a virtual thread only while there is something to write, so an idle subscriber holds
 * no thread and a slow one holds only its own. A subscriber whose queue overflows is
 * disconnected: it can reconnect with {@code Last-Event-ID} and be sent what it missed while the
 * ring still holds it.
 *
 * <p>Until its snapshot is written ({@link #snapshot}), events are held back; those from commits
 * the snapshot already reflects are then skipped.
 */
public final class Subscriber {
    /** Events that may wait for a slow client before it is disconnected. */
    static final int QUEUE_LIMIT = 4096;

    private final OutputStream out;
    private final int queueLimit;
    private final Runnable onEnd;
    private final EventHub hub;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final ArrayDeque<EventHub.Event> heldBack = new ArrayDeque<>();
    private final List<Runnable> closeActions = new ArrayList<>();
    private boolean started;
    private boolean writing;
    private boolean closed;

    /**
     * @param out   the response stream, headers already sent
     * @param onEnd ends the HTTP exchange (called once, when the subscriber closes)
     */
    public Subscriber(EventHub hub, OutputStream out, Runnable onEnd) {
        this(hub, out, onEnd, QUEUE_LIMIT);
    }

    /** @param queueLimit how many events may wait for this client before it is disconnected */
    public Subscriber(EventHub hub, OutputStream out, Runnable onEnd, int queueLimit) {
        this.hub = hub;
        this.out = out;
        this.onEnd = onEnd;
        this.queueLimit = queueLimit;
    }

    synchronized void onClose(Runnable action) {
        closeActions.add(action);
    }

    /** From the hub, under its topic's lock: must not block. */
    synchronized void offer(EventHub.Event e) {
        if (closed) {
            return;
        }
        if (!started) {
            heldBack.add(e);
            if (heldBack.size() > queueLimit) {
                overflow();
            }
            return;
        }
        enqueue(e.frame());
    }

    /** Starts the stream with a snapshot taken at {@code sequence}; held-back events it reflects are skipped. */
    public synchronized void snapshot(String frame, long sequence) {
        enqueue(frame);
        for (EventHub.Event e : heldBack) {
            if (e.sequence() > sequence) {
                enqueue(e.frame());
            }
        }
        heldBack.clear();
        started = true;
    }

    /** Starts a resumed stream: every held-back event is sent. */
    public synchronized void resume() {
        heldBack.forEach(e -> enqueue(e.frame()));
        heldBack.clear();
        started = true;
    }

    synchronized void comment(String text) {
        if (started) {
            enqueue(": " + text + "\n\n");
        }
    }

    private void enqueue(String frame) {
        if (closed) {
            return;
        }
        queue.add(frame);
        if (queue.size() > queueLimit) {
            overflow();
            return;
        }
        if (!writing) {
            writing = true;
            Thread.ofVirtual().name("sluice-events-writer").start(this::write);
        }
    }

    private void overflow() {
        hub.dropped();
        queue.clear();
        heldBack.clear();
        Thread.ofVirtual().start(this::close);   // not under the hub's lock
    }

    private void write() {
        while (true) {
            List<String> batch;
            synchronized (this) {
                if (queue.isEmpty() || closed) {
                    writing = false;
                    return;
                }
                batch = new ArrayList<>(queue);
                queue.clear();
            }
            try {
                for (String frame : batch) {
                    out.write(frame.getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            } catch (IOException | RuntimeException e) {   // the client went away
                synchronized (this) {
                    writing = false;
                }
                close();
                return;
            }
        }
    }

    public void close() {
        List<Runnable> actions;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            actions = List.copyOf(closeActions);
        }
        actions.forEach(Runnable::run);
        onEnd.run();
    }

    public synchronized boolean isClosed() {
        return closed;
    }
}
