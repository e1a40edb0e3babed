package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.CliTest.Run;
import dev.sluice.client.JobState;
import dev.sluice.client.Permit;
import dev.sluice.client.Semaphore;
import dev.sluice.client.SemaphoreConfig;
import dev.sluice.client.SemaphoreView;
import dev.sluice.client.Sluice;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * The commands that talk to a server, run in-process through {@link Main#commandLine()} against a
 * real node: what they print (table and JSON), what they change on the server, their exit codes.
 */
class RemoteCommandsTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path dataDir;
    static SluiceServer server;
    static Sluice sluice;
    static String url;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        server = SluiceServer.start(ServerSettings.defaults().withPort(0).withDataDir(dataDir));
        url = "http://127.0.0.1:" + server.port();
        sluice = Sluice.connect(url);
    }

    @AfterAll
    static void stop() {
        sluice.close();
        server.close();
    }

    static String name(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet();
    }

    /** Runs {@code sluice ARGS --server URL}. */
    static Run sluice(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        int dashes = all.indexOf("--");
        all.addAll(dashes < 0 ? all.size() : dashes, List.of("--server", url));
        return CliTest.run(all.toArray(String[]::new));
    }

    static JsonNode json(Run r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return ServerProcess.JSON.readTree(r.out());
    }

    private static SemaphoreView state(String name) {
        return sluice.semaphore(name).state();
    }

    // ---------------------------------------------------------------- semaphore

    @Test
    void semaphoreCreateSetGetPauseResumeDelete() {
        String name = name("sem");

        Run created = sluice("semaphore", "create", name, "--limit", "3", "--channel-limit", "2", "--lease", "45s");
        assertThat(created.exit()).as(created.toString()).isZero();
        assertThat(created.out()).contains("name:", name, "limit:", "3", "leaseTimeout:", "PT45S");
        assertThat(state(name).channelLimit()).isEqualTo(2);
        assertThat(state(name).leaseTimeout()).isEqualTo(Duration.ofSeconds(45));

        assertThat(sluice("semaphore", "set", name, "--limit", "7").exit()).isZero();
        assertThat(state(name).limit()).isEqualTo(7);
        assertThat(state(name).channelLimit()).as("set changes only what it is given").isEqualTo(2);

        JsonNode got = json(sluice("semaphore", "get", name, "-o", "json"));
        assertThat(got.get("name").asString()).isEqualTo(name);
        assertThat(got.get("limit").asInt()).isEqualTo(7);
        assertThat(got.get("state").get("inUse").asInt()).isZero();

        assertThat(json(sluice("semaphore", "pause", name, "-o", "json")).get("paused").asBoolean()).isTrue();
        assertThat(state(name).paused()).isTrue();
        assertThat(sluice("semaphore", "resume", name).exit()).isZero();
        assertThat(state(name).paused()).isFalse();
        assertThat(sluice("semaphore", "pause", name, "--channel", "eu").exit()).isZero();
        assertThat(state(name).state().pausedChannels()).containsExactly("eu");

        Run deleted = sluice("semaphore", "delete", name);
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        assertThat(deleted.out()).contains("deleted " + name);
        assertThat(sluice("semaphore", "get", name).exit()).isEqualTo(3);
    }

    @Test
    void semaphoreLsListsEverySemaphoreInBothFormats() {
        String a = name("ls");
        String b = name("ls");
        sluice.semaphore(a).create(2);
        sluice.semaphore(b).create(5);
        sluice.semaphore(b).pause();

        Run table = sluice("semaphore", "ls");
        assertThat(table.exit()).as(table.toString()).isZero();
        assertThat(table.out().lines().findFirst().orElseThrow()).contains("NAME", "LIMIT", "IN-USE", "WAITING", "PAUSED");
        assertThat(table.out()).containsPattern("(?m)^" + a + "\\s+2\\s+0\\s+0\\s+0\\s+0\\s+no$");
        assertThat(table.out()).containsPattern("(?m)^" + b + "\\s+5\\s+0\\s+0\\s+0\\s+0\\s+yes$");

        JsonNode list = json(sluice("semaphore", "ls", "-o", "json"));
        assertThat(list.isArray()).isTrue();
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.get("name").asString()));
        assertThat(names).contains(a, b);
    }

    @Test
    void aBusySemaphoreIsNotDeletedWithoutForce() {
        String name = name("busy");
        sluice.semaphore(name).create(1);
        Permit held = sluice.semaphore(name).tryAcquire().orElseThrow();

        Run refused = sluice("semaphore", "delete", name);
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).startsWith("sluice: ").contains("[conflict]");
        assertThat(refused.err().strip().lines()).hasSize(1);

        assertThat(sluice("semaphore", "delete", name, "--force").exit()).isZero();
        held.close();
    }

    // ---------------------------------------------------------------- acquire / release

    @Test
    void acquirePrintsAPermitThatStaysHeldUntilReleased() {
        String name = name("acq");
        sluice.semaphore(name).create(1);

        JsonNode permit = json(sluice("acquire", name, "--lease", "2m", "-o", "json"));
        String id = permit.get("permitId").asString();
        assertThat(permit.get("semaphore").asString()).isEqualTo(name);
        assertThat(permit.get("fencingToken").asLong()).isPositive();
        assertThat(permit.get("channel").asString()).isEqualTo("default");
        assertThat(permit.get("expiresAt").asString()).isNotBlank();
        assertThat(state(name).state().inUse()).as("held after the command exited").isEqualTo(1);

        Run full = sluice("acquire", name);
        assertThat(full.exit()).as(full.toString()).isEqualTo(4);
        assertThat(full.err()).contains("[limit_reached]", "--wait");

        Run released = sluice("release", name, id);
        assertThat(released.exit()).as(released.toString()).isZero();
        assertThat(released.out()).contains("released " + id);
        assertThat(state(name).state().inUse()).isZero();
        assertThat(sluice("release", name, id).exit()).as("idempotent").isZero();

        Run table = sluice("acquire", name);
        assertThat(table.out()).contains("PERMIT-ID", "FENCING-TOKEN", "CHANNEL", "EXPIRES-AT");
        sluice.semaphore(name).release(table.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0]);
        assertThat(state(name).state().inUse()).isZero();
    }

    @Test
    void acquireWaitsInTheQueueWithWait() throws Exception {
        String name = name("acq-wait");
        Semaphore s = sluice.semaphore(name);
        s.create(1);
        Permit holder = s.tryAcquire().orElseThrow();
        Thread.ofVirtual().start(() -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> s.state().state().waiting() == 1);
            holder.close();
        });

        JsonNode permit = json(sluice("acquire", name, "--wait", "30s", "-o", "json"));

        assertThat(permit.get("fencingToken").asLong()).isGreaterThan(holder.fencingToken());
        s.release(permit.get("permitId").asString());
    }

    @Test
    void notGrantedMeansExit4WhetherFullPausedOrTheWaitElapsed() {
        String name = name("refused");
        sluice.semaphore(name).create(0);

        Run full = sluice("acquire", name, "--wait", "1s");
        assertThat(full.exit()).as(full.toString()).isEqualTo(4);
        assertThat(full.err()).contains("[limit_reached]");

        sluice.semaphore(name).setLimit(5);
        sluice.semaphore(name).pause();
        Run paused = sluice("acquire", name);
        assertThat(paused.exit()).as(paused.toString()).isEqualTo(4);
        assertThat(paused.err()).contains("[paused]");
    }

    @Test
    void releasingAnExpiredPermitExits5() {
        String name = name("expired");
        sluice.semaphore(name).create(1);
        String id = json(sluice("acquire", name, "--lease", "1s", "-o", "json")).get("permitId").asString();
        await().atMost(Duration.ofSeconds(30)).until(() -> state(name).state().inUse() == 0); // reclaimed

        Run late = sluice("release", name, id);

        assertThat(late.exit()).as(late.toString()).isEqualTo(5);
        assertThat(late.err()).contains("[lease_expired]");
    }

    // ---------------------------------------------------------------- exit codes and errors

    @Test
    void exitCodesForScripts() {
        assertThat(sluice("semaphore", "get", "no-such-semaphore").exit()).as("not found").isEqualTo(3);
        assertThat(sluice("acquire", "no-such-semaphore").exit()).isEqualTo(3);
        assertThat(sluice("semaphore", "create", name("bad"), "--limit", "2000000").exit())
                .as("refused by the server as invalid_argument").isEqualTo(2);
        assertThat(sluice("semaphore", "create", name("bad"), "--limit", "-1").exit()).isEqualTo(2);
        assertThat(sluice("semaphore", "create", name("bad")).exit()).as("--limit missing").isEqualTo(2);
        assertThat(sluice("acquire", "x", "--wait", "soon").exit()).as("bad duration").isEqualTo(2);
        assertThat(sluice("semaphore", "ls", "-o", "xml").exit()).isEqualTo(2);
        assertThat(CliTest.run("semaphore", "ls", "--server", "not a url").exit()).isEqualTo(2);
        assertThat(CliTest.run("semaphore").exit()).as("no subcommand").isEqualTo(2);
    }

    @Test
    void anUnreachableServerExits6WithOneClearLine() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // free, and nothing listens once closed
        }
        Run r = CliTest.run("semaphore", "ls", "--server", "http://127.0.0.1:" + port);

        assertThat(r.exit()).as(r.toString()).isEqualTo(6);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("sluice: ").contains("127.0.0.1:" + port, "SLUICE_SERVER");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theApiKeyIsSentAsABearerToken() throws Exception {
        // the node does not check API keys yet, so a stand-in server records what arrives
        var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var fake = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/", ex -> {
            seen.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "{\"items\":[],\"nextCursor\":null}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        fake.start();
        String fakeUrl = "http://127.0.0.1:" + fake.getAddress().getPort();
        Path keyFile = Files.writeString(tmp.resolve("key"), "sk-from-file\n");
        try {
            Run r = CliTest.run("semaphore", "ls", "--server", fakeUrl, "--api-key", "sk-test-1");
            assertThat(r.exit()).as(r.toString()).isZero();
            Run fromFile = CliTest.run("semaphore", "ls", "--server", fakeUrl, "--api-key-file", keyFile.toString());
            assertThat(fromFile.exit()).as(fromFile.toString()).isZero();

            Run both = CliTest.run("semaphore", "ls", "--server", fakeUrl, "--api-key", "x", "--api-key-file", keyFile.toString());
            assertThat(both.exit()).as(both.toString()).isEqualTo(2);
            assertThat(both.err()).contains("not both");
            Run missing = CliTest.run("semaphore", "ls", "--server", fakeUrl, "--api-key-file", tmp.resolve("nope").toString());
            assertThat(missing.exit()).as(missing.toString()).isEqualTo(2);
            assertThat(missing.err()).contains("--api-key-file", "nope");
            Run empty = CliTest.run("semaphore", "ls", "--server", fakeUrl, "--api-key-file", Files.writeString(tmp.resolve("empty"), " \n").toString());
            assertThat(empty.exit()).as(empty.toString()).isEqualTo(2);
            assertThat(empty.err()).contains("is empty");
        } finally {
            fake.stop(0);
        }
        assertThat(seen).as("the key file's content, stripped, is sent; nothing is sent for refused options")
                .containsExactly("Bearer sk-test-1", "Bearer sk-from-file");
    }

    @Test
    void outputIsCaseInsensitiveAndJsonIsOneParseableDocument() {
        String name = name("json");
        sluice.semaphore(name).create(1);
        for (String[] args : List.of(new String[] {"semaphore", "get", name, "-o", "JSON"},
                new String[] {"semaphore", "ls", "--output", "json"},
                new String[] {"jobs", "ls", name, "-o", "json"},
                new String[] {"semaphore", "set", name, "--limit", "2", "-o", "json"})) {
            Run r = sluice(args);
            assertThat(r.exit()).as(r.toString()).isZero();
            JsonNode doc = ServerProcess.JSON.readTree(r.out());
            assertThat(doc.isObject() || doc.isArray()).as(String.join(" ", args)).isTrue();
        }
    }

    // ---------------------------------------------------------------- jobs

    @Test
    void jobsSubmitLsGetRedrivePurge() throws Exception {
        String name = name("jobs");
        Semaphore s = sluice.semaphore(name);
        s.create(0);

        JsonNode first = json(sluice("jobs", "submit", name, "--payload", "{\"order\": 42}", "--idempotency-key", "o-42",
                "--priority", "3", "-o", "json"));
        String id = first.get("jobId").asString();
        assertThat(first.get("state").asString()).isEqualTo("waiting");
        assertThat(first.get("duplicate").asBoolean()).isFalse();
        JsonNode again = json(sluice("jobs", "submit", name, "--payload", "{\"order\": 42}", "--idempotency-key", "o-42",
                "-o", "json"));
        assertThat(again.get("jobId").asString()).isEqualTo(id);
        assertThat(again.get("duplicate").asBoolean()).isTrue();

        JsonNode job = json(sluice("jobs", "get", name, id, "-o", "json"));
        assertThat(job.get("payload").get("order").asInt()).isEqualTo(42);
        assertThat(job.get("priority").asInt()).isEqualTo(3);
        Run table = sluice("jobs", "get", name, id);
        assertThat(table.out()).contains("jobId:", id, "state:", "waiting", "payload:", "{\"order\":42}");

        Run ls = sluice("jobs", "ls", name);
        assertThat(ls.out()).contains("JOB-ID", id, "waiting");
        assertThat(json(sluice("jobs", "ls", name, "--state", "dead", "-o", "json"))).isEmpty();
        assertThat(sluice("jobs", "ls", name, "--state", "sideways").exit()).isEqualTo(2);

        // make it dead, then redrive it
        s.setLimit(1);
        s.claim(1, Duration.ofSeconds(10)).getFirst().fail("bad order", false);
        JsonNode dead = json(sluice("jobs", "ls", name, "--state", "dead", "-o", "json"));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("lastError").asString()).isEqualTo("bad order");
        s.setLimit(0);
        assertThat(json(sluice("jobs", "redrive", name, "-o", "json")).get("redriven").asInt()).isEqualTo(1);
        assertThat(s.job(id).state()).isEqualTo(JobState.WAITING);

        Run purged = sluice("jobs", "purge", name);
        assertThat(purged.exit()).as(purged.toString()).isZero();
        assertThat(purged.out()).contains("deleted 1 waiting job");
        assertThat(s.state().state().waiting()).isZero();
        assertThat(sluice("jobs", "get", name, "j-nope").exit()).isEqualTo(3);
    }

    @Test
    void jobsSubmitFromAFileIsCheckedFirstAndIdempotentPerLine() throws Exception {
        String name = name("bulk");
        Semaphore s = sluice.semaphore(name);
        s.create(0);
        Path file = tmp.resolve("jobs.ndjson");
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 120; i++) {
            lines.append("{\"n\": ").append(i).append("}\n");
            if (i == 60) {
                lines.append("\n"); // blank lines are skipped
            }
        }
        Files.writeString(file, lines);

        Run r = sluice("jobs", "submit", name, "--file", file.toString(), "--idempotency-key", "batch");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("submitted 120 jobs to " + name);
        assertThat(s.state().state().waiting()).isEqualTo(120);
        assertThat(s.allJobs(JobState.WAITING).map(j -> j.payload().get("n").asInt()).toList())
                .as("enqueued in the file's order").isEqualTo(IntStream.rangeClosed(1, 120).boxed().toList());

        JsonNode second = json(sluice("jobs", "submit", name, "--file", file.toString(), "--idempotency-key", "batch", "-o", "json"));
        assertThat(second.get("duplicates").asInt()).isEqualTo(120);
        assertThat(s.state().state().waiting()).as("a second run adds nothing").isEqualTo(120);

        Path bad = tmp.resolve("bad.ndjson");
        Files.writeString(bad, "{\"n\": 1}\n{\"n\": 2\n");
        Run refused = sluice("jobs", "submit", name, "--file", bad.toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("line 2");
        assertThat(s.state().state().waiting()).as("nothing of a bad file is sent").isEqualTo(120);

        // Refused by the server: the batch with the refused job enqueues nothing, those before it stay.
        Semaphore partial = sluice.semaphore(name("bulk-refused"));
        partial.create(0);
        Path big = tmp.resolve("big.ndjson");
        StringBuilder some = new StringBuilder();
        for (int i = 1; i <= 150; i++) {
            some.append("{\"n\": ").append(i).append("}\n");
        }
        some.append("{\"pad\": \"").append("x".repeat(300 * 1024)).append("\"}\n");   // over the 256 KiB payload limit
        Files.writeString(big, some);
        Run over = sluice("jobs", "submit", partial.name(), "--file", big.toString());
        assertThat(over.exit()).as(over.toString()).isNotZero();
        assertThat(over.err()).contains("line 151").contains("150 of 151 jobs were submitted");
        assertThat(partial.state().state().waiting()).isEqualTo(150);

        assertThat(sluice("jobs", "submit", name).exit()).as("--payload or --file").isEqualTo(2);
        assertThat(sluice("jobs", "submit", name, "--payload", "{").exit()).isEqualTo(2);
    }

    @Test
    void submitNamesTheLineOfTheJobTheServerRefusedInsideABatch() throws Exception {
        try (SluiceServer small = SluiceServer.start(ServerSettings.defaults().withPort(0).withDataDir(tmp.resolve("small"))
                .withMaxPayloadBytes(1024));
             Sluice client = Sluice.connect("http://127.0.0.1:" + small.port())) {
            Semaphore s = client.semaphore(name("bulk-line"));
            s.create(0);
            Path file = tmp.resolve("one-too-big.ndjson");
            Files.writeString(file, "{\"n\": 1}\n{\"n\": 2}\n\n{\"n\": 3}\n{\"pad\": \"" + "x".repeat(2048) + "\"}\n{\"n\": 5}\n");
            Run r = CliTest.run("jobs", "submit", s.name(), "--file", file.toString(), "--server", "http://127.0.0.1:" + small.port());
            assertThat(r.exit()).as(r.toString()).isNotZero();
            assertThat(r.err()).as("the fifth line of the file, the fourth job of its batch")
                    .contains("line 5: payload is").contains("0 of 5 jobs were submitted").doesNotContain("jobs[");
            assertThat(s.state().state().waiting()).isZero();
        }
    }

    // ---------------------------------------------------------------- apply

    @Test
    void applyCreatesThenLeavesAloneThenUpdatesOnlyWhatChanged() throws Exception {
        String api = name("apply-api");
        String gpu = name("apply-gpu");
        String existing = name("apply-existing");
        sluice.semaphore(existing).create(1);
        Path file = tmp.resolve("sluice.yaml");
        Files.writeString(file, """
                server:
                  port: 9999   # ignored by apply
                semaphores:
                  - name: %s
                    limit: 10
                    leaseTimeout: 30s
                  - name: %s
                    limit: 4
                    channelLimit: 2
                    retry: {maxAttempts: 3, initialBackoff: 2s}
                  - name: %s
                    limit: 1
                """.formatted(api, gpu, existing));

        Run dry = sluice("apply", "-f", file.toString(), "--dry-run");
        assertThat(dry.exit()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("would create", api, "dry run");
        assertThat(sluice("semaphore", "get", api).exit()).as("a dry run changes nothing").isEqualTo(3);

        Run first = sluice("apply", "-f", file.toString());
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out()).containsPattern("(?m)^created\\s+" + api + "$")
                .containsPattern("(?m)^created\\s+" + gpu + "$")
                .containsPattern("(?m)^unchanged\\s+" + existing + "$")
                .contains("2 created, 0 updated, 1 unchanged");
        assertThat(state(api).leaseTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(state(gpu).channelLimit()).isEqualTo(2);
        assertThat(state(gpu).retry().maxAttempts()).isEqualTo(3);
        String updatedAt = state(gpu).raw().get("updatedAt").asString();

        Run second = sluice("apply", "-f", file.toString());
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).contains("0 created, 0 updated, 3 unchanged").doesNotContain("created ");
        assertThat(state(gpu).raw().get("updatedAt").asString()).as("nothing was written").isEqualTo(updatedAt);

        Files.writeString(file, Files.readString(file).replace("limit: 4", "limit: 6"));
        JsonNode third = json(sluice("apply", "-f", file.toString(), "-o", "json"));
        assertThat(third.get("updated").asInt()).isEqualTo(1);
        assertThat(third.get("unchanged").asInt()).isEqualTo(2);
        JsonNode change = third.get("semaphores").get(1);
        assertThat(change.get("name").asString()).isEqualTo(gpu);
        assertThat(change.get("action").asString()).isEqualTo("updated");
        assertThat(change.get("changes").propertyNames()).containsExactly("limit");
        assertThat(change.get("changes").get("limit").get("from").asInt()).isEqualTo(4);
        assertThat(change.get("changes").get("limit").get("to").asInt()).isEqualTo(6);
        assertThat(state(gpu).limit()).isEqualTo(6);
        assertThat(state(gpu).channelLimit()).isEqualTo(2);
    }

    @Test
    void applyOfAWebhookSemaphoreWithASecretIsIdempotentAndARotationIsAnUpdate() throws Exception {
        String name = name("apply-hook");
        Path file = tmp.resolve("hooks.yaml");
        String yaml = """
                semaphores:
                  - name: %s
                    limit: 3
                    delivery:
                      mode: webhook
                      url: https://processor.example.com/sluice
                      secret: %s
                """;
        Files.writeString(file, yaml.formatted(name, "whsec-first-0123456789"));

        Run first = sluice("apply", "-f", file.toString());
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.out()).containsPattern("(?m)^created\\s+" + name + "$");
        String updatedAt = state(name).raw().get("updatedAt").asString();

        Run second = sluice("apply", "-f", file.toString());
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).containsPattern("(?m)^unchanged\\s+" + name + "$").contains("0 created, 0 updated, 1 unchanged");
        assertThat(state(name).raw().get("updatedAt").asString()).as("the second run wrote nothing").isEqualTo(updatedAt);
        assertThat(json(sluice("apply", "-f", file.toString(), "--dry-run", "-o", "json")).get("unchanged").asInt()).isEqualTo(1);

        Files.writeString(file, yaml.formatted(name, "whsec-second-0123456789"));
        Run dry = sluice("apply", "-f", file.toString(), "--dry-run");
        assertThat(dry.out()).containsPattern("(?m)^would update\\s+" + name + " \\(delivery.secret rotated\\)$");
        Run rotated = sluice("apply", "-f", file.toString(), "-o", "json");
        JsonNode outcome = json(rotated).get("semaphores").get(0);
        assertThat(outcome.get("action").asString()).isEqualTo("updated");
        assertThat(outcome.get("changes").propertyNames()).containsExactly("delivery.secret");
        assertThat(rotated.out() + rotated.err()).as("a secret is never printed")
                .doesNotContain("whsec-first-0123456789").doesNotContain("whsec-second-0123456789");

        SemaphoreConfig declared = SemaphoreConfig.builder(3).extra("delivery", ServerProcess.JSON.readTree(
                "{\"mode\":\"webhook\",\"url\":\"https://processor.example.com/sluice\",\"secret\":\"whsec-second-0123456789\"}")).build();
        assertThat(sluice.semaphore(name).preview(declared).unchanged()).as("the new secret is the current one").isTrue();
        Run after = sluice("apply", "-f", file.toString());
        assertThat(after.out()).containsPattern("(?m)^unchanged\\s+" + name + "$");
    }

    @Test
    void applyOfABadFileChangesNothingAndExits2() throws Exception {
        String name = name("apply-bad");
        Path file = tmp.resolve("bad.yaml");
        Files.writeString(file, """
                semaphores:
                  - name: %s
                    limit: 3
                  - name: other
                    limit: lots
                """.formatted(name));

        Run r = sluice("apply", "-f", file.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("semaphores[1]", "limit");
        assertThat(sluice("semaphore", "get", name).exit()).isEqualTo(3);
        assertThat(sluice("apply", "-f", tmp.resolve("missing.yaml").toString()).exit()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- run, in-process

    @Test
    void runGivesTheCommandThePermitAndExitsWithItsStatus() throws Exception {
        String name = name("run");
        sluice.semaphore(name).create(1);
        Path seen = tmp.resolve("seen");

        Run r = sluice("run", name, "--", "sh", "-c",
                "printf '%s %s %s' \"$SLUICE_PERMIT_ID\" \"$SLUICE_FENCING_TOKEN\" \"$SLUICE_SEMAPHORE\" > '" + seen
                        + "'; exit 7");

        assertThat(r.exit()).as(r.toString()).isEqualTo(7);
        String[] env = Files.readString(seen).split(" ");
        assertThat(env[0]).startsWith("p");
        assertThat(Long.parseLong(env[1])).isPositive();
        assertThat(env[2]).isEqualTo(name);
        assertThat(state(name).state().inUse()).as("released after the command exited").isZero();
        assertThat(sluice("run", name, "--", "true").exit()).isZero();
    }

    @Test
    void runOfACommandThatCannotStartReleasesAndExits127() {
        String name = name("run-missing");
        sluice.semaphore(name).create(1);

        Run r = sluice("run", name, "--", tmp.resolve("no-such-program").toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(127);
        assertThat(r.err()).contains("cannot run");
        assertThat(state(name).state().inUse()).isZero();
    }

    @Test
    void runWithoutAFreePermitDoesNotRunTheCommand() throws Exception {
        String name = name("run-full");
        sluice.semaphore(name).create(1);
        Path ran = tmp.resolve("ran");
        try (Permit held = sluice.semaphore(name).tryAcquire().orElseThrow()) {
            Run r = sluice("run", name, "--", "touch", ran.toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(4);
        }
        assertThat(ran).doesNotExist();
    }

    // ---------------------------------------------------------------- help and completion

    @Test
    void everyCommandHasHelp() {
        List<String> checked = new ArrayList<>();
        helpOf(Main.commandLine(), List.of(), checked);
        assertThat(checked).contains("semaphore ls", "semaphore create", "acquire", "release", "run", "jobs submit",
                "jobs ls", "jobs redrive", "jobs purge", "apply", "completion", "keys create", "keys ls", "keys revoke");
        Run keys = CliTest.run("keys", "revoke", "--help");
        assertThat(keys.out()).as("keys takes the options of every client command").contains("--server", "--api-key-file",
                "--ca-cert", "--output", "Exit codes:");
        Run run = CliTest.run("run", "--help");
        assertThat(run.out()).contains("Exit codes:", "127", "SLUICE_PERMIT_ID", "--wait");
        Run ls = CliTest.run("semaphore", "ls", "--help");
        assertThat(ls.out()).contains("--server", "SLUICE_SERVER", "--api-key", "SLUICE_API_KEY", "--api-key-file",
                "SLUICE_API_KEY_FILE", "--ca-cert", "SLUICE_CA_CERT", "--output",
                "Exit codes:", "6   cannot reach the server");
    }

    private static void helpOf(CommandLine cmd, List<String> path, List<String> checked) {
        for (var e : cmd.getSubcommands().entrySet()) {
            CommandLine sub = e.getValue();
            if (!e.getKey().equals(sub.getCommandName()) || e.getKey().equals("help")) {
                continue; // an alias, or picocli's own help command
            }
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            List<String> args = new ArrayList<>(p);
            args.add("--help");
            Run r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r).isZero();
            assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: sluice " + String.join(" ", p));
            checked.add(String.join(" ", p));
            helpOf(sub, p, checked);
        }
    }

    @Test
    void completionPrintsABashScriptThatKnowsTheCommands() {
        Run r = CliTest.run("completion", "bash");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F", "semaphore", "acquire", "apply",
                "--server", "--dry-run");
        assertThat(CliTest.run("completion", "zsh").out()).isEqualTo(r.out());
        assertThat(CliTest.run("completion", "fish").exit()).isEqualTo(2);
    }
}
