package dev.sluice.cli.keys;

import dev.sluice.server.security.Pem;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code sluice keys create|ls|revoke}: API keys of a running node, through its HTTP API with an
 * admin key. Exit codes: 0 done, 1 refused by the server or unreachable, 2 bad usage.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Make, list and revoke API keys of a running node (needs an admin key).",
        subcommands = {KeysCommand.CreateKey.class, KeysCommand.ListKeys.class, KeysCommand.RevokeKey.class},
        footer = {"", "The admin key comes from SLUICE_API_KEY or --api-key-file, the node from --url or SLUICE_URL.",
                "Scopes: admin, metrics, manage:<pattern>, use:<pattern>; * in a pattern stands for any run of name characters."})
public final class KeysCommand implements Runnable {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "${env:SLUICE_URL:-http://localhost:8080}", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The node (default http://localhost:8080; env SLUICE_URL).")
    String url;

    @Option(names = "--api-key-file", defaultValue = "${env:SLUICE_API_KEY_FILE}", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "File holding the admin key to call with. Or set SLUICE_API_KEY.")
    Path apiKeyFile;

    @Option(names = "--ca-cert", defaultValue = "${env:SLUICE_CA_CERT}", paramLabel = "PEM", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Trust exactly these certificates for https (a private CA, a self-signed server; env SLUICE_CA_CERT).")
    Path caCert;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A failure to report on stderr, with the exit code to return. */
    static final class Failure extends Exception {
        final int exit;

        Failure(int exit, String message) {
            super(message, null, false, false);
            this.exit = exit;
        }
    }

    /** Sends a request with the admin key; returns the 2xx body (null when empty) or throws with the problem's detail. */
    JsonNode call(String method, String path, JsonNode body) throws Failure {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (caCert != null) {
            try {
                client.sslContext(Pem.trusting(caCert));
            } catch (IllegalArgumentException e) {
                throw new Failure(2, e.getMessage());
            }
        }
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        } catch (IllegalArgumentException e) {
            throw new Failure(2, "--url is not a URL: " + url);
        }
        String key = apiKey();
        if (key != null) {
            req.header("Authorization", "Bearer " + key);
        }
        req.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (body != null) {
            req.header("Content-Type", "application/json");
        }
        HttpResponse<String> r;
        try (HttpClient http = client.build()) {
            r = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new Failure(1, "cannot connect to " + base);
        } catch (SSLException e) {
            throw new Failure(1, "TLS with " + base + " failed: " + e.getMessage()
                    + (caCert == null ? " (a private CA or self-signed certificate? give it with --ca-cert)" : ""));
        } catch (IOException e) {
            throw new Failure(1, method + " " + base + path + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(1, "interrupted");
        }
        JsonNode json = null;
        if (r.body() != null && !r.body().isBlank()) {
            try {
                json = JSON.readTree(r.body());
            } catch (JacksonException e) {
                json = null;
            }
        }
        if (r.statusCode() / 100 != 2) {
            String detail = json != null && json.hasNonNull("detail") ? json.get("detail").asString() : "HTTP " + r.statusCode();
            String hint = r.statusCode() == 401 && key == null ? " (set SLUICE_API_KEY or --api-key-file to an admin key)" : "";
            throw new Failure(1, detail + hint);
        }
        return json;
    }

    private String apiKey() throws Failure {
        if (apiKeyFile != null) {
            try {
                return Files.readString(apiKeyFile).strip();
            } catch (IOException e) {
                throw new Failure(2, "cannot read " + apiKeyFile + ": " + e.getMessage());
            }
        }
        String env = System.getenv("SLUICE_API_KEY");
        return env == null || env.isBlank() ? null : env.strip();
    }

    int run(PrintWriter err, Action action) {
        try {
            action.run();
            return 0;
        } catch (Failure f) {
            err.println("sluice keys: " + f.getMessage());
            return f.exit;
        }
    }

    interface Action {
        void run() throws Failure;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Make a key; its secret is printed once.")
    static final class CreateKey implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;

        @Option(names = "--name", required = true, description = "What the key is for, e.g. \"billing workers\".")
        String name;

        @Option(names = "--scope", required = true, paramLabel = "SCOPE",
                description = "A scope (repeat for several): admin, metrics, manage:<pattern>, use:<pattern>.")
        List<String> scopes;

        @Option(names = {"-q", "--quiet"}, description = "Print only the key, e.g. for export SLUICE_API_KEY=$(sluice keys create -q …).")
        boolean quiet;

        @Override
        public Integer call() {
            PrintWriter out = keys.spec.commandLine().getOut();
            return keys.run(keys.spec.commandLine().getErr(), () -> {
                ObjectNode body = JSON.createObjectNode();
                body.put("name", name);
                scopes.forEach(body.putArray("scopes")::add);
                JsonNode made = keys.call("POST", "/v1/keys", body);
                if (quiet) {
                    out.println(made.get("key").asString());
                } else {
                    out.println("id:     " + made.get("id").asString());
                    out.println("name:   " + made.get("name").asString());
                    out.println("scopes: " + String.join(" ", made.get("scopes").valueStream().map(JsonNode::asString).toList()));
                    out.println("key:    " + made.get("key").asString());
                    out.println("Keep the key now: it is not shown again. Revoke it with: sluice keys revoke " + made.get("id").asString());
                }
                out.flush();
            });
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List the keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;

        @Override
        public Integer call() {
            PrintWriter out = keys.spec.commandLine().getOut();
            return keys.run(keys.spec.commandLine().getErr(), () -> {
                JsonNode items = keys.call("GET", "/v1/keys", null).get("items");
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"ID", "NAME", "SCOPES", "CREATED"});
                for (JsonNode k : items) {
                    rows.add(new String[] {k.get("id").asString(), k.get("name").asString(),
                            String.join(" ", k.get("scopes").valueStream().map(JsonNode::asString).toList()),
                            k.get("source").asString().equals("config") ? "(configured)" : k.get("createdAt").asString()});
                }
                int[] width = new int[4];
                for (String[] row : rows) {
                    for (int i = 0; i < 4; i++) {
                        width[i] = Math.max(width[i], row[i].length());
                    }
                }
                for (String[] row : rows) {
                    out.println(String.format("%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %s", (Object[]) row).stripTrailing());
                }
                out.flush();
            });
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke keys at once, by id.")
    static final class RevokeKey implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;

        @Parameters(arity = "1..*", paramLabel = "ID", description = "Key ids, as sluice keys ls shows them.")
        List<String> ids;

        @Override
        public Integer call() {
            PrintWriter out = keys.spec.commandLine().getOut();
            return keys.run(keys.spec.commandLine().getErr(), () -> {
                for (String id : ids) {
                    keys.call("DELETE", "/v1/keys/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8), null);
                    out.println("revoked " + id);
                }
                out.flush();
            });
        }
    }
}
