package dev.sluice.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Checks of a node's data directory from outside the node, and the file systems the fault tests put it on. */
final class DataFiles {
    private DataFiles() {}

    /** SQLite's own verdict on the store file: {@code ok}, or the list of what is wrong. */
    static String integrityCheck(Path dataDir) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("sluice.db").toAbsolutePath());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            List<String> lines = new ArrayList<>();
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
            return String.join("\n", lines);
        }
    }

    /** Runs a command; returns its exit code (output is dropped unless it fails). */
    static int run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            if (p.exitValue() != 0) {
                System.err.println(String.join(" ", cmd) + ": " + out.strip());
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Mounts a tmpfs of {@code size} (e.g. {@code 4m}) on {@code dir}; false where this process may
     * not mount, or when {@code -Dsluice.faults.noMount=true} asks for the fallbacks.
     */
    static boolean mountTmpfs(Path dir, String size) {
        return isRoot() && !Boolean.getBoolean("sluice.faults.noMount") && run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", dir.toString()) == 0;
    }

    static boolean remount(Path dir, String options) {
        return run("mount", "-o", "remount," + options, dir.toString()) == 0;
    }

    static void unmount(Path dir) {
        run("umount", "-l", dir.toString());
    }
}
