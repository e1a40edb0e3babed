package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.ServerProcess.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory that cannot be written (read-only at start) or fills up while serving gives a
 * clear error and corrupts nothing. As root (here and in CI containers) the directory is a small
 * tmpfs mounted for the test, since root writes through file permissions; without root, file
 * permissions make it read-only and {@code ulimit -f} (a file-size limit the server's JVM
 * inherits) stands in for a full disk.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DiskFaultTest {
    private static final String PAYLOAD = "x".repeat(60_000);

    @TempDir
    Path tmp;
    private final List<Path> mounted = new ArrayList<>();

    @AfterEach
    void unmount() {
        mounted.forEach(DataFiles::unmount);
    }

    private Path dataDirOnTmpfs(String size) {
        Path data = tmp.resolve("data");
        try {
            Files.createDirectories(data);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (DataFiles.mountTmpfs(data, size)) {
            mounted.add(data);
        }
        return data;
    }

    @Test
    void aReadOnlyDataDirectoryStopsTheServerWithAClearMessageAndLosesNothing() throws Exception {
        Path data = dataDirOnTmpfs("16m");
        boolean onTmpfs = !mounted.isEmpty();
        Assumptions.assumeTrue(onTmpfs || !DataFiles.isRoot(), "as root without the right to mount, nothing can be made read-only");
        String jobId;
        try (ServerProcess s = ServerProcess.start(data, tmp.resolve("before.log"))) {
            s.expect(201, "PUT", "/v1/semaphores/disk", "{\"limit\": 1}");
            jobId = s.expect(202, "POST", "/v1/semaphores/disk/jobs", "{\"payload\": {\"kept\": true}}").str("jobId");
        }
        if (onTmpfs) {
            assertThat(DataFiles.remount(data, "ro")).as("remount read-only").isTrue();
        } else {
            assertThat(DataFiles.run("chmod", "-R", "a-w", data.toString())).isZero();
        }
        try {
            Path log = tmp.resolve("read-only.log");
            int exit = ServerProcess.runUntilExit(data, log, Map.of(), Duration.ofSeconds(120));
            assertThat(exit).as(Files.readString(log)).isEqualTo(1);
            assertThat(Files.readString(log)).contains("sluice: ").contains(data.toString()).containsIgnoringCase("read-only")
                    .doesNotContain("\tat ");   // a message, not a stack trace
        } finally {
            if (onTmpfs) {
                DataFiles.remount(data, "rw");
            } else {
                DataFiles.run("chmod", "-R", "u+w", data.toString());
            }
        }
        assertThat(DataFiles.integrityCheck(data)).isEqualTo("ok");
        try (ServerProcess s = ServerProcess.start(data, tmp.resolve("after.log"))) {
            assertThat(s.expect(200, "GET", "/v1/semaphores/disk/jobs/" + jobId, null).str("state")).isEqualTo("waiting");
        }
    }

    @Test
    void aFullDiskRefusesWritesWithA503WritesNothingPartialAndRecovers() throws Exception {
        Path data = dataDirOnTmpfs("3m");
        boolean onTmpfs = !mounted.isEmpty();
        // without a tmpfs: a 3 MiB file-size limit (ulimit counts 512-byte blocks) on the server process
        String prefix = onTmpfs ? null : "ulimit -f 6144";
        List<String> acked = new ArrayList<>();
        Reply refused = null;
        ServerProcess s = ServerProcess.start(data, tmp.resolve("full.log"), Map.of(), prefix);
        try {
            s.expect(201, "PUT", "/v1/semaphores/full", "{\"limit\": 1}");
            for (int i = 0; i < 400 && refused == null; i++) {
                Reply r = s.call("POST", "/v1/semaphores/full/jobs", "{\"payload\": {\"n\": " + i + ", \"pad\": \"" + PAYLOAD + "\"}}");
                if (r.status() == 202) {
                    acked.add(r.str("jobId"));
                } else {
                    refused = r;
                }
            }
            assertThat(refused).as("the disk filled up within 400 writes of 60 kB").isNotNull();
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.str("code")).isEqualTo("store_unavailable");
            assertThat(refused.str("detail")).as("the kind of failure, not the driver's words")
                    .containsAnyOf("its disk is full", "its disk failed to read or write").doesNotContain("SQLITE");
            assertThat(refused.body().get("status").asInt()).isEqualTo(503);
            assertThat(acked).as("some writes succeeded before the disk was full").isNotEmpty();
            Reply again = s.call("POST", "/v1/semaphores/full/jobs", "{\"payload\": {\"pad\": \"" + PAYLOAD + PAYLOAD + "\"}}");
            assertThat(again.status()).as("still full").isEqualTo(503);

            if (onTmpfs) {
                assertThat(DataFiles.remount(data, "size=64m")).isTrue();
                Reply[] last = new Reply[1];
                try {
                    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                        Reply r = s.call("POST", "/v1/semaphores/full/jobs", "{\"payload\": {\"after\": true}}");
                        last[0] = r;
                        if (r.status() == 202) {
                            acked.add(r.str("jobId"));
                            return true;
                        }
                        return false;
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("no write succeeded once the disk had room again; last answer " + last[0]
                            + "\n--- server log:\n" + Files.readString(tmp.resolve("full.log")), e);
                }
            }
        } finally {
            s.close();
        }
        assertThat(Files.readString(tmp.resolve("full.log"))).contains("Store commit failed");
        assertThat(DataFiles.integrityCheck(data)).isEqualTo("ok");
        try (ServerProcess after = ServerProcess.start(data, tmp.resolve("restarted.log"))) {
            Reply state = after.expect(200, "GET", "/v1/semaphores/full", null);
            assertThat(state.body().get("state").get("waiting").asInt())
                    .as("exactly the acknowledged jobs: none of the refused writes left a trace").isEqualTo(acked.size());
            for (String id : acked) {
                assertThat(after.expect(200, "GET", "/v1/semaphores/full/jobs/" + id, null).str("state")).isEqualTo("waiting");
            }
        }
    }
}
