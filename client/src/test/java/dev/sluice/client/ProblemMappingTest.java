package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.client.FakeServer.Reply;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Problems a real node does not produce on demand, and failures without an answer, against a fake server. */
class ProblemMappingTest {
    private FakeServer server;
    private Sluice sluice;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeServer();
        sluice = Sluice.builder().baseUrl(server.url()).requestTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() {
        sluice.close();
        server.close();
    }

    /**
     * The codes a real node cannot be made to answer in a test (no API keys yet, no store outage,
     * no bug on purpose), plus a newer server's code; the others are answered by a real node in
     * {@link TypedExceptionsTest}.
     */
    static Stream<Arguments> problems() {
        return Stream.of(
                Arguments.of(401, "unauthorized", UnauthorizedException.class),
                Arguments.of(403, "forbidden", ForbiddenException.class),
                Arguments.of(503, "store_unavailable", StoreUnavailableException.class),
                Arguments.of(400, "unsupported", UnsupportedException.class),
                Arguments.of(500, "internal", SluiceException.class),
                Arguments.of(422, "some_future_code", SluiceException.class));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("problems")
    void problemBodiesBecomeTypedExceptions(int status, String code, Class<? extends SluiceException> type) {
        server.on("GET", "/v1/semaphores/payments", Reply.problem(status, code, "because " + code));

        SluiceException e = catchThrowableOfType(SluiceException.class, () -> sluice.semaphore("payments").state());

        assertThat(e).isExactlyInstanceOf(type);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.detail()).isEqualTo("because " + code);
        assertThat(e.getMessage()).isEqualTo("because " + code);
        assertThat(e.problem().title()).isEqualTo(code);
        assertThat(e.problem().type()).isEqualTo("https://sluice.dev/problems/" + code);
    }

    @Test
    void aBodyWithoutCodeIsMappedByStatus() {
        server.on("GET", "/v1/semaphores/a", Reply.empty(401));
        server.on("GET", "/v1/semaphores/b", new Reply(503, "<html>upstream down</html>", "text/html"));
        server.on("GET", "/v1/semaphores/c", new Reply(502, "Bad Gateway", "text/plain"));

        assertThatThrownBy(() -> sluice.semaphore("a").state()).isExactlyInstanceOf(UnauthorizedException.class)
                .extracting(e -> ((SluiceException) e).code()).isEqualTo("unauthorized");
        assertThatThrownBy(() -> sluice.semaphore("b").state()).isExactlyInstanceOf(StoreUnavailableException.class)
                .hasMessage("<html>upstream down</html>");
        SluiceException c = catchThrowableOfType(SluiceException.class, () -> sluice.semaphore("c").state());
        assertThat(c.code()).isEqualTo("internal");
        assertThat(c.status()).isEqualTo(502);
    }

    @Test
    void aMalformedSuccessIsAnInvalidResponse() {
        server.on("GET", "/v1/semaphores/a", Reply.json(200, "{not json"));
        server.on("GET", "/v1/semaphores/b", Reply.json(200, "{\"limit\": 3}"));

        assertThatThrownBy(() -> sluice.semaphore("a").state())
                .isInstanceOf(SluiceException.class).extracting(e -> ((SluiceException) e).code())
                .isEqualTo(ProblemCode.INVALID_RESPONSE);
        assertThatThrownBy(() -> sluice.semaphore("b").state())
                .isInstanceOf(SluiceException.class).hasMessageContaining("\"name\"");
    }

    @Test
    void noServerIsATransportException() {
        int port = 1; // nothing listens there
        try (Sluice nowhere = Sluice.builder().baseUrl("http://127.0.0.1:" + port)
                .connectTimeout(Duration.ofSeconds(2)).build()) {
            SluiceException e = catchThrowableOfType(SluiceException.class, () -> nowhere.semaphore("x").state());
            assertThat(e).isInstanceOf(SluiceTransportException.class);
            assertThat(e.code()).isEqualTo(ProblemCode.TRANSPORT);
            assertThat(e.status()).isZero();
            assertThat(nowhere.isReady()).isFalse();
        }
    }

    @Test
    void aClosedClientRefusesRequests() {
        sluice.close();
        assertThatThrownBy(() -> sluice.semaphore("x").state()).isInstanceOf(SluiceTransportException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsATransportException() {
        server.on("GET", "/v1/semaphores/slow", r -> {
            FakeServer.sleep(3_000);
            return Reply.json(200, "{}");
        });
        try (Sluice impatient = Sluice.builder().baseUrl(server.url()).requestTimeout(Duration.ofMillis(300)).build()) {
            SluiceException e = catchThrowableOfType(SluiceException.class, () -> impatient.semaphore("slow").state());
            assertThat(e).isInstanceOf(SluiceTransportException.class).hasMessageContaining("timed out");
        }
    }
}
