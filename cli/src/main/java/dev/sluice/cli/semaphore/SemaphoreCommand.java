package dev.sluice.cli.semaphore;

import dev.sluice.cli.remote.DurationConverter;
import dev.sluice.cli.remote.CommandGroup;
import dev.sluice.cli.remote.ExitCodes;
import dev.sluice.cli.remote.Output;
import dev.sluice.cli.remote.RemoteOptions;
import dev.sluice.client.Semaphore;
import dev.sluice.client.SemaphoreConfig;
import dev.sluice.client.SemaphoreView;
import dev.sluice.client.Sluice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code sluice semaphore …}: list, read, create, configure, pause, resume and delete semaphores. */
@Command(name = "semaphore", aliases = "sem",
        description = "List, show, create, configure, pause, resume and delete semaphores.",
        footer = {"", "Examples:",
                "  sluice semaphore create partner-api --limit 10 --lease 30s",
                "  sluice semaphore set partner-api --limit 20",
                "  sluice semaphore ls -o json | jq -r '.[].name'"})
public final class SemaphoreCommand extends CommandGroup {
    private static final String NAME = "The semaphore's name.";

    public SemaphoreCommand() {
        super("ls, get, create, set, pause, resume or delete");
    }

    @Command(name = "ls", aliases = "list", description = "List the semaphores with their limit and live counts.")
    int ls(@Mixin RemoteOptions remote) {
        try (Sluice sluice = remote.connect()) {
            List<SemaphoreView> all = sluice.allSemaphores().toList();
            Output out = remote.out();
            if (out.json()) {
                var array = out.array();
                all.forEach(v -> array.add(v.raw()));
                out.print(array);
            } else {
                List<List<String>> rows = new ArrayList<>();
                for (SemaphoreView v : all) {
                    rows.add(List.of(v.name(), Integer.toString(v.limit()), Long.toString(v.state().inUse()),
                            Long.toString(v.state().waiting()), Long.toString(v.state().inflight()),
                            Long.toString(v.state().dead()), v.paused() ? "yes" : "no"));
                }
                out.table(List.of("NAME", "LIMIT", "IN-USE", "WAITING", "INFLIGHT", "DEAD", "PAUSED"), rows);
            }
        }
        return ExitCodes.OK;
    }

    @Command(name = "get", aliases = "show", description = "Show one semaphore: its config and live state.")
    int get(@Mixin RemoteOptions remote, @Parameters(paramLabel = "NAME", description = NAME) String name) {
        try (Sluice sluice = remote.connect()) {
            print(remote.out(), sluice.semaphore(name).state());
        }
        return ExitCodes.OK;
    }

    @Command(name = "create", description = {
        "Create a semaphore, or give an existing one exactly this config (a PUT: settings not given go back to"
                + " their defaults). Idempotent. For the full config, declare it in a file and use sluice apply."})
    int create(@Mixin RemoteOptions remote,
               @Parameters(paramLabel = "NAME", description = NAME) String name,
               @Option(names = "--limit", required = true, paramLabel = "N",
                       description = "The most permits held at once (0 … 1000000; 0 closes the gate).") int limit,
               @Option(names = "--channel-limit", paramLabel = "M",
                       description = "The most permits held at once per channel.") Integer channelLimit,
               @Option(names = "--lease", paramLabel = "DURATION", converter = DurationConverter.class,
                       description = "The default lease of permits and jobs (default 5m).") Duration lease) {
        SemaphoreConfig.Builder config = SemaphoreConfig.builder(checked(limit, "create"));
        if (channelLimit != null) {
            config.channelLimit(channelLimit);
        }
        if (lease != null) {
            config.leaseTimeout(lease);
        }
        try (Sluice sluice = remote.connect()) {
            print(remote.out(), sluice.semaphore(name).create(config.build()));
        }
        return ExitCodes.OK;
    }

    @Command(name = "set", description = "Change settings of a semaphore, leaving the others alone (a PATCH). Takes effect at once.")
    int set(@Mixin RemoteOptions remote,
            @Parameters(paramLabel = "NAME", description = NAME) String name,
            @Option(names = "--limit", paramLabel = "N", description = "The new limit: raising it grants waiting work at once;"
                    + " lowering it revokes nothing.") Integer limit,
            @Option(names = "--channel-limit", paramLabel = "M", description = "The new per-channel limit.") Integer channelLimit,
            @Option(names = "--lease", paramLabel = "DURATION", converter = DurationConverter.class,
                    description = "The new default lease.") Duration lease) {
        Map<String, Object> patch = new LinkedHashMap<>();
        if (limit != null) {
            patch.put("limit", checked(limit, "set"));
        }
        if (channelLimit != null) {
            patch.put("channelLimit", channelLimit);
        }
        if (lease != null) {
            patch.put("leaseTimeout", lease.toString());
        }
        if (patch.isEmpty()) {
            throw new ParameterException(spec.subcommands().get("set"), "Give at least one of --limit, --channel-limit, --lease");
        }
        try (Sluice sluice = remote.connect()) {
            print(remote.out(), sluice.semaphore(name).update(patch));
        }
        return ExitCodes.OK;
    }

