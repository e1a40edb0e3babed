package dev.sluice.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client of one Sluice server: the entry point of the SDK.
 *
 * <pre>{@code
 * try (Sluice sluice = Sluice.connect("http://localhost:8080")) {
 *     Semaphore pay = sluice.semaphore("payments");
 *     pay.create(10);
 *     try (Permit permit = pay.acquire(Duration.ofSeconds(30))) {
 *         callPartnerApi(permit.fencingToken());
 *     }
 * }
 * }</pre>
 *
 * <p>One instance per process is the intended use: it is thread-safe, reuses connections (HTTP/2
 * where the server offers it over TLS, keep-alive HTTP/1.1 otherwise), and owns the single
 * scheduler thread that heartbeats every held {@link Permit} and claimed {@link Job}.
 * Asynchronous results and listener callbacks run on its executor (virtual threads unless
 * {@link Builder#executor(Executor) configured}).
 *
 * <p>{@link #close()} stops the workers started from it, releases the permits still held
 * (best effort), and then closes the connections; later requests fail with
 * {@link SluiceTransportException}.
 */
public final class Sluice implements AutoCloseable {
    private static final Duration RELEASE_ON_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Transport transport;
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private Sluice(Transport transport) {
        this.transport = transport;
    }

    /** A client of the server at {@code baseUrl} (e.g. {@code http://localhost:8080}), with defaults. */
    public static Sluice connect(String baseUrl) {
        return builder().baseUrl(baseUrl).build();
    }

    /** A client of the server at {@code baseUrl}, with defaults. */
    public static Sluice connect(URI baseUrl) {
        return builder().baseUrl(baseUrl).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server's base URL, without a trailing slash. */
    public String baseUrl() {
        return transport.baseUrl();
    }

    /** The mapper used for payloads ({@link Job#payload(Class)}, {@link Semaphore#submit(Object)}). */
    public ObjectMapper mapper() {
        return transport.mapper;
    }

    /**
     * A handle on the semaphore called {@code name}. Does not contact the server; the semaphore
     * need not exist yet (see {@link Semaphore#create(int)}).
     */
    public Semaphore semaphore(String name) {
        return new Semaphore(transport, name);
    }

    /** The server's API keys: make, list, revoke (needs a client with an {@code admin} key). */
    public ApiKeys keys() {
        return new ApiKeys(transport);
    }

    /** The first page of semaphores, in the server's default page size. */
    public Page<SemaphoreView> semaphores() {
        return semaphores(0, null);
    }

    /**
     * One page of semaphores.
     *
     * @param limit  the page size, or 0 for the server's default
     * @param cursor the previous page's {@link Page#nextCursor()}, or {@code null} for the first page
     */
    public Page<SemaphoreView> semaphores(int limit, String cursor) {
        return Transport.await(semaphoresAsync(limit, cursor));
    }

    public CompletableFuture<Page<SemaphoreView>> semaphoresAsync(int limit, String cursor) {
        return transport.send("GET", "/v1/semaphores" + Semaphore.Pages.query(null, limit, cursor), null, null)
                .thenApply(r -> Semaphore.Pages.parse(r.body(), r.status(), SemaphoreView::from));
    }

    /** All semaphores; the first page is fetched now, the next ones as the stream is consumed. */
    public Stream<SemaphoreView> allSemaphores() {
        return Semaphore.Pages.stream(cursor -> semaphores(0, cursor));
    }

    /**
     * Whether the server answers {@code GET /readyz} with 2xx now. Never throws for a server that
     * cannot be reached: that is {@code false}.
     */
    public boolean isReady() {
        try {
            Transport.await(transport.send("GET", "/readyz", null, null));
            return true;
        } catch (SluiceException e) {
            return false;
        }
    }

    /**
     * Configures a worker for the semaphore {@code semaphore} that runs {@code handler} for each of
     * its jobs; {@link Worker.Builder#start()} starts it. Workers still running when this client
     * is closed are closed with it.
     */
    public Worker.Builder worker(String semaphore, JobHandler handler) {
        return new Worker.Builder(this, semaphore(semaphore), handler);
    }

    void register(Worker w) {
        if (closed) {
            throw new IllegalStateException("the Sluice client is closed");
        }
        workers.add(w);
    }

    void forget(Worker w) {
        workers.remove(w);
    }

    /**
     * Closes the client: closes its running workers (each waiting up to its shutdown timeout),
     * releases permits still held (waiting at most 5 seconds; failures are ignored, the leases then
     * run out), stops heartbeats and closes connections. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            for (Worker w : List.copyOf(workers)) {
                w.close();
            }
            CompletableFuture<?>[] releases = transport.heldPermits().stream()
                    .map(p -> p.releaseAsync().exceptionally(e -> null))
                    .toArray(CompletableFuture<?>[]::new);
            if (releases.length > 0) {
                try {
                    CompletableFuture.allOf(releases).get(RELEASE_ON_CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    Transport.LOG.log(System.Logger.Level.DEBUG, "not every permit was released on close", e);
                }
            }
        } finally {
            transport.shutdown();
        }
    }

    @Override
    public String toString() {
        return "Sluice[" + transport.baseUrl() + "]";
    }

    /** Configures a {@link Sluice} client. Not thread-safe. */
    public static final class Builder {
        private URI baseUrl = URI.create("http://localhost:8080");
        private String apiKey;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Executor executor;
        private HttpClient.Version version;
        private ObjectMapper mapper;
        private SSLContext sslContext;

        private Builder() {
        }

        /** The server, e.g. {@code https://sluice.internal:8443}; a path prefix is kept. Default {@code http://localhost:8080}. */
        public Builder baseUrl(String baseUrl) {
            return baseUrl(URI.create(Objects.requireNonNull(baseUrl, "baseUrl")));
        }

        public Builder baseUrl(URI baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("baseUrl must be http or https, got " + baseUrl);
            }
            if (baseUrl.getQuery() != null || baseUrl.getFragment() != null) {
                throw new IllegalArgumentException("baseUrl must have no query or fragment: " + baseUrl);
            }
            this.baseUrl = baseUrl;
            return this;
        }

        /** Sent as {@code Authorization: Bearer <apiKey>} with every request; {@code null} for none. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
            return this;
        }

        /** How long opening a connection may take (default 10 s). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How long the server may take to answer a request (default 30 s). A waiting acquire or a
         * claim may take this plus its wait.
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = positive(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * Runs the HTTP client's work, async completions and listeners. Default: a virtual thread
         * per task, owned (and shut down) by the client; a given executor is not shut down.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The HTTP version to prefer. Default: HTTP/2 for {@code https} (negotiated with ALPN, falling
         * back to HTTP/1.1), HTTP/1.1 for plain {@code http} (avoiding a cleartext upgrade attempt).
         */
        public Builder httpVersion(HttpClient.Version version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * The mapper for payloads and request bodies (e.g. one with your modules registered). Its
         * configuration must keep the JSON the server sends readable; the default is a
         * {@link JsonMapper} that ignores unknown properties.
         */
        public Builder mapper(ObjectMapper mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /**
         * Trusts exactly the certificates in this PEM file (for example a private CA's, or a
         * server's self-signed certificate) for {@code https}, instead of the JDK's default
         * trust store. Certificates are still verified, host names included. Read at once.
         *
         * @throws IllegalArgumentException if the file cannot be read or holds no certificate
         */
        public Builder trustedCertificates(Path pemFile) {
            this.sslContext = Tls.trusting(Objects.requireNonNull(pemFile, "pemFile"));
            return this;
        }

        public Sluice build() {
            ExecutorService owned = executor == null ? Executors.newVirtualThreadPerTaskExecutor() : null;
            Executor exec = executor != null ? executor : owned;
            HttpClient.Version v = version != null ? version
                    : "https".equalsIgnoreCase(baseUrl.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
            HttpClient http = HttpClient.newBuilder()
                    .version(v)
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .sslContext(sslContext != null ? sslContext : Tls.jdkDefault())
                    .executor(exec)
                    .build();
            ObjectMapper m = mapper != null ? mapper
                    : JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
            return new Sluice(new Transport(baseUrl, apiKey, http, requestTimeout, m, exec, owned));
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
