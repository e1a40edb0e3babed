package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SecureBitsTest {
    @Test
    void longsDrawnAcrossManyBlocksAndThreadsNeverRepeat() {
        SecureBits bits = new SecureBits();
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 8).parallel().forEach(t -> {
            for (int i = 0; i < 20_000; i++) {
                assertThat(seen.add(bits.nextLong())).isTrue();
            }
        });
        assertThat(seen).hasSize(160_000);
        long ones = seen.stream().mapToLong(Long::bitCount).sum();
        assertThat(ones / (double) (160_000L * 64)).as("about half the bits are set").isBetween(0.49, 0.51);
    }
}
