package dev.sluice.cli.jobs;

import dev.sluice.cli.remote.CommandGroup;
import dev.sluice.cli.remote.ExitCodes;
import dev.sluice.cli.remote.Output;
import dev.sluice.cli.remote.RemoteOptions;
import dev.sluice.client.JobState;
import dev.sluice.client.JobView;
import dev.sluice.client.RedrivePosition;
import dev.sluice.client.Semaphore;
import dev.sluice.client.Sluice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code sluice jobs …}: submit, list, show, redrive and purge a semaphore's async jobs. */
@Command(name = "jobs",
        description = "Submit, list, show, redrive and purge the async jobs of a semaphore.",
        subcommands = SubmitCommand.class,
        footer = {"", "Examples:",
                "  sluice jobs submit partner-api --payload '{\"order\": 42}' --idempotency-key order-42",
                "  sluice jobs submit partner-api --file orders.ndjson",
                "  sluice jobs ls partner-api --state dead",
                "  sluice jobs redrive partner-api"})
public final class JobsCommand extends CommandGroup {
    private static final String NAME = "The semaphore.";

    public JobsCommand() {
        super("submit, ls, get, redrive or purge");
    }

    @Command(name = "ls", aliases = "list", description = "List jobs in one state, oldest first.")
    int ls(@Mixin RemoteOptions remote,
           @Parameters(paramLabel = "NAME", description = NAME) String name,
           @Option(names = "--state", paramLabel = "STATE", defaultValue = "waiting",
                   description = "waiting (default), inflight, completed, failed, dead or cancelled.") String state,
           @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
                   description = "List at most N jobs (default ${DEFAULT-VALUE}).") int limit) {
        JobState s = JobState.fromWire(state);
        if (s == null) {
            throw new ParameterException(spec.subcommands().get("ls"),
                    "Invalid value for option '--state': '" + state + "' (waiting, inflight, completed, failed, dead or cancelled)");
        }
        if (limit < 1) {
            throw new ParameterException(spec.subcommands().get("ls"), "--limit must be positive");
        }
        List<JobView> jobs;
        try (Sluice sluice = remote.connect()) {
            jobs = sluice.semaphore(name).allJobs(s).limit(limit).toList();
        }
        Output out = remote.out();
        if (out.json()) {
            var array = out.array();
            jobs.forEach(j -> array.add(j.raw()));
            out.print(array);
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (JobView j : jobs) {
                rows.add(List.of(j.jobId(), wire(j), Output.cell(j.raw().get("channel")), Output.cell(j.raw().get("priority")),
                        Output.cell(j.raw().get("attempts")), j.createdAt() == null ? "-" : j.createdAt().toString(),
                        j.lastError() == null ? "-" : oneLine(j.lastError())));
            }
            out.table(List.of("JOB-ID", "STATE", "CHANNEL", "PRIORITY", "ATTEMPTS", "CREATED", "LAST-ERROR"), rows);
        }
        return ExitCodes.OK;
    }

    @Command(name = "get", aliases = "show", description = "Show one job: state, attempts, last error, payload.")
    int get(@Mixin RemoteOptions remote,
            @Parameters(index = "0", paramLabel = "NAME", description = NAME) String name,
            @Parameters(index = "1", paramLabel = "JOB_ID", description = "The job's id.") String jobId) {
        JobView j;
        try (Sluice sluice = remote.connect()) {
            j = sluice.semaphore(name).job(jobId);
        }
        Output out = remote.out();
        if (out.json()) {
            out.print(j.raw());
            return ExitCodes.OK;
        }
        List<String[]> f = new ArrayList<>();
        f.add(new String[] {"jobId", j.jobId()});
        f.add(new String[] {"state", wire(j)});
        for (String field : List.of("channel", "priority", "attempts", "idempotencyKey", "permitId")) {
            f.add(new String[] {field, Output.cell(j.raw().get(field))});
        }
        f.add(new String[] {"createdAt", j.createdAt() == null ? "-" : j.createdAt().toString()});
        f.add(new String[] {"updatedAt", j.updatedAt() == null ? "-" : j.updatedAt().toString()});
        f.add(new String[] {"lastError", j.lastError() == null ? "-" : oneLine(j.lastError())});
        f.add(new String[] {"payload", Output.cell(j.payload())});
        out.fields(f);
        return ExitCodes.OK;
    }

    @Command(name = "redrive", description = "Move dead jobs back to waiting (all of them, or those named with --job).")
    int redrive(@Mixin RemoteOptions remote,
                @Parameters(paramLabel = "NAME", description = NAME) String name,
                @Option(names = "--job", paramLabel = "JOB_ID", description = "Only this dead job (repeatable).") List<String> jobIds,
                @Option(names = "--position", paramLabel = "back|original", defaultValue = "back",
                        description = "Where they re-enter the queue: at the back (default) or at their original position.")
                String position) {
        RedrivePosition where = switch (position.toLowerCase(Locale.ROOT)) {
            case "back" -> RedrivePosition.BACK;
            case "original" -> RedrivePosition.ORIGINAL;
            default -> throw new ParameterException(spec.subcommands().get("redrive"),
                    "Invalid value for option '--position': '" + position + "' (back or original)");
        };
        int n;
        try (Sluice sluice = remote.connect()) {
            n = sluice.semaphore(name).redrive(jobIds == null || jobIds.isEmpty() ? null : jobIds, where);
        }
        Output out = remote.out();
        if (out.json()) {
            out.print(out.object().put("redriven", n));
        } else {
            out.line("redriven " + n + (n == 1 ? " job" : " jobs"));
        }
        return ExitCodes.OK;
    }

    @Command(name = "purge", description = "Delete every waiting job of the semaphore (inflight jobs run on).")
    int purge(@Mixin RemoteOptions remote, @Parameters(paramLabel = "NAME", description = NAME) String name) {
        int n;
        try (Sluice sluice = remote.connect()) {
            Semaphore s = sluice.semaphore(name);
            n = s.purge();
        }
        Output out = remote.out();
        if (out.json()) {
            out.print(out.object().put("deleted", n));
        } else {
            out.line("deleted " + n + " waiting " + (n == 1 ? "job" : "jobs"));
        }
        return ExitCodes.OK;
    }

    private static String wire(JobView j) {
        return j.state() != null ? j.state().wireName() : Output.cell(j.raw().get("state"));
    }

    private static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").strip();
        return line.length() > 80 ? line.substring(0, 79) + "…" : line;
    }
}
