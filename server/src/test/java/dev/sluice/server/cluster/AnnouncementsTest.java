package dev.sluice.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Effects;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.store.Announced;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnnouncementsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration HORIZON = Duration.ofSeconds(5);

    private static Effects.WaiterGrant grant(String waiter, int token, String channel, Duration lease) {
        return new Effects.WaiterGrant(waiter, new PermitRecord("p" + token + ".abc", channel, token, NOW, lease,
                lease == null ? null : NOW.plus(lease), waiter, PermitRecord.State.HELD));
    }

    @Test
    void grantsToOtherNodesWaitersRoundTripAndOwnOnesStayHome() {
        Effects e = Effects.of(List.of(grant("wme.1", 1, "default", Duration.ofMinutes(5)),
                grant("wother.2", 2, "A:b", null)), true, NOW.plusSeconds(2));
        List<String> lines = Announcements.encode("pay", e, "wme.", NOW, HORIZON);
        assertThat(lines).hasSize(1);
        Announcements.Announcement a = Announcements.decode(lines.getFirst());
        assertThat(a.semaphore()).isEqualTo("pay");
        assertThat(a.effects().claimable()).isTrue();
        assertThat(a.effects().earliestDue()).isEqualTo(NOW.plusSeconds(2));
        assertThat(a.effects().waiterGrants()).containsExactly(grant("wother.2", 2, "A:b", null));
    }

    @Test
    void nothingIsSentWhenNothingConcernsAnotherNode() {
        Effects local = Effects.of(List.of(grant("wme.1", 1, "default", Duration.ofMinutes(5))), false, NOW.plusSeconds(60));
        assertThat(Announcements.encode("pay", local, "wme.", NOW, HORIZON)).isEmpty();
    }

    @Test
    void manyLargeGrantsAreSplitIntoLinesUnderTheLimit() {
        List<Effects.WaiterGrant> grants = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            grants.add(grant("wother." + "f".repeat(24) + i, 1_000_000 + i, "c".repeat(128), Duration.ofDays(30)));
        }
        List<String> lines = Announcements.encode("s".repeat(128), Effects.of(grants, true, null), "wme.", NOW, HORIZON);
        assertThat(lines).hasSizeGreaterThan(1);
        assertThat(lines).allSatisfy(l -> assertThat(l.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(Announced.MAX_BYTES));
        List<Effects.WaiterGrant> back = new ArrayList<>();
        lines.forEach(l -> back.addAll(Announcements.decode(l).effects().waiterGrants()));
        assertThat(back).isEqualTo(grants);
    }
}