    @Command(name = "pause", description = "Stop granting permits (of the semaphore, or of one channel); submits and waits go on.")
    int pause(@Mixin RemoteOptions remote,
              @Parameters(paramLabel = "NAME", description = NAME) String name,
              @Option(names = "--channel", paramLabel = "CHANNEL", description = "Pause only this channel.") String channel) {
        try (Sluice sluice = remote.connect()) {
            Semaphore s = sluice.semaphore(name);
            print(remote.out(), channel == null ? s.pause() : s.pause(channel));
        }
        return ExitCodes.OK;
    }

    @Command(name = "resume", description = "Start granting again (the semaphore, or one channel).")
    int resume(@Mixin RemoteOptions remote,
               @Parameters(paramLabel = "NAME", description = NAME) String name,
               @Option(names = "--channel", paramLabel = "CHANNEL", description = "Resume only this channel.") String channel) {
        try (Sluice sluice = remote.connect()) {
            Semaphore s = sluice.semaphore(name);
            print(remote.out(), channel == null ? s.resume() : s.resume(channel));
        }
        return ExitCodes.OK;
    }

    @Command(name = "delete", aliases = "rm", description = "Delete a semaphore. Refused (exit 1) while permits are held or jobs wait, unless --force.")
    int delete(@Mixin RemoteOptions remote,
               @Parameters(paramLabel = "NAME", description = NAME) String name,
               @Option(names = "--force", description = "Delete also while permits are held or jobs wait (they are dropped).") boolean force) {
        try (Sluice sluice = remote.connect()) {
            sluice.semaphore(name).delete(force);
        }
        Output out = remote.out();
        if (out.json()) {
            out.print(out.object().put("name", name).put("deleted", true));
        } else {
            out.line("deleted " + name);
        }
        return ExitCodes.OK;
    }

    private int checked(int limit, String subcommand) {
        if (limit < 0) {
            throw new ParameterException(spec.subcommands().get(subcommand), "--limit must not be negative, got " + limit);
        }
        return limit;
    }

    /** One semaphore: the server's view in JSON, or its config and state as "key: value" lines. */
    static void print(Output out, SemaphoreView v) {
        if (out.json()) {
            out.print(v.raw());
            return;
        }
        JsonNode raw = v.raw();
        JsonNode retry = raw.path("retry");
        List<String[]> f = new ArrayList<>();
        f.add(new String[] {"name", v.name()});
        f.add(new String[] {"limit", Integer.toString(v.limit())});
        f.add(new String[] {"channelLimit", Output.cell(raw.get("channelLimit"))});
        f.add(new String[] {"leaseTimeout", raw.has("leaseTimeout") && raw.get("leaseTimeout").isNull() ? "untimed"
                : Output.cell(raw.get("leaseTimeout"))});
        f.add(new String[] {"paused", v.paused() ? "yes" : "no"});
        f.add(new String[] {"delivery", Output.cell(raw.path("delivery").get("mode"))});
        f.add(new String[] {"retry", retry.isObject() ? Output.cell(retry.get("maxAttempts")) + " attempts, backoff "
                + Output.cell(retry.get("initialBackoff")) + " … " + Output.cell(retry.get("maxBackoff")) + ", then "
                + Output.cell(retry.get("onExhausted")) : "-"});
        f.add(new String[] {"onLeaseExpired", Output.cell(raw.get("onLeaseExpired"))});
        f.add(new String[] {"inUse", Long.toString(v.state().inUse())});
        f.add(new String[] {"waiting", Long.toString(v.state().waiting())});
        f.add(new String[] {"inflight", Long.toString(v.state().inflight())});
        f.add(new String[] {"dead", Long.toString(v.state().dead())});
        f.add(new String[] {"pausedChannels", v.state().pausedChannels().isEmpty() ? "-"
                : String.join(", ", v.state().pausedChannels())});
        out.fields(f);
    }
}
