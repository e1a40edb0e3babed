package dev.sluice.cli.apply;

import dev.sluice.cli.config.ConfigFile;
import dev.sluice.cli.remote.CliFailure;
import dev.sluice.cli.remote.ExitCodes;
import dev.sluice.cli.remote.Output;
import dev.sluice.cli.remote.Progress;
import dev.sluice.cli.remote.RemoteOptions;
import dev.sluice.client.NotFoundException;
import dev.sluice.client.SemaphoreConfig;
import dev.sluice.client.SemaphoreView;
import dev.sluice.client.SluiceException;
import dev.sluice.client.Sluice;
import dev.sluice.store.json.ConfigCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code sluice apply -f sluice.yaml}: infrastructure as code. Gives every semaphore the file
 * declares exactly the declared config through the API, as {@code sluice server --config} does at
 * start: created when missing, replaced ({@code PUT}) when it differs, left alone when it already
 * matches — so a second run changes nothing. Semaphores the file does not name are left alone.
 *
 * <p>A webhook {@code delivery.secret} never appears in the semaphore's view, so a declared secret
 * is compared by the server (a dry run of the {@code PUT}: {@code sluice.semaphore(…).preview}),
 * which says only whether it is the current one; a different one is shown as rotated.
 */
@Command(name = "apply", description = {
    "Create or update the semaphores a config file declares (its semaphores: list; the server: section is"
            + " ignored), so that each has exactly the declared config. Prints created, updated (with what changed)"
            + " or unchanged for each; a second run changes nothing. Semaphores not in the file are left alone.",
    "The file is the one sluice server --config reads; see docs/config.md."},
        footer = {"", "Examples:",
                "  sluice apply -f sluice.yaml --dry-run",
                "  sluice apply -f sluice.yaml --server https://sluice.internal:8443"})
public final class ApplyCommand implements Callable<Integer> {
    /** A change of the webhook secret, which is shown as rotated, never by value. */
    private static final String SECRET = "delivery.secret";
    private static final JsonNode HIDDEN = Output.JSON.getNodeFactory().stringNode("****");

    /** The config fields in the order changes are shown. */
    private static final List<String> FIELDS =
            List.of("limit", "channelLimit", "leaseTimeout", "paused", "delivery", "retry", "onLeaseExpired");

    @Mixin
    RemoteOptions remote;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The config file (YAML).")
    Path file;

    @Option(names = "--dry-run", description = "Only say what would change; change nothing.")
    boolean dryRun;

    enum Action { CREATED, UPDATED, UNCHANGED }

    /** What applying one declared semaphore did, or would do; {@code changes} maps a field to [from, to]. */
    record Outcome(String name, Action action, Map<String, JsonNode[]> changes) {
    }

    @Override
    public Integer call() {
        ConfigFile config = ConfigFile.read(file);
        List<ConfigFile.Semaphore> declared = config.semaphores();
        Output out = remote.out();
        List<Outcome> outcomes = new ArrayList<>();
        Progress progress = out.json() ? Progress.of(remote.err(), "semaphores applied", declared.size()) : null;
        try (Sluice sluice = remote.connect()) {
            for (ConfigFile.Semaphore d : declared) {
                Outcome o;
                try {
                    o = apply(sluice, d);
                } catch (SluiceException e) {
                    throw new CliFailure(ExitCodes.of(e), d.name() + ": " + e.getMessage() + " [" + e.code() + "]; "
                            + outcomes.size() + " of " + declared.size() + " semaphores were applied before it", e);
                }
                outcomes.add(o);
                if (progress != null) {
                    progress.step();
                } else {
                    out.line(line(o));
                }
            }
        } finally {
            if (progress != null) {
                progress.finish();
            }
        }
        if (out.json()) {
            out.print(json(out, outcomes));
        } else {
            out.line(summary(outcomes));
        }
        return ExitCodes.OK;
    }

