package dev.sluice.server;

import dev.sluice.core.Limits;
import java.nio.file.Path;

/**
 * How a node is started.
 *
 * @param host            the address to bind; loopback by default
 * @param port            0 picks a free port
 * @param dataDir         where the embedded store keeps its file
 * @param maxPayloadBytes the largest job payload accepted
 */
public record ServerSettings(String host, int port, Path dataDir, int maxPayloadBytes) {
    public static ServerSettings defaults() {
        return new ServerSettings("127.0.0.1", 8080, Path.of("data"), Limits.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    public ServerSettings withPort(int newPort) {
        return new ServerSettings(host, newPort, dataDir, maxPayloadBytes);
    }

    public ServerSettings withHost(String newHost) {
        return new ServerSettings(newHost, port, dataDir, maxPayloadBytes);
    }

    public ServerSettings withDataDir(Path newDataDir) {
        return new ServerSettings(host, port, newDataDir, maxPayloadBytes);
    }
}
