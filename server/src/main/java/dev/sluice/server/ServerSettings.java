package dev.sluice.server;

import dev.sluice.core.Limits;
import dev.sluice.core.Names;
import dev.sluice.core.semaphore.SemaphoreConfig;
import dev.sluice.server.security.SecuritySettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a node is started.
 *
 * @param host            the address to bind; loopback by default
 * @param port            0 picks a free port
 * @param dataDir         where the embedded store keeps its file
 * @param storeUrl        the JDBC URL of an external store, or null for the embedded one in {@code dataDir}
 * @param maxPayloadBytes the largest job payload accepted
 * @param semaphores      semaphores declared in the config file: created or replaced at start
 * @param observability   metrics and event-stream settings
 * @param security        API keys, TLS and connection limits
 */
public record ServerSettings(String host, int port, Path dataDir, String storeUrl, int maxPayloadBytes,
                             List<DeclaredSemaphore> semaphores, ObservabilitySettings observability,
                             SecuritySettings security) {

    public ServerSettings(String host, int port, Path dataDir, String storeUrl, int maxPayloadBytes,
                          List<DeclaredSemaphore> semaphores) {
        this(host, port, dataDir, storeUrl, maxPayloadBytes, semaphores, ObservabilitySettings.defaults(),
                SecuritySettings.defaults());
    }

    /** A semaphore the config file declares, with the config it must have. */
    public record DeclaredSemaphore(String name, SemaphoreConfig config) {
        public DeclaredSemaphore {
            Names.semaphore(name);
            Objects.requireNonNull(config, "config");
        }
    }

    public ServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 … 65535, got " + port);
        }
        if (maxPayloadBytes < 1 || maxPayloadBytes > Limits.MAX_PAYLOAD_BYTES_CEILING) {
            throw new IllegalArgumentException("the largest payload must be 1 … " + Limits.MAX_PAYLOAD_BYTES_CEILING
                    + " bytes, got " + maxPayloadBytes);
        }
        semaphores = List.copyOf(semaphores);
        Objects.requireNonNull(observability, "observability");
        Objects.requireNonNull(security, "security");
    }

    public static ServerSettings defaults() {
        return new ServerSettings("127.0.0.1", 8080, Path.of("data"), null, Limits.DEFAULT_MAX_PAYLOAD_BYTES, List.of());
    }

    public ServerSettings withPort(int newPort) {
        return new ServerSettings(host, newPort, dataDir, storeUrl, maxPayloadBytes, semaphores, observability, security);
    }

    public ServerSettings withHost(String newHost) {
        return new ServerSettings(newHost, port, dataDir, storeUrl, maxPayloadBytes, semaphores, observability, security);
    }

    public ServerSettings withDataDir(Path newDataDir) {
        return new ServerSettings(host, port, newDataDir, storeUrl, maxPayloadBytes, semaphores, observability, security);
    }

    public ServerSettings withStoreUrl(String newStoreUrl) {
        return new ServerSettings(host, port, dataDir, newStoreUrl, maxPayloadBytes, semaphores, observability, security);
    }

    public ServerSettings withMaxPayloadBytes(int newMaxPayloadBytes) {
        return new ServerSettings(host, port, dataDir, storeUrl, newMaxPayloadBytes, semaphores, observability, security);
    }

    public ServerSettings withSemaphores(List<DeclaredSemaphore> declared) {
        return new ServerSettings(host, port, dataDir, storeUrl, maxPayloadBytes, declared, observability, security);
    }

    public ServerSettings withObservability(ObservabilitySettings newObservability) {
        return new ServerSettings(host, port, dataDir, storeUrl, maxPayloadBytes, semaphores, newObservability, security);
    }

    public ServerSettings withSecurity(SecuritySettings newSecurity) {
        return new ServerSettings(host, port, dataDir, storeUrl, maxPayloadBytes, semaphores, observability, newSecurity);
    }
}
