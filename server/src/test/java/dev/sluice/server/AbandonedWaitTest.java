package dev.sluice.server;

import static dev.sluice.server.Api.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.Api.Res;
import dev.sluice.server.security.SecuritySettings;
import dev.sluice.server.security.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that gives up a waiting request by closing its connection takes its place in the queue
 * with it, at once rather than at its deadline: no permit goes to nobody, and who waits behind it
 * is served when capacity frees. Over real sockets, on both stores.
 */
class AbandonedWaitTest {
    /** Far longer than any test here waits for the server to notice: only the closed connection can end these. */
    private static final String LONG_WAIT = "{'wait':'PT5M'}";
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @TempDir
    static Path dataDir;
    static TestServer server;
    static Api api;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        api = server.api();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String permits(String name) {
        return "/v1/semaphores/" + name + "/permits";
    }

    private static double waitingRequests(String kind) {
        return Scrape.of(api).value("sluice_requests_waiting", "kind", kind);
    }

    @Test
    void aWaiterWhoseClientClosedItsSocketLeavesTheQueueAndTheNextWaiterIsGranted() throws Exception {
        String name = server.semaphore("gone", "{'limit':1}");
        Res held = api.post(permits(name));
        assertThat(held.status()).isEqualTo(201);

        try (RawRequest gone = RawRequest.post(server.port(), permits(name), LONG_WAIT)) {
            server.awaitState(name, "waiting", 1);
            try (RawRequest next = RawRequest.post(server.port(), permits(name), LONG_WAIT)) {
                server.awaitState(name, "waiting", 2);

                gone.close();

                await().atMost(PROMPTLY).until(() -> server.state(name).get("waiting").asInt() == 1);
                assertThat(server.state(name).get("inUse").asInt()).isEqualTo(1);
                await().atMost(PROMPTLY).until(() -> waitingRequests("acquire") == 1);

                assertThat(api.delete(permits(name) + "/" + held.str("permitId")).status()).isEqualTo(204);

                assertThat(next.status()).as("the waiter behind is granted").isEqualTo(201);
                assertThat(server.state(name).get("inUse").asInt()).as("one permit, the one next holds").isEqualTo(1);
                assertThat(server.state(name).get("waiting").asInt()).isZero();
            }
        }
    }

