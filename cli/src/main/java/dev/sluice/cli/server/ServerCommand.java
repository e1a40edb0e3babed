package dev.sluice.cli.server;

import dev.sluice.cli.config.ConfigFile;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import dev.sluice.store.sql.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice server}: runs one node until interrupted. A setting comes from its flag, else its
 * {@code SLUICE_*} environment variable, else the config file, else the default.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Start a Sluice node (HTTP API on --bind:--port, embedded store in --data).",
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

    @Option(names = "--store", defaultValue = "${env:SLUICE_STORE}", description = "JDBC URL of an external store (env SLUICE_STORE).")
    String store;

    @Option(names = "--config", defaultValue = "${env:SLUICE_CONFIG}", paramLabel = "FILE",
            description = "Config file (YAML) of server settings and semaphores to declare (env SLUICE_CONFIG).")
    Path config;

    @Mixin
    SecurityOptions security;

    @Override
    public Integer call() throws Exception {
        ServerSettings settings;
        try {
            settings = settings().withSecurity(security.settings(System.getenv("SLUICE_ADMIN_KEY")));
        } catch (ConfigFile.InvalidConfigException | IllegalArgumentException e) {
            System.err.println("sluice: " + e.getMessage());
            return 2;
        }
        if (settings.storeUrl() != null) {
            System.err.println("sluice: --store " + settings.storeUrl() + " is not supported yet; only the embedded store (--data) is.");
            return 2;
        }
        SluiceServer server;
        try {
            server = SluiceServer.start(settings);
        } catch (IllegalArgumentException e) {   // keys asked for but none configured, an unusable TLS file
            System.err.println("sluice: " + e.getMessage());
            return 2;
        } catch (StoreException e) {   // a data directory that cannot be written: read-only, full, not ours
            System.err.println("sluice: " + e.getMessage());
            return 1;
        }
        System.out.println("Sluice is serving on " + (settings.security().tls() ? "https" : "http") + "://" + settings.host() + ":" + server.port()
                + " (store: " + settings.dataDir().toAbsolutePath().normalize() + ")");
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
        return new ServerSettings(
                first(host, s.host(), d.host()),
                first(port, s.port(), d.port()),
                first(data, s.data(), d.dataDir()),
                first(store, s.store(), null),
                first(null, s.maxPayloadBytes(), d.maxPayloadBytes()),
                file.semaphores().stream().map(ConfigFile.Semaphore::declared).toList());
    }

    private static <T> T first(T flagOrEnv, T fromFile, T fallback) {
        if (flagOrEnv instanceof String str && str.isBlank()) {
            flagOrEnv = null;
        }
        return flagOrEnv != null ? flagOrEnv : fromFile != null ? fromFile : fallback;
    }
}
