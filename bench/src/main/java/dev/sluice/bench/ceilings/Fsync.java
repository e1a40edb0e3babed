package dev.sluice.bench.ceilings;

import dev.sluice.bench.load.Loop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.HdrHistogram.Recorder;

/**
 * The ceiling of durable commits: one thread writing a 4 KiB page to a file in the data directory
 * and forcing it to disk ({@code FileChannel.force(false)}, i.e. fdatasync), as a WAL commit does.
 * Group commit lets Sluice grant more than this many operations per second, never commit more often.
 */
public final class Fsync implements Loop {
    private static final int PAGE = 4096;
    private static final int PAGES = 256;
    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer page = ByteBuffer.allocateDirect(PAGE);
    private long n;

    public Fsync(Path dir) throws IOException {
        file = Files.createTempFile(dir, "fsync-probe", ".bin");
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        for (int i = 0; i < PAGES; i++) {   // the file keeps its size: each force flushes data, not a growing length
            page.clear();
            channel.write(page, (long) i * PAGE);
        }
        channel.force(true);
    }

    @Override
    public int once(Recorder latency) throws IOException {
        long start = System.nanoTime();
        page.clear();
        page.putLong(0, n);
        channel.write(page, (n++ % PAGES) * PAGE);
        channel.force(false);
        latency.recordValue((System.nanoTime() - start) / 1_000);
        return 1;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        Files.deleteIfExists(file);
    }
}
