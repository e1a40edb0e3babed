package dev.sluice.cli.jobs;

import dev.sluice.cli.remote.CliFailure;
import dev.sluice.cli.remote.ExitCodes;
import dev.sluice.cli.remote.Output;
import dev.sluice.cli.remote.Progress;
import dev.sluice.cli.remote.RemoteOptions;
import dev.sluice.client.JobRef;
import dev.sluice.client.Semaphore;
import dev.sluice.client.SluiceException;
import dev.sluice.client.Sluice;
import dev.sluice.client.SluiceTransportException;
import dev.sluice.client.SubmitOptions;
import dev.sluice.client.Submission;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice jobs submit NAME --payload JSON | --file FILE}: enqueues one job, or one job per
 * line of a file (NDJSON: each line is one payload). A file is checked whole before anything is
 * sent, then submitted in batches of up to 100 jobs, in the file's order, with progress on
 * standard error.
 */
@Command(name = "submit", description = {
    "Enqueue a job with a JSON payload, or one job per line of a file (each line one JSON payload; - reads"
            + " standard input). A file is checked before anything is sent, then sent in batches of up to 100 jobs,"
            + " in the file's order; progress goes to standard error.",
    "With --idempotency-key K, a file's line N is submitted with the key K-N: submitting the same file again"
            + " (say, after a failure half-way) enqueues only what is missing."})
public final class SubmitCommand implements java.util.concurrent.Callable<Integer> {
    /** Jobs per request of a bulk submit: the server's most. */
    private static final int BATCH_JOBS = 100;
    /**
     * Bytes of payload per request of a bulk submit: within the server's request body limit (its
     * payload limit and 64 KiB more) whatever its payload limit.
     */
    private static final long BATCH_BYTES = 48 * 1024;

    @Mixin
    RemoteOptions remote;

    @Parameters(paramLabel = "NAME", description = "The semaphore.")
    String semaphore;

    static final class Source {
        @Option(names = "--payload", paramLabel = "JSON", required = true,
                description = "The payload: any JSON value, e.g. '{\"order\": 42}'.")
        String payload;

        @Option(names = "--file", paramLabel = "FILE", required = true,
                description = "One JSON payload per line (blank lines are skipped); - for standard input.")
        String file;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(names = "--channel", paramLabel = "CHANNEL", description = "The channel (default: default).")
    String channel;

    @Option(names = "--priority", paramLabel = "P", description = "Higher is granted first (default 0).")
    Integer priority;

    @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "Deduplicates retried submits: a key used before returns the first job instead of a new one.")
    String idempotencyKey;

    /** One payload of the file, the line it came from and its length in UTF-8. */
    private record Line(int number, JsonNode payload, int bytes) {
    }

    @Override
    public Integer call() {
        List<Line> lines = source.payload != null ? List.of(new Line(0, parse(source.payload, "--payload"), 0))
                : read(source.file);
        try (Sluice sluice = remote.connect()) {
            Semaphore s = sluice.semaphore(semaphore);
            if (source.payload != null) {
                printOne(s.submit(lines.getFirst().payload(), options(null)));
            } else {
                submitAll(s, lines);
            }
        }
        return ExitCodes.OK;
    }

    private SubmitOptions options(Integer line) {
        SubmitOptions o = SubmitOptions.defaults();
        if (channel != null) {
            o = o.withChannel(channel);
        }
        if (priority != null) {
            o = o.withPriority(priority);
        }
        if (idempotencyKey != null) {
            o = o.withIdempotencyKey(line == null ? idempotencyKey : idempotencyKey + "-" + line);
        }
        return o;
    }

    private void printOne(JobRef ref) {
        Output out = remote.out();
        if (out.json()) {
            var n = out.object();
            n.put("jobId", ref.jobId());
            n.put("state", ref.state() == null ? null : ref.state().wireName());
            if (ref.position() != null) {
                n.put("position", ref.position().longValue());
            }
            n.put("duplicate", ref.duplicate());
            out.print(n);
        } else {
            out.table(List.of("JOB-ID", "STATE", "POSITION", "DUPLICATE"), List.of(List.of(ref.jobId(),
                    ref.state() == null ? "-" : ref.state().wireName(),
                    ref.position() == null ? "-" : ref.position().toString(), ref.duplicate() ? "yes" : "no")));
        }
    }

