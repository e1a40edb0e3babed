package dev.sluice.server.security;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.server.Api;
import dev.sluice.server.Api.Res;
import dev.sluice.server.RawHttp;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits that keep one client from holding a node's resources: headers, connections, idle time, waits per key. */
class LimitsTest {
    @TempDir
    Path tmp;

    private static String raw(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * A body of declared length up to 64 KiB is read straight into an array of that length; a
     * longer one, and one sent chunked (no length declared), are read through Javalin against the
     * request limit. Each way, the job keeps exactly the payload sent.
     */
    @Test
    void aBodyReadsTheSameWhetherItsLengthIsDeclaredShortOrLongOrItIsSentChunked() throws IOException {
        try (TestServer server = TestServer.start(ServerSettings.defaults().withPort(0).withDataDir(tmp))) {
            String name = server.semaphore("framed", "{'limit':0}");
            String path = "/v1/semaphores/" + name + "/jobs";
            String shortBody = "{\"payload\":\"short é\"}";
            String longBody = "{\"payload\":\"" + "x".repeat(100 * 1024) + "\"}";
            byte[] utf8 = shortBody.getBytes(StandardCharsets.UTF_8);
            String declared = raw(server.port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + utf8.length + "\r\nConnection: close\r\n\r\n" + new String(utf8, StandardCharsets.ISO_8859_1));
            String declaredLong = raw(server.port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + longBody.length() + "\r\nConnection: close\r\n\r\n" + longBody);
            String chunked = raw(server.port(), "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + Integer.toHexString(utf8.length - 5) + "\r\n" + new String(utf8, 0, utf8.length - 5, StandardCharsets.ISO_8859_1) + "\r\n"
                    + "5\r\n" + new String(utf8, utf8.length - 5, 5, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n");
            Api api = server.api();
            List<String> payloads = new ArrayList<>();
            for (String answer : List.of(declared, declaredLong, chunked)) {
                assertThat(answer).startsWith("HTTP/1.1 202");
                String id = answer.substring(answer.indexOf("\"jobId\":\"") + 9).split("\"")[0];
                payloads.add(api.get(path + "/" + id).json().get("payload").asString());
            }
            assertThat(payloads).containsExactly("short é", "x".repeat(100 * 1024), "short é");
        }
    }

    /**
     * An answer given without reading the body (401 before a key is checked, 404 of a path no route
     * has, 400 of a bad name) reaches a client that sent a body of a few hundred KiB, within the
     * limit, without asking first; and the connection then serves its next request. The server reads
     * and drops the rest of the body: closing with it unread would reset the connection and could
     * lose the answer ("broken pipe").
     */
    @Test
    void anAnswerThatDidNotNeedTheBodyReachesAClientSendingItUnasked() throws Exception {
        try (SecureNode node = SecureNode.start(tmp)) {
            byte[] first = ("{\"payload\":\"" + "a".repeat(150 * 1024)).getBytes(StandardCharsets.US_ASCII);
            byte[] second = ("a".repeat(150 * 1024) + "\"}").getBytes(StandardCharsets.US_ASCII);
            String admin = "Authorization: Bearer " + SecureNode.ADMIN_KEY + "\r\n";
            String next = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            record Case(String path, String authorization, int status, String code) {}
            for (Case c : List.of(new Case("/v1/semaphores/s/jobs", "", 401, "unauthorized"),
                    new Case("/v1/semaphores/s/jobs", "Authorization: Bearer not-a-key\r\n", 401, "unauthorized"),
                    new Case("/v1/no-such-route", admin, 404, "not_found"),
                    new Case("/v1/semaphores/Bad%20Name/jobs", admin, 400, "invalid_argument"))) {
                String head = "POST " + c.path() + " HTTP/1.1\r\nHost: x\r\n" + c.authorization()
                        + "Content-Type: application/json\r\nContent-Length: " + (first.length + second.length) + "\r\n\r\n";
                String answers = RawHttp.sendInTwoParts(node.server.port(), head, first, second, next);
                assertThat(answers).as(c.toString()).startsWith("HTTP/1.1 " + c.status() + " ")
                        .contains("\"code\":\"" + c.code() + "\"");
                assertThat(answers.substring(answers.indexOf("\r\n\r\n"))).as(c + ", then GET /healthz")
                        .contains("HTTP/1.1 200 ");
            }
        }
    }

    /** A client waiting for 100 Continue is not asked for a body its answer does not need: it reads the 401 without sending it. */
    @Test
    void aClientWaitingForContinueIsAnsweredWithoutBeingAskedForTheBody() throws Exception {
        try (SecureNode node = SecureNode.start(tmp)) {
            String answer = raw(node.server.port(), "POST /v1/semaphores/s/jobs HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 300000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 401 ").doesNotContain("100 Continue").contains("\"code\":\"unauthorized\"");
        }
    }

    @Test
    void headersPastTheLimitAre431AsAProblem() throws IOException {
        ServerSettings settings = ServerSettings.defaults().withPort(0).withDataDir(tmp)
                .withSecurity(SecuritySettings.defaults().withMaxHeaderBytes(4096));
        try (TestServer server = TestServer.start(settings)) {
            String ok = raw(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(3000) + "\r\nConnection: close\r\n\r\n");
            assertThat(ok).startsWith("HTTP/1.1 200");
            String big = raw(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(5000) + "\r\nConnection: close\r\n\r\n");
            assertThat(big).startsWith("HTTP/1.1 431").contains("Content-Type: application/problem+json")
                    .contains("\"code\":\"invalid_argument\"").contains("\"status\":431");
        }
    }

    @Test
    void pastTheConnectionLimitANewConnectionWaitsUntilOneCloses() throws Exception {
        ServerSettings settings = ServerSettings.defaults().withPort(0).withDataDir(tmp)
                .withSecurity(SecuritySettings.defaults().withMaxConnections(2));
        try (TestServer server = TestServer.start(settings)) {
            List<Socket> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                held.add(s);
                assertThat(readSome(s)).startsWith("HTTP/1.1 200");   // accepted and served; kept open (keep-alive)
            }
            CompletableFuture<Res> third = new Api(server.port()).sendAsync("GET", "/healthz", null);
            assertThatThrownBy(() -> third.get(1500, TimeUnit.MILLISECONDS))
                    .as("served while two connections are open, past a limit of two").isInstanceOf(TimeoutException.class);
            held.getFirst().close();
            assertThat(third.get(30, TimeUnit.SECONDS).status()).as("served once a connection closed").isEqualTo(200);
            held.getLast().close();
        }
    }

    private static String readSome(Socket s) throws IOException {
        s.setSoTimeout(20_000);
        byte[] buf = new byte[4096];
        int n = s.getInputStream().read(buf);
        return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aSilentOrDribblingClientIsCutOffAtTheIdleTimeoutButAWaitIsNot() throws Exception {
        ServerSettings settings = ServerSettings.defaults().withPort(0).withDataDir(tmp)
                .withSecurity(SecuritySettings.defaults().withIdleTimeout(Duration.ofSeconds(1)));
        try (TestServer server = TestServer.start(settings)) {
            String sem = server.semaphore("idle", "{'limit':0}");
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(30_000);
                InputStream in = s.getInputStream();
                // the server closes the connection (possibly after an error answer) instead of waiting forever
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                    try {
                        return in.read() == -1;
                    } catch (SocketTimeoutException e) {
                        return false;
                    } catch (IOException reset) {
                        return true;
                    }
                });
            }
            // a wait of 3 s on a closed gate outlives the 1 s idle timeout and ends with its answer
            Res waited = server.api().post("/v1/semaphores/" + sem + "/permits", j("{'wait':'3s'}"));
            assertThat(waited.status()).as(waited.toString()).isEqualTo(429);
            assertThat(waited.code()).isEqualTo("limit_reached");
        }
    }

