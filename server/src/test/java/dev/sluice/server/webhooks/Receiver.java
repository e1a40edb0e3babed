package dev.sluice.server.webhooks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook processor for tests: a real HTTP server (the JDK's) on a free loopback port, each
 * request handled on its own virtual thread by a {@link Handler} the test sets. It records every
 * delivery it receives, in arrival order, and counts how many requests it is handling at once.
 * It can be stopped and started again on the same port, to be a processor that is down.
 */
final class Receiver implements AutoCloseable {

    /** One request as received. */
    record Delivery(String jobId, String semaphore, String permitId, long fencingToken, int attempt, String signature,
                    String contentType, String method, String path, byte[] body, Instant at, String traceparent) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Decides the answer to a delivery; may block (a slow processor); returns the status to answer. */
    @FunctionalInterface
    interface Handler {
        int handle(Delivery delivery) throws Exception;
    }

    private final List<Delivery> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger handling = new AtomicInteger();
    private final AtomicInteger mostHandling = new AtomicInteger();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private volatile Handler handler;
    private volatile HttpServer server;
    private final int port;

    private Receiver(Handler handler, int port) {
        this.handler = handler;
        this.server = bind(port);
        this.port = server.getAddress().getPort();
    }

    /** A receiver on a free port. */
    static Receiver start(Handler handler) {
        return new Receiver(handler, 0);
    }

    /** Answers every delivery with {@code status} at once. */
    static Receiver answering(int status) {
        return start(d -> status);
    }

    private HttpServer bind(int onPort) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 200);
            s.setExecutor(executor);
            s.createContext("/", this::exchange);
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void exchange(HttpExchange ex) throws IOException {
        mostHandling.accumulateAndGet(handling.incrementAndGet(), Math::max);
        int status = 500;
        try (ex) {
            try {
                var h = ex.getRequestHeaders();
                Delivery d = new Delivery(h.getFirst("Sluice-Job-Id"), h.getFirst("Sluice-Semaphore"),
                        h.getFirst("Sluice-Permit-Id"), parse(h.getFirst("Sluice-Fencing-Token")),
                        (int) parse(h.getFirst("Sluice-Attempt")), h.getFirst("Sluice-Signature"), h.getFirst("Content-Type"),
                        ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestBody().readAllBytes(), Instant.now(),
                        h.getFirst("traceparent"));
                received.add(d);
                status = handler.handle(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                status = 500;
            } finally {
                handling.decrementAndGet();   // before the answer: the sender may grant the next delivery on it
            }
            if (status >= 300 && status < 400) {
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + port + "/elsewhere");
            }
            byte[] answer = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, answer.length);
            ex.getResponseBody().write(answer);
        } catch (IOException e) {
            // the sender gave up (its timeout, or it died): nothing to answer
        }
    }

    private static long parse(String s) {
        return s == null ? -1 : Long.parseLong(s);
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hook";
    }

    int port() {
        return port;
    }

    void handler(Handler next) {
        this.handler = next;
    }

    /** Every delivery received, in arrival order. */
    List<Delivery> deliveries() {
        return new ArrayList<>(received);
    }

    /** The deliveries of one semaphore, in arrival order. */
    List<Delivery> deliveries(String semaphore) {
        return received.stream().filter(d -> semaphore.equals(d.semaphore())).toList();
    }

    List<String> jobIds(String semaphore) {
        return deliveries(semaphore).stream().map(Delivery::jobId).toList();
    }

    /** The most requests it was handling at one time. */
    int mostAtOnce() {
        return mostHandling.get();
    }

    /** Stops listening: connections are refused until {@link #restart}. */
    void stop() {
        server.stop(0);
    }

    /** Listens again on the same port. */
    void restart() {
        server = bind(port);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
