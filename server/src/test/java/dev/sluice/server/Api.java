package dev.sluice.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A minimal HTTP/JSON client of a test server: every call answers status, headers and the body
 * parsed as JSON (null when empty or not JSON). Bodies are a JSON string, a {@code byte[]} sent
 * as is, or any object Jackson can write.
 */
public final class Api {
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** An answer of the server. */
    public record Res(int status, HttpHeaders headers, String text, JsonNode json) {
        public String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        /** The problem code of a problem+json answer, or "". */
        public String code() {
            return json == null ? "" : json.path("code").asString("");
        }

        public String str(String field) {
            return json.path(field).asString(null);
        }

        public long num(String field) {
            return json.path(field).asLong();
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    private final HttpClient http;
    private final String base;

    public Api(int port) {
        this.base = "http://127.0.0.1:" + port;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** JSON written with single quotes, for readability: {@code j("{'limit':5}")}. */
    public static String j(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    public Res get(String path) {
        return send("GET", path, null);
    }

    public Res put(String path, Object body) {
        return send("PUT", path, body);
    }

    public Res patch(String path, Object body) {
        return send("PATCH", path, body);
    }

    public Res post(String path) {
        return send("POST", path, null);
    }

    public Res post(String path, Object body) {
        return send("POST", path, body);
    }

    public Res delete(String path) {
        return send("DELETE", path, null);
    }

    public Res send(String method, String path, Object body, String... headers) {
        try {
            return sendAsync(method, path, body, headers).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(method + " " + path + ": " + io, io);
            }
            throw e;
        }
    }

    public CompletableFuture<Res> sendAsync(String method, String path, Object body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (body == null) {
            b.method(method, BodyPublishers.noBody());
        } else {
            byte[] bytes = switch (body) {
                case byte[] raw -> raw;
                case String s -> s.getBytes(StandardCharsets.UTF_8);
                default -> MAPPER.writeValueAsBytes(body);
            };
            b.method(method, BodyPublishers.ofByteArray(bytes));
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.sendAsync(b.build(), BodyHandlers.ofString()).thenApply(Api::parse);
    }

    private static Res parse(HttpResponse<String> r) {
        JsonNode json = null;
        String text = r.body();
        if (text != null && !text.isEmpty()) {
            try {
                json = MAPPER.readTree(text);
            } catch (JacksonException e) {
                json = null;
            }
        }
        return new Res(r.statusCode(), r.headers(), text, json);
    }
}