    private Outcome apply(Sluice sluice, ConfigFile.Semaphore d) {
        var semaphore = sluice.semaphore(d.name());
        ObjectNode desired = ConfigCodec.toJson(ConfigCodec.fromJson(d.body()));
        ObjectNode current = null;
        try {
            current = normalized(semaphore.state());
        } catch (NotFoundException missing) {
            // created below
        }
        Map<String, JsonNode[]> changes = new LinkedHashMap<>();
        for (String f : FIELDS) {
            JsonNode from = current == null ? null : current.get(f);
            JsonNode to = desired.get(f);
            if (current != null && !Objects.equals(from, to)) {
                changes.put(f, new JsonNode[] {from, to});
            }
        }
        if (current != null && d.body().path("delivery").hasNonNull("secret")
                && semaphore.preview(config(d.body())).changes().contains(SECRET)) {
            // the view never shows the secret: the server says whether the declared one is the current one
            changes.put(SECRET, new JsonNode[] {HIDDEN, HIDDEN});
        }
        Action action = current == null ? Action.CREATED : changes.isEmpty() ? Action.UNCHANGED : Action.UPDATED;
        if (!dryRun && action != Action.UNCHANGED) {
            semaphore.create(config(d.body()));
        }
        return new Outcome(d.name(), action, changes);
    }

    /** The semaphore's config as the server reports it, in the same normal form as the declared one. */
    private static ObjectNode normalized(SemaphoreView v) {
        ObjectNode config = Output.JSON.createObjectNode();
        for (String f : ConfigCodec.FIELDS) {
            if (v.raw().has(f)) {
                config.set(f, v.raw().get(f));
            }
        }
        return ConfigCodec.toJson(ConfigCodec.fromJson(config));
    }

    /** The declared PUT body, sent as written. */
    private static SemaphoreConfig config(ObjectNode body) {
        SemaphoreConfig.Builder b = SemaphoreConfig.builder(body.get("limit").asInt());
        for (String field : body.propertyNames()) {
            if (!field.equals("limit")) {
                b.extra(field, body.get(field));
            }
        }
        return b.build();
    }

    private String line(Outcome o) {
        String verb = switch (o.action()) {
            case CREATED -> dryRun ? "would create" : "created";
            case UPDATED -> dryRun ? "would update" : "updated";
            case UNCHANGED -> "unchanged";
        };
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-13s%s", verb, o.name()));
        if (!o.changes().isEmpty()) {
            List<String> parts = new ArrayList<>();
            o.changes().forEach((f, c) -> parts.add(f.equals(SECRET) ? SECRET + " rotated"
                    : f + " " + Output.cell(c[0]) + " → " + Output.cell(c[1])));
            b.append(" (").append(String.join(", ", parts)).append(')');
        }
        return b.toString();
    }

    private String summary(List<Outcome> outcomes) {
        long created = count(outcomes, Action.CREATED);
        long updated = count(outcomes, Action.UPDATED);
        long unchanged = count(outcomes, Action.UNCHANGED);
        String s = outcomes.size() + (outcomes.size() == 1 ? " semaphore" : " semaphores") + " in " + file.getFileName()
                + ": " + created + (dryRun ? " to create, " : " created, ") + updated + (dryRun ? " to update, " : " updated, ")
                + unchanged + " unchanged";
        return dryRun ? s + " (dry run: nothing was changed)" : s;
    }

    private ObjectNode json(Output out, List<Outcome> outcomes) {
        ObjectNode n = out.object();
        n.put("file", file.toString());
        n.put("dryRun", dryRun);
        var items = n.putArray("semaphores");
        for (Outcome o : outcomes) {
            ObjectNode item = items.addObject();
            item.put("name", o.name());
            item.put("action", o.action().name().toLowerCase(Locale.ROOT));
            ObjectNode changes = item.putObject("changes");
            o.changes().forEach((f, c) -> {
                ObjectNode change = changes.putObject(f);
                change.set("from", c[0]);
                change.set("to", c[1]);
            });
        }
        n.put("created", count(outcomes, Action.CREATED));
        n.put("updated", count(outcomes, Action.UPDATED));
        n.put("unchanged", count(outcomes, Action.UNCHANGED));
        return n;
    }

    private static long count(List<Outcome> outcomes, Action a) {
        return outcomes.stream().filter(o -> o.action() == a).count();
    }
}
