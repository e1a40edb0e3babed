package dev.sluice.cli.server;

import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice server}: runs one node until interrupted. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Start a Sluice node (HTTP API on --host:--port, embedded store in --data).")
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "${env:SLUICE_PORT:-8080}", description = "Port to listen on (default: ${DEFAULT-VALUE}; env SLUICE_PORT).")
    int port;

    @Option(names = "--host", defaultValue = "${env:SLUICE_HOST:-127.0.0.1}", description = "Address to bind (default: ${DEFAULT-VALUE}; env SLUICE_HOST).")
    String host;

    @Option(names = "--data", defaultValue = "${env:SLUICE_DATA:-./data}", description = "Directory of the embedded store (default: ${DEFAULT-VALUE}; env SLUICE_DATA).")
    Path data;

    @Option(names = "--store", defaultValue = "${env:SLUICE_STORE}", description = "JDBC URL of an external store (PostgreSQL: not available yet).")
    String store;

    @Override
    public Integer call() throws Exception {
        if (store != null && !store.isBlank()) {
            System.err.println("sluice: --store " + store + " is not supported yet; only the embedded store (--data) is.");
            return 2;
        }
        SluiceServer server = SluiceServer.start(new ServerSettings(host, port, data,
                ServerSettings.defaults().maxPayloadBytes()));
        System.out.println("Sluice is serving on http://" + host + ":" + server.port() + " (store: " + data.toAbsolutePath().normalize() + ")");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