    @Test
    void manyAbandonedWaitersLeaveNoPermitHeldByNobody() throws Exception {
        String name = server.semaphore("gone-many", "{'limit':1}");
        Res held = api.post(permits(name));
        List<RawRequest> waiters = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                waiters.add(RawRequest.post(server.port(), permits(name), LONG_WAIT));
            }
            server.awaitState(name, "waiting", 8);
        } finally {
            for (RawRequest w : waiters) {
                w.close();
            }
        }

        await().atMost(PROMPTLY).until(() -> server.state(name).get("waiting").asInt() == 0);
        assertThat(api.delete(permits(name) + "/" + held.str("permitId")).status()).isEqualTo(204);

        assertThat(server.state(name).get("inUse").asInt()).as("no permit went to a client that had gone").isZero();
        Res next = api.post(permits(name));
        assertThat(next.status()).as("the capacity is free at once, not after a lease").isEqualTo(201);
        assertThat(next.num("fencingToken")).as("granted to nobody in between").isEqualTo(held.num("fencingToken") + 1);
    }

    @Test
    void aWaitThatIsAnsweredLeavesItsConnectionUsableForTheNextRequest() throws Exception {
        String name = server.semaphore("kept", "{'limit':1}");
        Res held = api.post(permits(name));
        try (RawRequest waiter = RawRequest.post(server.port(), permits(name), "{'wait':'PT30S'}")) {
            server.awaitState(name, "waiting", 1);
            api.delete(permits(name) + "/" + held.str("permitId"));
            assertThat(waiter.status()).isEqualTo(201);
            String permitId = Api.MAPPER.readTree(waiter.body()).get("permitId").asString();

            // the same connection, kept alive: the watch gave the connection back to Jetty untouched
            waiter.send("DELETE", permits(name) + "/" + permitId, null);
            assertThat(waiter.status()).isEqualTo(204);
            assertThat(server.state(name).get("inUse").asInt()).isZero();
        }
    }

    @Test
    void aLongPollingClaimWhoseClientHasGoneGetsNoJob() throws Exception {
        String name = server.semaphore("gone-claim", "{'limit':2}");
        double before = waitingRequests("claim");
        try (RawRequest claim = RawRequest.post(server.port(), "/v1/semaphores/" + name + "/jobs/claim", LONG_WAIT)) {
            await().atMost(PROMPTLY).until(() -> waitingRequests("claim") == before + 1);
            claim.close();
            await().atMost(PROMPTLY).until(() -> waitingRequests("claim") == before);
        }

        Res job = api.post("/v1/semaphores/" + name + "/jobs", j("{'payload':{'n':1}}"));
        assertThat(job.status()).isEqualTo(202);
        assertThat(api.get("/v1/semaphores/" + name + "/jobs/" + job.str("jobId")).str("state"))
                .as("not handed to the claim of a client that has gone").isEqualTo("waiting");
        Res claimed = api.post("/v1/semaphores/" + name + "/jobs/claim", j("{'max':1}"));
        assertThat(claimed.json().get("jobs")).hasSize(1);
        assertThat(claimed.json().get("jobs").get(0).get("jobId").asString()).isEqualTo(job.str("jobId"));
    }

    @Test
    void overTlsToo(@TempDir Path tmp) throws Exception {
        TestCertificates certs = TestCertificates.make(java.nio.file.Files.createDirectory(tmp.resolve("certs")), "ip:127.0.0.1");
        SSLContext trust = trusting(certs.ca());
        try (TestServer tls = TestServer.start(tmp.resolve("data"), s -> s.withSecurity(SecuritySettings.defaults().withTls(certs.chain(), certs.key())))) {
            String name = "tls-gone";
            String p = permits(name);
            try (RawRequest admin = RawRequest.open(tls(trust, tls.port()))) {
                admin.send("PUT", "/v1/semaphores/" + name, j("{'limit':1}"));
                assertThat(admin.status()).isEqualTo(201);
                admin.send("POST", p, j("{}"));
                assertThat(admin.status()).isEqualTo(201);
                String held = Api.MAPPER.readTree(admin.body()).get("permitId").asString();

                try (RawRequest gone = RawRequest.post(tls(trust, tls.port()), p, LONG_WAIT);
                     RawRequest next = RawRequest.post(tls(trust, tls.port()), p, "{'wait':'PT30S'}")) {
                    await().atMost(PROMPTLY).until(() -> waiting(admin, name) == 2);
                    gone.close();
                    await().atMost(PROMPTLY).until(() -> waiting(admin, name) == 1);

                    admin.send("DELETE", p + "/" + held, null);
                    assertThat(admin.status()).isEqualTo(204);
                    assertThat(next.status()).isEqualTo(201);
                    String granted = Api.MAPPER.readTree(next.body()).get("permitId").asString();
                    next.send("DELETE", p + "/" + granted, null);
                    assertThat(next.status()).as("the answered connection is usable again").isEqualTo(204);
                    assertThat(waiting(admin, name)).isZero();
                }
            }
        }
    }

    private static long waiting(RawRequest on, String name) throws IOException {
        on.send("GET", "/v1/semaphores/" + name, null);
        assertThat(on.status()).isEqualTo(200);
        return Api.MAPPER.readTree(on.body()).get("state").get("waiting").asLong();
    }

    private static Socket tls(SSLContext trust, int port) throws IOException {
        SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters params = socket.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(params);
        socket.startHandshake();
        return socket;
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(caPem)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /** One HTTP/1.1 request written to a socket of its own, whose answer is read when asked for. */
    static final class RawRequest implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private String body;

        private RawRequest(Socket socket) throws IOException {
            this.socket = socket;
            this.socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        }

        static RawRequest post(int port, String path, String singleQuotedJson) throws IOException {
            return post(new Socket("127.0.0.1", port), path, singleQuotedJson);
        }

        /** A connection to send requests on, one at a time. */
        static RawRequest open(Socket socket) throws IOException {
            return new RawRequest(socket);
        }

        static RawRequest post(Socket socket, String path, String singleQuotedJson) throws IOException {
            RawRequest r = new RawRequest(socket);
            r.send("POST", path, j(singleQuotedJson));
            return r;
        }

        void send(String method, String path, String json) throws IOException {
            byte[] content = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (json == null ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + content.length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
        }

        /** Reads the answer's status line, headers and body; returns the status. */
        int status() throws IOException {
            String statusLine = in.readLine();
            if (statusLine == null) {
                throw new IOException("the connection closed without an answer");
            }
            int length = 0;
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            char[] chars = new char[length];
            int read = 0;
            while (read < length) {
                int n = in.read(chars, read, length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            body = new String(chars, 0, read);
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        String body() {
            return body;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
