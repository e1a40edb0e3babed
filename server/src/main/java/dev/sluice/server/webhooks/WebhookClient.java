package dev.sluice.server.webhooks;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs one delivery and says how it went. On the JDK's HttpClient (HTTP/1.1, redirects not
 * followed, its work on virtual threads). Each call is bounded as a whole, body included, by the
 * time it is given; of the answer's body only the first {@value #KEPT_BODY_BYTES} bytes are kept,
 * for the job's {@code lastError}. Errors never repeat the URL, which may carry a token.
 */
final class WebhookClient implements AutoCloseable {
    static final int KEPT_BODY_BYTES = 512;

    /** How a delivery went: accepted (a 2xx), or why not. */
    record Answer(boolean accepted, int status, String error) {
        static Answer failed(String error) {
            return new Answer(false, 0, error);
        }
    }

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(executor)
            .build();

    /**
     * POSTs {@code body} to {@code url} with {@code headers}, waiting at most {@code within} for
     * the whole answer. Blocks the calling (virtual) thread.
     *
     * @throws InterruptedException if the caller is interrupted: nothing can be said of the delivery
     */
    Answer post(URI url, Map<String, String> headers, byte[] body, Duration within, String timeoutText)
            throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(within)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        CompletableFuture<HttpResponse<String>> sent = http.sendAsync(request.build(), info -> new FirstBytes());
        try {
            HttpResponse<String> response = sent.get(within.toMillis(), TimeUnit.MILLISECONDS);
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Answer(true, status, null);
            }
            String text = response.body().isBlank() ? "" : ": " + response.body();
            String redirect = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
            return new Answer(false, status, "HTTP " + status + redirect + text);
        } catch (TimeoutException e) {
            return Answer.failed("no answer within " + timeoutText);
        } catch (ExecutionException e) {
            return Answer.failed(describe(e.getCause(), timeoutText));
        } finally {
            sent.cancel(true);   // aborts the exchange if it is still under way; nothing once it is done
        }
    }

    private static String describe(Throwable e, String timeoutText) {
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + timeoutText;
        }
        if (e instanceof ConnectException) {
            return "could not connect" + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        if (e instanceof IOException) {
            return "delivery failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return "delivery failed: " + e;
    }

    /** Keeps the first bytes of a body as text and lets the rest go by. */
    private static final class FirstBytes implements HttpResponse.BodySubscriber<String> {
        private final CompletableFuture<String> text = new CompletableFuture<>();
        private final ByteBuffer kept = ByteBuffer.allocate(KEPT_BODY_BYTES);

        @Override
        public CompletionStage<String> getBody() {
            return text;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                int n = Math.min(item.remaining(), kept.remaining());
                kept.put(item.slice(item.position(), n));
            }
        }

        @Override
        public void onError(Throwable throwable) {
            text.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            String s = new String(kept.array(), 0, kept.position(), StandardCharsets.UTF_8);
            text.complete(s.replaceAll("\\p{Cntrl}+", " ").strip());
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
        executor.shutdownNow();
    }
}