    /**
     * Submits every line in batches, one after the other, so that the queue holds the jobs in the
     * file's order; stops at the first refusal (a batch is enqueued whole or not at all).
     */
    private void submitAll(Semaphore s, List<Line> lines) {
        Progress progress = Progress.of(remote.err(), "jobs submitted", lines.size());
        int duplicates = 0;
        for (List<Line> batch : batches(lines)) {
            List<JobRef> refs;
            try {
                refs = s.submitEach(batch.stream().map(l -> new Submission(l.payload(), options(l.number()))).toList());
            } catch (SluiceException e) {
                progress.finish();
                throw refused(e, batch, progress.done(), lines.size());
            }
            duplicates += (int) refs.stream().filter(JobRef::duplicate).count();
            progress.steps(batch.size());
        }
        progress.finish();
        Output out = remote.out();
        if (out.json()) {
            out.print(out.object().put("submitted", progress.done()).put("duplicates", duplicates));
        } else {
            out.line("submitted " + progress.done() + " jobs to " + semaphore
                    + (duplicates > 0 ? " (" + duplicates + " already there)" : "")
                    + " in " + progress.elapsed().toMillis() + " ms");
        }
    }

    /** The lines in batches of at most {@link #BATCH_JOBS} jobs and {@link #BATCH_BYTES} bytes of payload (a longer line alone). */
    private static List<List<Line>> batches(List<Line> lines) {
        List<List<Line>> batches = new ArrayList<>();
        List<Line> batch = new ArrayList<>();
        long bytes = 0;
        for (Line line : lines) {
            if (!batch.isEmpty() && (batch.size() == BATCH_JOBS || bytes + line.bytes() > BATCH_BYTES)) {
                batches.add(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(line);
            bytes += line.bytes();
        }
        batches.add(batch);
        return batches;
    }

    /** Why a batch was refused, naming the line of the job refused where the server names one. */
    private CliFailure refused(SluiceException e, List<Line> batch, long done, int total) {
        Integer index = e.problem().index();
        String message = String.valueOf(e.getMessage());
        if (index != null && index < batch.size()) {
            String place = "jobs[" + index + "]: ";   // the line number takes its place
            message = "line " + batch.get(index).number() + ": " + (message.startsWith(place) ? message.substring(place.length()) : message);
        } else {
            message = (batch.size() == 1 ? "line " + batch.getFirst().number()
                    : "lines " + batch.getFirst().number() + "-" + batch.getLast().number()) + ": " + message;
        }
        String rest = (e instanceof SluiceTransportException ? ", and the last batch may have been too" : "")
                + (idempotencyKey != null ? " (submit the file again with the same --idempotency-key to add only the rest)"
                : " (use --idempotency-key to make a resubmit skip those)");
        return new CliFailure(ExitCodes.of(e), message + " [" + e.code() + "]; "
                + done + " of " + total + " jobs were submitted" + rest, e);
    }

    private static JsonNode parse(String json, String where) {
        try {
            JsonNode node = Output.JSON.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new CliFailure(ExitCodes.USAGE, where + " is empty: give a JSON value, e.g. {} or null");
            }
            return node;
        } catch (JacksonException e) {
            throw new CliFailure(ExitCodes.USAGE, where + " is not JSON: " + e.getOriginalMessage());
        }
    }

    private static List<Line> read(String file) {
        List<Line> lines = new ArrayList<>();
        try (BufferedReader r = file.equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            String text;
            int n = 0;
            while ((text = r.readLine()) != null) {
                n++;
                if (!text.isBlank()) {
                    lines.add(new Line(n, parse(text, (file.equals("-") ? "stdin" : file) + " line " + n),
                            text.getBytes(StandardCharsets.UTF_8).length));
                }
            }
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.USAGE, "cannot read " + file + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            throw new CliFailure(ExitCodes.USAGE, file + " has no jobs (one JSON payload per line)");
        }
        return lines;
    }
}
