package dev.sluice.cli.server;

import dev.sluice.cli.config.ConfigFile;
import dev.sluice.server.ObservabilitySettings;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.store.postgres.PostgresUrl;
import dev.sluice.store.sql.StoreException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice server}: runs one node until interrupted. A setting comes from its flag, else its
 * {@code SLUICE_*} environment variable, else the config file, else the default.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Start a Sluice node (HTTP API on --bind:--port, embedded store in --data).",
                "With --store, the node keeps its state in PostgreSQL instead, shared with any number of other nodes."},
        footer = {"", "A flag wins over its SLUICE_* variable, which wins over the config file.",
                "The config file declares server settings and semaphores; see docs/config.md."})
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "${env:SLUICE_PORT}", description = "Port to listen on (default 8080; env SLUICE_PORT).")
    Integer port;

    @Option(names = {"--bind", "--host"}, defaultValue = "${env:SLUICE_HOST}",
            description = "Address to bind (default 127.0.0.1; env SLUICE_HOST). Any other than loopback asks for API keys.")
    String host;

    @Option(names = "--data", defaultValue = "${env:SLUICE_DATA}", description = "Directory of the embedded store (default ./data; env SLUICE_DATA).")
    Path data;

    @Option(names = "--store", defaultValue = "${env:SLUICE_STORE}", paramLabel = "URL",
            description = {"PostgreSQL (14 or newer) to keep the state in, shared by every node started with it (env SLUICE_STORE):",
                    "jdbc:postgresql://host:5432/db?user=u&password=p  or  postgresql://u:p@host:5432/db;",
                    "add poolSize=N for N connections per node (default 10). See docs/deploy.md."})
    String store;

    @Option(names = "--config", defaultValue = "${env:SLUICE_CONFIG}", paramLabel = "FILE",
            description = "Config file (YAML) of server settings and semaphores to declare (env SLUICE_CONFIG).")
    Path config;

    @Option(names = "--log-format", defaultValue = "${env:SLUICE_LOG_FORMAT}", paramLabel = "text|json",
            description = "Log lines as text (default) or as one JSON object per line (env SLUICE_LOG_FORMAT).")
    String logFormat;

    @Option(names = "--metrics-semaphores", defaultValue = "${env:SLUICE_METRICS_SEMAPHORES}", paramLabel = "N",
            description = "How many semaphores get metric series of their own (default 100); the others are summed "
                    + "under semaphore=\"_other\" (env SLUICE_METRICS_SEMAPHORES).")
    Integer metricsSemaphores;

    @Option(names = "--otlp-endpoint", defaultValue = "${env:SLUICE_OTLP_ENDPOINT}", paramLabel = "URL",
            description = "Send OpenTelemetry spans (acquire, wait, delivery) over OTLP/HTTP to URL, e.g. "
                    + "http://localhost:4318 (env SLUICE_OTLP_ENDPOINT). Off by default.")
    String otlpEndpoint;

    @Mixin
    SecurityOptions security;

    @Override
    public Integer call() throws Exception {
        ServerSettings settings;
        try {
            LogFormat.apply(logFormat);
            settings = settings().withSecurity(security.settings(System.getenv("SLUICE_ADMIN_KEY")));
        } catch (ConfigFile.InvalidConfigException | IllegalArgumentException e) {
            System.err.println("sluice: " + e.getMessage());
            return 2;
        }
        SluiceServer server;
        try {
            server = SluiceServer.start(settings);
        } catch (IllegalArgumentException e) {
            System.err.println("sluice: " + e.getMessage());
            return 2;
        } catch (StoreException e) {
            System.err.println("sluice: " + e.getMessage());
            return 1;
        }
        String where = settings.storeUrl() != null ? PostgresUrl.mask(settings.storeUrl())
                : settings.dataDir().toAbsolutePath().normalize().toString();
        System.out.println("Sluice is serving on " + (settings.security().tls() ? "https" : "http") + "://" + settings.host() + ":"
                + server.port() + " (store: " + where + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    ServerSettings settings() {
        ConfigFile file = config == null ? ConfigFile.NONE
                : ConfigFile.read(config);
        ConfigFile.Server s = file.server();
        ServerSettings d = ServerSettings.defaults();
        ObservabilitySettings observability = ObservabilitySettings.defaults();
        if (metricsSemaphores != null) {
            observability = observability.withLabelledSemaphores(metricsSemaphores);
        }
        if (otlpEndpoint != null && !otlpEndpoint.isBlank()) {
            observability = observability.withOtlpEndpoint(otlpEndpoint);
        }
        return new ServerSettings(
                first(host, s.host(), d.host()),
                first(port, s.port(), d.port()),
                first(data, s.data(), d.dataDir()),
                first(store, s.store(), null),
                first(null, s.maxPayloadBytes(), d.maxPayloadBytes()),
                file.semaphores().stream().map(ConfigFile.Semaphore::declared).toList(),
                observability, d.security());
    }

    private static <T> T first(T flagOrEnv, T fromFile, T fallback) {
        if (flagOrEnv instanceof String str && str.isBlank()) {
            flagOrEnv = null;
        }
        return flagOrEnv != null ? flagOrEnv : fromFile != null ? fromFile : fallback;
    }
}
