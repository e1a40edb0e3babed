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
import dev.sluice.client.SubmitOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
 * sent, then submitted with a few requests in flight, with progress on standard error.
 */
@Command(name = "submit", description = {
    "Enqueue a job with a JSON payload, or one job per line of a file (each line one JSON payload; - reads"
            + " standard input). A file is checked before anything is sent; progress goes to standard error.",
    "With --idempotency-key K, a file's line N is submitted with the key K-N: submitting the same file again"
            + " (say, after a failure half-way) enqueues only what is missing."})
public final class SubmitCommand implements java.util.concurrent.Callable<Integer> {
    /** Requests in flight during a bulk submit: enough to hide the round trip, few enough to be gentle. */
    private static final int IN_FLIGHT = 16;

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

    /** One payload of the file and the line it came from. */
    private record Line(int number, JsonNode payload) {
    }

    @Override
    public Integer call() {
        List<Line> lines = source.payload != null ? List.of(new Line(0, parse(source.payload, "--payload")))
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

    /** Submits every line, at most {@link #IN_FLIGHT} at once; stops sending at the first refusal. */
    private void submitAll(Semaphore s, List<Line> lines) {
        Progress progress = Progress.of(remote.err(), "jobs submitted", lines.size());
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(IN_FLIGHT);
        AtomicInteger duplicates = new AtomicInteger();
        AtomicReference<Failed> failed = new AtomicReference<>();
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (Line line : lines) {
            window.acquireUninterruptibly();
            if (failed.get() != null) {
                window.release();
                break;
            }
            sent.add(s.submitAsync(line.payload(), options(line.number())).whenComplete((ref, err) -> {
                window.release();
                if (err != null) {
                    failed.compareAndSet(null, new Failed(line.number(), unwrap(err)));
                    return;
                }
                if (ref.duplicate()) {
                    duplicates.incrementAndGet();
                }
                progress.step();
            }));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        progress.finish();
        long done = progress.done();
        Failed f = failed.get();
        if (f != null) {
            SluiceException e = f.error();
            throw new CliFailure(ExitCodes.of(e), "line " + f.line() + ": " + e.getMessage() + " [" + e.code() + "]; "
                    + done + " of " + lines.size() + " jobs were submitted"
                    + (idempotencyKey != null ? " (submit the file again with the same --idempotency-key to add only the rest)"
                    : " (use --idempotency-key to make a resubmit skip those)"), e);
        }
        Output out = remote.out();
        if (out.json()) {
            out.print(out.object().put("submitted", done).put("duplicates", duplicates.get()));
        } else {
            out.line("submitted " + done + " jobs to " + semaphore
                    + (duplicates.get() > 0 ? " (" + duplicates.get() + " already there)" : "")
                    + " in " + progress.elapsed().toMillis() + " ms");
        }
    }

    private record Failed(int line, SluiceException error) {
    }

    private static SluiceException unwrap(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof SluiceException se ? se
                : new dev.sluice.client.SluiceTransportException(String.valueOf(t), t);
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
                    lines.add(new Line(n, parse(text, (file.equals("-") ? "stdin" : file) + " line " + n)));
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