    @Test
    void eachKeyMayHoldOnlySoManyWaitsAndOnlyWaitsCount() throws Exception {
        ServerSettings settings = ServerSettings.defaults().withPort(0).withDataDir(tmp);
        try (SecureNode node = SecureNode.start(settings, SecuritySettings.defaults().withMaxWaitsPerKey(2))) {
            String s = "/v1/semaphores/" + TestServer.name("w");
            assertThat(node.admin("PUT", s, j("{'limit':0}")).status()).isEqualTo(201);
            String greedy = node.key("greedy", "use:*");
            String other = node.key("other", "use:*");
            Api api = node.api;
            List<CompletableFuture<Res>> waits = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                waits.add(api.sendAsync("POST", s + "/permits", j("{'wait':'60s'}"), "Authorization", "Bearer " + greedy));
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> node.admin("GET", s, null).json().get("state").get("waiting").asInt() == 2);

            Res third = node.call(greedy, "POST", s + "/permits", j("{'wait':'60s'}"));
            assertThat(third.status()).as(third.toString()).isEqualTo(429);
            assertThat(third.code()).isEqualTo("too_many_waits");
            assertThat(third.headers().firstValue("Retry-After")).isPresent();
            Res claim = node.call(greedy, "POST", s + "/jobs/claim", j("{'wait':'60s'}"));
            assertThat(claim.code()).as("a long-polling claim counts too").isEqualTo("too_many_waits");
            Res malformed = node.call(greedy, "POST", s + "/permits", "{\"wait\":");
            assertThat(malformed.status()).as("a body the quota cannot read is the route's to refuse: " + malformed).isEqualTo(400);
            assertThat(malformed.code()).isEqualTo("invalid_argument");
            Res tryAcquire = node.call(greedy, "POST", s + "/permits", null);
            assertThat(tryAcquire.code()).as("a try does not wait, so it is not counted").isEqualTo("limit_reached");
            Res shortClaim = node.call(greedy, "POST", s + "/jobs/claim", null);
            assertThat(shortClaim.status()).as("nor a claim without a wait").isEqualTo(200);
            CompletableFuture<Res> othersWait = api.sendAsync("POST", s + "/permits", j("{'wait':'60s'}"), "Authorization", "Bearer " + other);

            assertThat(node.admin("PATCH", s, j("{'limit':3}")).status()).isEqualTo(200);
            for (CompletableFuture<Res> w : waits) {
                assertThat(w.get(30, TimeUnit.SECONDS).status()).isEqualTo(201);
            }
            assertThat(othersWait.get(30, TimeUnit.SECONDS).status()).as("another key's wait was never limited by the first's").isEqualTo(201);
            // the finished waits gave their places back
            CompletableFuture<Res> again = api.sendAsync("POST", s + "/permits", j("{'wait':'60s'}"), "Authorization", "Bearer " + greedy);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> node.admin("GET", s, null).json().get("state").get("waiting").asInt() == 1);
            assertThat(node.admin("PATCH", s, j("{'limit':4}")).status()).isEqualTo(200);
            assertThat(again.get(30, TimeUnit.SECONDS).status()).isEqualTo(201);
        }
    }

    @Test
    void aQueryStringThatDoesNotDecodeIsRefused() throws IOException {
        try (TestServer server = TestServer.start(tmp)) {
            for (String q : List.of("limit=%zz", "limit=%4", "cursor=%C3%28", "limit=%")) {
                String r = raw(server.port(), "GET /v1/semaphores?" + q + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(r).as(q).startsWith("HTTP/1.1 400").contains("application/problem+json").contains("invalid_argument");
            }
            assertThat(QueryCheck.decodes("limit=5&cursor=a%2Db")).isTrue();
            assertThat(QueryCheck.decodes("x=%E2%82%AC")).isTrue();
        }
    }

    @Test
    void whatJettyAnswersItselfIsAProblemToo() throws IOException {
        ServerSettings settings = ServerSettings.defaults().withPort(0).withDataDir(tmp)
                .withSecurity(SecuritySettings.defaults().withIdleTimeout(Duration.ofSeconds(1)));
        try (TestServer server = TestServer.start(settings)) {
            record Case(String request, int status) {}
            for (Case c : List.of(
                    new Case("GARBAGE\r\n\r\n", 400),
                    new Case("GET /v1/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400),
                    new Case("DELETE /v1/semaphores/a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400),
                    new Case("DELETE /v1/semaphores/x HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
                    new Case("PUT /v1/semaphores/x HTTP/1.1\r\nHost: x\r\nBad Header: y\r\nConnection: close\r\n\r\n", 400),
                    new Case("POST /v1/semaphores/x/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n", 400),
                    new Case("GET /" + "a/".repeat(5000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 414),
                    // a body promised and never sent: answered when the idle timeout runs out
                    new Case("PUT /v1/semaphores/x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{", 408))) {
                String r = raw(server.port(), c.request());
                assertThat(r).as(c.request()).startsWith("HTTP/1.1 " + c.status()).contains("Content-Type: application/problem+json")
                        .contains("\"status\":" + c.status()).containsPattern("\"code\":\"[a-z_]+\"");
            }
            // not a client of HTTP/1: Jetty's 505 stays a 5xx, as a problem with code unsupported
            String v = raw(server.port(), "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n");
            assertThat(v).startsWith("HTTP/1.1 505").contains("application/problem+json").contains("\"code\":\"unsupported\"");
        }
    }
}
