package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.Api;
import dev.sluice.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every problem code a real node answers arrives as its typed exception, with the server's code,
 * status and detail. (Codes this node cannot be made to answer — 401, 403, 500, 503,
 * unsupported — are covered against a fake server in {@link ProblemMappingTest}.)
 */
class TypedExceptionsTest {
    @TempDir
    static Path dataDir;
    static TestServer server;
    static Sluice sluice;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        sluice = Sluice.connect("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() {
        sluice.close();
        server.close();
    }

    private static Semaphore newSemaphore(String prefix, int limit) {
        Semaphore s = sluice.semaphore(TestServer.name(prefix));
        s.create(limit);
        return s;
    }

    private static <T extends SluiceException> T thrown(Class<T> type, String code, int status, ThrowingSupplier<?> call) {
        Throwable t = catchThrowable(call::get);
        assertThat(t).isExactlyInstanceOf(type);
        T e = type.cast(t);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.detail()).isNotBlank();
        assertThat(e.getMessage()).isEqualTo(e.detail());
        assertThat(e.problem().type()).endsWith(code);
        // the blocking call rethrows with the caller's stack
        assertThat(e.getStackTrace()).anyMatch(f -> f.getClassName().equals(TypedExceptionsTest.class.getName()));
        return e;
    }

    @Test
    void invalidArgument() {
        InvalidArgumentException e = thrown(InvalidArgumentException.class, ProblemCode.INVALID_ARGUMENT, 400,
                () -> sluice.semaphore(TestServer.name("bad")).create(2_000_000));
        assertThat(e.detail()).contains("limit");
    }

    @Test
    void notFound() {
        thrown(NotFoundException.class, ProblemCode.NOT_FOUND, 404, () -> sluice.semaphore("never-created").state());
        Semaphore s = newSemaphore("nf", 1);
        thrown(NotFoundException.class, ProblemCode.NOT_FOUND, 404, () -> s.job("j-does-not-exist"));
    }

    @Test
    void conflict() throws Exception {
        Semaphore s = newSemaphore("busy", 1);
        try (Permit held = s.acquire(Duration.ZERO)) {
            thrown(ConflictException.class, ProblemCode.CONFLICT, 409, () -> {
                s.delete();
                return null;
            });
        }
        s.delete(); // free now
    }

    @Test
    void limitReached() throws Exception {
        Semaphore s = newSemaphore("full", 1);
        try (Permit held = s.acquire(Duration.ZERO)) {
            thrown(LimitReachedException.class, ProblemCode.LIMIT_REACHED, 429, () -> s.acquire(Duration.ZERO));
        }
    }

    @Test
    void paused() {
        Semaphore s = newSemaphore("paused", 1);
        s.pause();
        thrown(PausedException.class, ProblemCode.PAUSED, 429, () -> s.acquire(Duration.ZERO));
    }

    @Test
    void leaseExpired() {
        Semaphore s = newSemaphore("expired", 1);
        // a permit acquired by someone else (raw HTTP: no heartbeats) with the shortest lease
        Api.Res granted = server.api().post("/v1/semaphores/" + s.name() + "/permits", Api.j("{'leaseTimeout':'1s'}"));
        assertThat(granted.status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.state(s.name()).get("inUse").asInt() == 0);

        LeaseExpiredException e = thrown(LeaseExpiredException.class, ProblemCode.LEASE_EXPIRED, 410, () -> {
            s.release(granted.str("permitId"));
            return null;
        });
        assertThat(e.detail()).contains("expired");
    }

    @Test
    void payloadTooLarge() {
        Semaphore s = newSemaphore("large", 1);
        thrown(PayloadTooLargeException.class, ProblemCode.PAYLOAD_TOO_LARGE, 413,
                () -> s.submit(Map.of("blob", "x".repeat(300 * 1024))));
        assertThat(s.state().state().waiting()).as("nothing was enqueued").isZero();
    }

    @Test
    void aPayloadUnderTheLimitButLargeEnoughToAskFirstIsSentWhenTheServerAgrees() {
        Semaphore s = newSemaphore("large-ok", 1);
        String blob = "x".repeat(200 * 1024);
        JobRef ref = s.submit(Map.of("blob", blob));
        assertThat(s.job(ref.jobId()).payload().get("blob").asText()).isEqualTo(blob);
    }

    @Test
    void aPayloadFarOverTheLimitIsStillAnsweredWithItsProblem() {
        // asked first (Expect: 100-continue), the server refuses it before it is sent
        Semaphore s = newSemaphore("huge", 1);
        thrown(PayloadTooLargeException.class, ProblemCode.PAYLOAD_TOO_LARGE, 413,
                () -> s.submit(Map.of("blob", "x".repeat(16 * 1024 * 1024))));
        assertThat(s.state().state().waiting()).as("nothing was enqueued").isZero();
    }

    @Test
    void asyncVariantsFailTheirFutureWithTheSameTypes() {
        Semaphore s = newSemaphore("async", 0);
        assertThat(catchThrowable(() -> s.acquireAsync(Duration.ZERO).join()))
                .isInstanceOf(CompletionException.class).cause().isExactlyInstanceOf(LimitReachedException.class);
        assertThat(catchThrowable(() -> sluice.semaphore("never-created-either").stateAsync().join()))
                .cause().isExactlyInstanceOf(NotFoundException.class);
        assertThat(s.tryAcquireAsync().join()).isEmpty();
    }
}
