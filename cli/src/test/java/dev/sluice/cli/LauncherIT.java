package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./sluice} launcher at the repository root, run for real.
 *
 * <p>The launcher rebuilds the project when a source is newer than the cli jar; a test must not
 * start a Maven build into the tree it runs from. So when the jar is up to date the real script
 * runs in place; otherwise the same script runs from a scratch root that links to the built jar
 * and its lib directory (and so has no sources to be newer). It runs after {@code package}
 * (failsafe, {@code ./mvnw verify}), so the jar is there; without it the test fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherIT {

    @TempDir
    Path tmp;

    @Test
    void versionThroughTheLauncher() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path script = root.resolve("sluice");
        assertThat(script).as("the ./sluice launcher").isRegularFile();
        assertThat(root.resolve("scripts/find-jdk.sh")).isRegularFile();
        Optional<Path> jar = cliJar(root);
        assertThat(jar).as("the cli jar (cli/target/sluice-cli-*.jar): this test runs after package").isPresent();
        assertThat(root.resolve("cli/target/lib")).as("the launcher's class path").isDirectory();

        Path runFrom = root;
        if (sourcesNewerThan(root, Files.getLastModifiedTime(jar.get()))) {
            runFrom = scratchRoot(root, jar.get());
        }
        ProcessBuilder pb = new ProcessBuilder("bash", runFrom.resolve("sluice").toString(), "--version")
                .directory(tmp.toFile())
                .redirectErrorStream(true);
        String out;
        Process p = pb.start();
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(45, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
            if (runFrom != root) {   // the links point outside the temp dir: unlink them before its cleanup
                Files.deleteIfExists(runFrom.resolve("cli/target/lib"));
                Files.deleteIfExists(runFrom.resolve("cli/target").resolve(jar.get().getFileName()));
            }
        }
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("launched from " + runFrom).contains("sluice ");
        assertThat(out).doesNotContain("building");
    }

    private static Optional<Path> cliJar(Path root) throws IOException {
        Path target = root.resolve("cli/target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith("sluice-cli-") && n.endsWith(".jar") && !n.contains("sources") && !n.contains("tests");
            }).findFirst();
        }
    }

    /** The launcher's own test: a *.java, pom.xml or main resource outside target/ newer than the jar. */
    private static boolean sourcesNewerThan(Path root, FileTime jarTime) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(f -> !root.relativize(f).toString().contains("target" + java.io.File.separator)
                            && !root.relativize(f).startsWith(".git"))
                    .filter(Files::isRegularFile)
                    .filter(f -> {
                        String n = f.getFileName().toString();
                        return n.endsWith(".java") || n.equals("pom.xml") || f.toString().contains("/src/main/resources/");
                    })
                    .anyMatch(f -> {
                        try {
                            return Files.getLastModifiedTime(f).compareTo(jarTime) > 0;
                        } catch (IOException e) {
                            return true;
                        }
                    });
        }
    }

    /** A copy of the launcher in a root whose cli/target links to the real jar and lib. */
    private Path scratchRoot(Path root, Path jar) throws IOException {
        Path scratch = tmp.resolve("root");
        Files.createDirectories(scratch.resolve("scripts"));
        Files.createDirectories(scratch.resolve("cli/target"));
        Files.copy(root.resolve("sluice"), scratch.resolve("sluice"));
        Files.copy(root.resolve("scripts/find-jdk.sh"), scratch.resolve("scripts/find-jdk.sh"));
        Files.createSymbolicLink(scratch.resolve("cli/target/lib"), root.resolve("cli/target/lib"));
        Files.createSymbolicLink(scratch.resolve("cli/target").resolve(jar.getFileName()), jar);
        for (String f : List.of("sluice", "scripts/find-jdk.sh")) {
            scratch.resolve(f).toFile().setExecutable(true);
        }
        return scratch;
    }
}
