package dev.sluice.server.webhooks;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * POSTs one delivery and says how it went. On Jetty's HTTP client (HTTP/1.1, redirects not
 * followed, certificates and host names verified), because it lets the node choose the addresses
 * a connection uses: every new connection goes only to addresses {@link WebhookTargets} allowed
 * when it resolved the name, just before connecting (the JDK's HttpClient resolves by itself,
 * so a name could pass a check and then resolve elsewhere). Each call is bounded as a whole, body
 * included, by the time it is given; of the answer's body only the first
 * {@value #KEPT_BODY_BYTES} bytes are kept, for the job's {@code lastError}. Errors never repeat
 * the URL, which may carry a token.
 */
final class WebhookClient implements AutoCloseable {
    static final int KEPT_BODY_BYTES = 512;

    /** How a delivery went: accepted (a 2xx), or why not. */
    record Answer(boolean accepted, int status, String error) {
        static Answer failed(String error) {
            return new Answer(false, 0, error);
        }
    }

    private final ExecutorService resolving = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;

    WebhookClient(WebhookTargets targets) {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(new SslContextFactory.Client());   // verifies the certificate and the host name
        connector.setConnectTimeout(Duration.ofSeconds(10));
        http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setExecutor(new VirtualThreadPool());
        http.setFollowRedirects(false);
        http.setUserAgentField(null);   // the dispatcher names itself
        http.getContentDecoderFactories().clear();   // no Accept-Encoding: the body is read for its first bytes only
        http.setMaxConnectionsPerDestination(10_000);   // the semaphore's limit bounds deliveries, not the client
        http.setMaxRequestsQueuedPerDestination(100_000);
        http.setSocketAddressResolver((host, port, context, promise) -> resolving.execute(() -> {
            try {
                promise.succeeded(targets.addresses(host, port));
            } catch (IOException | RuntimeException e) {
                promise.failed(e);
            }
        }));
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the webhook client: " + e, e);
        }
    }

    /**
     * POSTs {@code body} to {@code url} with {@code headers}, waiting at most {@code within} for
     * the whole answer. Blocks the calling (virtual) thread.
     *
     * @throws InterruptedException if the caller is interrupted: nothing can be said of the delivery
     */
    Answer post(URI url, Map<String, String> headers, byte[] body, Duration within, String timeoutText)
            throws InterruptedException {
        Request request = http.newRequest(url).method(HttpMethod.POST)
                .timeout(Math.max(1, within.toMillis()), TimeUnit.MILLISECONDS)
                .body(new BytesRequestContent(headers.getOrDefault("Content-Type", "application/json"), body))
                .headers(h -> headers.forEach(h::put));
        FirstBytes answer = new FirstBytes();
        request.send(answer);
        try {
            Result result = answer.done.get(within.toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (result.isFailed()) {
                return Answer.failed(describe(result.getFailure(), timeoutText));
            }
            int status = result.getResponse().getStatus();
            if (status >= 200 && status < 300) {
                return new Answer(true, status, null);
            }
            String text = answer.text().isBlank() ? "" : ": " + answer.text();
            String redirect = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
            return new Answer(false, status, "HTTP " + status + redirect + text);
        } catch (TimeoutException e) {
            return Answer.failed("no answer within " + timeoutText);
        } catch (ExecutionException e) {
            return Answer.failed(describe(e.getCause(), timeoutText));
        } finally {
            request.abort(new IOException("delivery over"));   // nothing once the exchange is complete
        }
    }

    private static String describe(Throwable e, String timeoutText) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WebhookTargets.RefusedTarget) {
                return "refused by this node: " + t.getMessage();
            }
            if (t instanceof TimeoutException) {
                return "no answer within " + timeoutText;
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return "could not connect" + (t.getMessage() == null ? "" : ": " + t.getMessage());
            }
        }
        if (e instanceof IOException) {
            return "delivery failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return "delivery failed: " + e;
    }

    /** Keeps the first bytes of a body as text and lets the rest go by; completes with the exchange. */
    private static final class FirstBytes implements Response.Listener {
        final CompletableFuture<Result> done = new CompletableFuture<>();
        private final ByteBuffer kept = ByteBuffer.allocate(KEPT_BODY_BYTES);

        @Override
        public void onContent(Response response, ByteBuffer content) {
            synchronized (kept) {
                int n = Math.min(content.remaining(), kept.remaining());
                kept.put(content.slice(content.position(), n));
            }
        }

        @Override
        public void onComplete(Result result) {
            done.complete(result);
        }

        String text() {
            synchronized (kept) {
                String s = new String(kept.array(), 0, kept.position(), StandardCharsets.UTF_8);
                return s.replaceAll("\\p{Cntrl}+", " ").strip();
            }
        }
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            // closing: nothing left to do with it
        }
        resolving.shutdownNow();
    }
}
