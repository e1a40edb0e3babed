package dev.sluice.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tiny in-test HTTP server with canned or computed answers per {@code METHOD path-regex}, which
 * records every request. Handlers run on virtual threads, so they may block (long polls).
 */
final class FakeServer implements AutoCloseable {
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    record Request(String method, String path, String query, Map<String, List<String>> headers, JsonNode body,
                   Matcher match) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    record Reply(int status, String body, String contentType) {
        static Reply json(int status, String body) {
            return new Reply(status, body, "application/json");
        }

        static Reply problem(int status, String code, String detail) {
            return new Reply(status, "{\"type\":\"https://sluice.dev/problems/" + code + "\",\"title\":\"" + code
                    + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\",\"code\":\"" + code + "\"}",
                    "application/problem+json");
        }

        static Reply empty(int status) {
            return new Reply(status, "", null);
        }
    }

    private record Route(String method, Pattern path, Function<Request, Reply> handler) {
    }

    private final HttpServer server;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code method} requests whose path matches {@code pathRegex}; later routes win. */
    FakeServer on(String method, String pathRegex, Function<Request, Reply> handler) {
        routes.addFirst(new Route(method, Pattern.compile(pathRegex), handler));
        return this;
    }

    FakeServer on(String method, String pathRegex, Reply reply) {
        return on(method, pathRegex, r -> reply);
    }

    List<Request> requests(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return requests.stream().filter(r -> r.method().equals(method) && p.matcher(r.path()).matches()).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] in = ex.getRequestBody().readAllBytes();
            JsonNode body = in.length == 0 ? null : MAPPER.readTree(in);
            String path = ex.getRequestURI().getRawPath();
            Reply reply = Reply.problem(404, "not_found", "no route for " + ex.getRequestMethod() + " " + path);
            Matcher matched = null;
            for (Route route : routes) {
                Matcher m = route.path().matcher(path);
                if (route.method().equals(ex.getRequestMethod()) && m.matches()) {
                    matched = m;
                    Request req = new Request(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(),
                            Map.copyOf(ex.getRequestHeaders()), body, m);
                    requests.add(req);
                    reply = route.handler().apply(req);
                    break;
                }
            }
            if (matched == null) {
                requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(),
                        Map.copyOf(ex.getRequestHeaders()), body, null));
            }
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            if (reply.contentType() != null) {
                ex.getResponseHeaders().set("Content-Type", reply.contentType());
            }
            ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
