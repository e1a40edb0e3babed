package dev.sluice.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shared machinery behind one {@link Sluice}: the HTTP client, the JSON mapper, the single
 * heartbeat scheduler and the callback executor; plus request sending and error mapping.
 * Thread-safe.
 */
final class Transport {
    static final System.Logger LOG = System.getLogger("dev.sluice.client");
    static final String USER_AGENT = "sluice-java/0.1";
    private static final int MAX_ERROR_TEXT = 500;
    /**
     * Bodies larger than this ask first ({@code Expect: 100-continue}): the server refuses one
     * over its limit before it is sent, where a body sent whole would meet a connection the
     * server closed after reading up to the limit, its answer lost if the connection was reset.
     * Smaller bodies are not worth the round trip.
     */
    static final int ASK_BEFORE_SENDING = 64 * 1024;

    /** A 2xx answer: its status and its JSON body ({@code null} when the body was empty). */
    record Response(int status, JsonNode body) {
    }

    private final String base;
    private final String authorization;
    final HttpClient http;
    final Duration requestTimeout;
    final ObjectMapper mapper;
    final Executor executor;
    private final ExecutorService ownedExecutor;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Set<Permit> permits = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Transport(URI baseUrl, String apiKey, HttpClient http, Duration requestTimeout, ObjectMapper mapper,
              Executor executor, ExecutorService ownedExecutor) {
        String b = baseUrl.toString();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        this.base = b;
        this.authorization = apiKey == null ? null : "Bearer " + apiKey;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.mapper = mapper;
        this.executor = executor;
        this.ownedExecutor = ownedExecutor;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sluice-heartbeats");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    String baseUrl() {
        return base;
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    /** A path segment, percent-encoded. */
    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Sends a request. The future completes with the 2xx response, or exceptionally with the
     * {@link SluiceException} for the problem or I/O failure; it never completes with a raw
     * {@link IOException}. Cancelling the future does not abort the exchange.
     */
    CompletableFuture<Response> send(String method, String path, JsonNode body, Duration timeout) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new SluiceTransportException("the Sluice client is closed", null));
            return result;
        }
        HttpRequest request;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(timeout == null ? requestTimeout : timeout)
                    .header("Accept", "application/json, application/problem+json")
                    .header("User-Agent", USER_AGENT);
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
                byte[] bytes = mapper.writeValueAsBytes(body);
                b.expectContinue(bytes.length > ASK_BEFORE_SENDING);
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            request = b.build();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        CompletableFuture<HttpResponse<byte[]>> exchange;
        try {
            exchange = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) {
            result.completeExceptionally(new SluiceTransportException("cannot send " + method + " " + path + ": " + e, e));
            return result;
        }
        exchange.whenComplete((resp, err) -> {
            if (err != null) {
                result.completeExceptionally(transportFailure(method, path, err));
                return;
            }
            try {
                int status = resp.statusCode();
                if (status >= 200 && status < 300) {
                    result.complete(new Response(status, parse(resp.body(), status)));
                } else {
                    result.completeExceptionally(problem(status, resp.body(),
                            resp.headers().firstValue("Content-Type").orElse("")));
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private JsonNode parse(byte[] body, int status) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return mapper.readTree(body);
        } catch (JacksonException e) {
            throw Json.invalid(status, "the response is not JSON: " + e.getOriginalMessage());
        }
    }

    /** The exception for a non-2xx response. */
    SluiceException problem(int status, byte[] body, String contentType) {
        JsonNode json = null;
        if (body != null && body.length > 0) {
            try {
                json = mapper.readTree(body);
            } catch (JacksonException ignored) {
                // not JSON (e.g. a proxy's HTML page): fall back to the status
            }
        }
        String code = Json.string(json, "code");
        String detail = Json.string(json, "detail");
        if (json == null && body != null && body.length > 0) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            detail = text.length() > MAX_ERROR_TEXT ? text.substring(0, MAX_ERROR_TEXT) + "…" : text;
        }
        if (code == null || code.isBlank()) {
            code = codeForStatus(status);
        }
        String title = Json.string(json, "title");
        if (detail == null && title == null) {
            detail = "HTTP " + status + (contentType.isEmpty() ? "" : " (" + contentType + ")");
        }
        Integer index = Json.integer(json, "index");
        return SluiceException.of(new Problem(Json.string(json, "type"), title, status, detail, code,
                index == null || index < 0 ? null : index));
    }

    static String codeForStatus(int status) {
        return switch (status) {
            case 400, 422 -> ProblemCode.INVALID_ARGUMENT;
            case 401 -> ProblemCode.UNAUTHORIZED;
            case 403 -> ProblemCode.FORBIDDEN;
            case 404 -> ProblemCode.NOT_FOUND;
            case 409 -> ProblemCode.CONFLICT;
            case 410 -> ProblemCode.LEASE_EXPIRED;
            case 413 -> ProblemCode.PAYLOAD_TOO_LARGE;
            case 429 -> ProblemCode.LIMIT_REACHED;
            case 501 -> ProblemCode.UNSUPPORTED;
            case 503 -> ProblemCode.STORE_UNAVAILABLE;
            default -> status >= 500 ? ProblemCode.INTERNAL : "http_" + status;
        };
    }

    private SluiceException transportFailure(String method, String path, Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        String what = method + " " + base + path;
        String message;
        if (t instanceof HttpConnectTimeoutException) {
            message = "timed out connecting to " + base;
        } else if (t instanceof HttpTimeoutException) {
            message = "timed out waiting for " + what;
        } else if (t instanceof ConnectException) {
            message = "cannot connect to " + base + (t.getMessage() == null ? "" : ": " + t.getMessage());
        } else if (closed) {
            message = "the Sluice client was closed during " + what;
        } else {
            message = what + " failed: " + t;
        }
        return new SluiceTransportException(message, t);
    }

    /**
     * Waits for {@code f} and returns its value, or throws its {@link SluiceException} with the
     * caller's stack trace. An interrupt abandons the wait, sets the interrupt status again and
     * throws a {@link SluiceTransportException}.
     */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new SluiceTransportException("interrupted while waiting for the Sluice server", e);
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        }
    }

    /** Like {@link #await} but an interrupt cancels {@code f} and is thrown as such. */
    static <T> T awaitInterruptibly(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(false);
            throw e;
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        }
    }

    /** The exception to rethrow for a failed future's cause, re-stamped with the current stack. */
    static RuntimeException rethrowable(Throwable cause) {
        Throwable t = unwrapCompletion(cause);
        if (t instanceof SluiceException se) {
            se.fillInStackTrace();
            return se;
        }
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new SluiceTransportException(String.valueOf(t), t);
    }

    /** The SluiceException a failed future carries (wrapping anything else as a transport failure). */
    static SluiceException unwrap(Throwable cause) {
        Throwable t = unwrapCompletion(cause);
        if (t instanceof SluiceException se) {
            return se;
        }
        if (t instanceof CancellationException) {
            return new SluiceTransportException("cancelled", t);
        }
        return new SluiceTransportException(String.valueOf(t), t);
    }

    private static Throwable unwrapCompletion(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Runs {@code task} on the heartbeat scheduler after {@code delayNanos}; null once closed. */
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        try {
            return scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Runs a user callback on the callback executor, logging what it throws. */
    void callback(Runnable task) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "a Sluice listener threw", t);
            }
        };
        try {
            executor.execute(guarded);
        } catch (RejectedExecutionException e) {
            Thread.ofVirtual().name("sluice-callback").start(guarded);
        }
    }

    void track(Permit p) {
        permits.add(p);
    }

    void untrack(Permit p) {
        permits.remove(p);
    }

    Set<Permit> heldPermits() {
        return Set.copyOf(permits);
    }

    boolean isClosed() {
        return closed;
    }

    void shutdown() {
        closed = true;
        scheduler.shutdownNow();
        http.shutdownNow();
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }
}
