package dev.sluice.cli.config;

import dev.sluice.core.Limits;
import dev.sluice.core.Names;
import dev.sluice.core.SluiceException;
import dev.sluice.server.ServerSettings.DeclaredSemaphore;
import dev.sluice.store.json.ConfigCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The config file ({@code sluice.yaml}): server settings and the semaphores to declare. The same
 * file serves {@code sluice server --config} and {@code sluice apply -f}.
 *
 * <pre>
 * server:
 *   port: 8080
 *   data: ./data
 * semaphores:
 *   - name: partner-api
 *     limit: 10
 *     leaseTimeout: 30s
 * </pre>
 *
 * Each item of {@code semaphores} is {@code name} plus the fields of the {@code PUT} body.
 *
 * @param server     settings under {@code server:}, each null when the file leaves it out
 * @param semaphores the declared semaphores, in file order, each with its {@code PUT} body
 */
public record ConfigFile(Server server, List<Semaphore> semaphores) {

    /** The {@code server:} section. */
    public record Server(String host, Integer port, Path data, String store, Integer maxPayloadBytes) {
        static final Server EMPTY = new Server(null, null, null, null, null);
    }

    /** One declared semaphore: its name and its config as the {@code PUT} body. */
    public record Semaphore(String name, ObjectNode body) {
        public DeclaredSemaphore declared() {
            return new DeclaredSemaphore(name, ConfigCodec.fromJson(body));
        }
    }

    /** A file that cannot be used, with what is wrong and where. */
    public static final class InvalidConfigException extends RuntimeException {
        InvalidConfigException(String message) {
            super(message);
        }
    }

    /** No file: nothing set, nothing declared. */
    public static final ConfigFile NONE = new ConfigFile(Server.EMPTY, List.of());

    private static final Set<String> TOP = Set.of("server", "semaphores");
    private static final Set<String> SERVER = Set.of("host", "port", "data", "store", "maxPayload");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB)?", Pattern.CASE_INSENSITIVE);

    public static ConfigFile read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidConfigException("cannot read the config file " + file + ": " + e.getMessage());
        }
        try {
            return parse(text, file.toString());
        } catch (SluiceException e) {
            throw new InvalidConfigException(file + ": " + e.getMessage());
        }
    }

    static ConfigFile parse(String text, String source) {
        JsonNode root;
        try {
            root = YAMLMapper.builder().build().readTree(text);
        } catch (JacksonException e) {
            throw new InvalidConfigException(source + " is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return NONE;
        }
        if (!root.isObject()) {
            throw new InvalidConfigException(source + ": the top level must be a mapping with server: and semaphores:");
        }
        unknownKeys(root, TOP, source, "at the top level");
        return new ConfigFile(server(root.get("server"), source), semaphores(root.get("semaphores"), source));
    }

    private static Server server(JsonNode n, String source) {
        if (n == null || n.isNull()) {
            return Server.EMPTY;
        }
        if (!n.isObject()) {
            throw new InvalidConfigException(source + ": server: must be a mapping");
        }
        unknownKeys(n, SERVER, source, "under server:");
        Integer port = null;
        if (n.hasNonNull("port")) {
            JsonNode p = n.get("port");
            if (!p.isIntegralNumber() || p.asLong() < 0 || p.asLong() > 65_535) {
                throw new InvalidConfigException(source + ": server.port must be a number 0 … 65535");
            }
            port = p.asInt();
        }
        return new Server(text(n, "host", source), port,
                n.hasNonNull("data") ? Path.of(text(n, "data", source)) : null,
                text(n, "store", source), size(n.get("maxPayload"), source));
    }

    private static List<Semaphore> semaphores(JsonNode n, String source) {
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new InvalidConfigException(source + ": semaphores: must be a list of items with name: and limit:");
        }
        List<Semaphore> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        int index = 0;
        for (JsonNode item : n) {
            String where = source + ": semaphores[" + index++ + "]";
            if (!item.isObject() || !item.hasNonNull("name") || !item.get("name").isString()) {
                throw new InvalidConfigException(where + " must be a mapping with a name:");
            }
            String name = item.get("name").asString();
            try {
                Names.semaphore(name);
                ObjectNode body = ((ObjectNode) item).deepCopy();
                body.remove("name");
                ConfigCodec.fromJson(body);   // refuse a bad file before anything is applied
                if (!seen.add(name)) {
                    throw new InvalidConfigException(where + ": semaphore " + name + " is declared twice");
                }
                out.add(new Semaphore(name, body));
            } catch (SluiceException e) {
                throw new InvalidConfigException(where + " (" + name + "): " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static String text(JsonNode n, String field, String source) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString() && !v.isNumber()) {
            throw new InvalidConfigException(source + ": server." + field + " must be a string");
        }
        return v.asString();
    }

    /** A size: a number of bytes, or a number with B, KiB or MiB. */
    private static Integer size(JsonNode v, String source) {
        if (v == null || v.isNull()) {
            return null;
        }
        long bytes;
        Matcher m = SIZE.matcher(v.asString().strip());
        if (v.isIntegralNumber()) {
            bytes = v.asLong();
        } else if (v.isString() && m.matches()) {
            String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
            long factor = switch (unit) {
                case "kib" -> 1024L;
                case "mib" -> 1024L * 1024;
                default -> 1L;
            };
            bytes = Long.parseLong(m.group(1)) * factor;
        } else {
            throw new InvalidConfigException(source + ": server.maxPayload must be a size like 262144, 256KiB or 1MiB");
        }
        if (bytes < 1 || bytes > Limits.MAX_PAYLOAD_BYTES_CEILING) {
            throw new InvalidConfigException(source + ": server.maxPayload must be 1 byte … 16MiB");
        }
        return (int) bytes;
    }

    private static void unknownKeys(JsonNode n, Set<String> known, String source, String where) {
        for (String key : n.propertyNames()) {
            if (!known.contains(key)) {
                throw new InvalidConfigException(source + ": unknown key " + key + " " + where + " (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }
}
