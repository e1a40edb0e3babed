package dev.sluice.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;

/** A real Sluice node on a free port over a fresh data directory, with a client of it. */
public final class TestServer implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final SluiceServer server;
    private final Api api;

    private TestServer(SluiceServer server) {
        this.server = server;
        this.api = new Api(server.port());
    }

    public static TestServer start(Path dataDir) {
        return new TestServer(SluiceServer.start(ServerSettings.defaults().withPort(0).withDataDir(dataDir)));
    }

    /** A node started with these settings (give port 0). */
    public static TestServer start(ServerSettings settings) {
        return new TestServer(SluiceServer.start(settings));
    }

    public Api api() {
        return api;
    }

    public int port() {
        return server.port();
    }

    /** A semaphore name not used before in this JVM. */
    public static String name(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    /** Creates a semaphore with a fresh name and the given config (JSON, single quotes allowed). */
    public String semaphore(String prefix, String config) {
        String name = name(prefix);
        Api.Res r = api.put("/v1/semaphores/" + name, Api.j(config));
        if (r.status() != 201) {
            throw new AssertionError("creating " + name + ": " + r);
        }
        return name;
    }

    /** The live state of a semaphore ({@code state} of its view). */
    public JsonNode state(String semaphore) {
        Api.Res r = api.get("/v1/semaphores/" + semaphore);
        if (r.status() != 200) {
            throw new AssertionError("reading " + semaphore + ": " + r);
        }
        return r.json().get("state");
    }

    /** Waits until the semaphore's {@code state.<field>} equals {@code value}. */
    public void awaitState(String semaphore, String field, long value) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> state(semaphore).get(field).asLong() == value);
    }

    @Override
    public void close() {
        server.close();
    }
}
