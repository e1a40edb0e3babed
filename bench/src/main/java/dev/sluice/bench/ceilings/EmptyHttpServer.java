package dev.sluice.bench.ceilings;

import io.javalin.Javalin;

/**
 * The ceiling of any HTTP acquire: the server stack Sluice runs on (Javalin 7 on Jetty 12,
 * handlers on virtual threads, as {@code SluiceServer} configures it) answering an empty 200.
 */
public final class EmptyHttpServer implements AutoCloseable {
    public static final String PATH = "/empty";
    private final Javalin app;

    private EmptyHttpServer(Javalin app) {
        this.app = app;
    }

    public static EmptyHttpServer start() {
        Javalin app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.http.responseBufferSize = 4096;   // as SluiceServer
            config.routes.get(PATH, ctx -> ctx.status(200));
        });
        app.start();
        return new EmptyHttpServer(app);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
