package dev.sluice.server;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * {@link SecureRandom}'s bytes, drawn a block at a time: ids and secrets stay as unguessable as
 * SecureRandom makes them, at one call into it per {@value #BLOCK} bytes instead of two per
 * {@code long} (each of which mixes and locks). Thread-safe.
 */
final class SecureBits implements RandomGenerator {
    private static final int BLOCK = 512;

    private final SecureRandom source = new SecureRandom();
    private final ByteBuffer block = ByteBuffer.allocate(BLOCK).position(BLOCK);

    @Override
    public synchronized long nextLong() {
        if (block.remaining() < Long.BYTES) {
            source.nextBytes(block.array());
            block.clear();
        }
        return block.getLong();
    }
}
