package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Effects.AcquireMode;
import dev.sluice.core.Effects.AttemptOutcome;
import dev.sluice.core.Effects.Change;
import dev.sluice.core.semaphore.Delivery;
import dev.sluice.core.semaphore.RetryPolicy;
import dev.sluice.core.semaphore.SemaphoreConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What each operation lists in {@link Effects#changes()}: the facts metrics, events and the audit log are made of. */
class EffectsChangesTest {
    private final InMemoryLedger ledger = new InMemoryLedger();
    private final SplittableRandom random = new SplittableRandom(3);
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private SemaphoreMachine m() {
        return new SemaphoreMachine(ledger, "s", now, random);
    }

    private static List<Class<?>> kinds(SemaphoreMachine m) {
        return m.effects().changes().stream().<Class<?>>map(Object::getClass).toList();
    }

    private static SemaphoreConfig config(int limit) {
        return new SemaphoreConfig(limit, null, Duration.ofSeconds(10), false, Delivery.PULL,
                new RetryPolicy(1, Duration.ZERO, Duration.ZERO, RetryPolicy.OnExhausted.DEADLETTER, null), null);
    }

    @Test
    void configChangesSayBeforeAndAfterAndANoChangeSaysNothing() {
        SemaphoreMachine create = m();
        create.put(config(1));
        assertThat(create.effects().changes()).containsExactly(new Effects.Reconfigured(null, config(1)));

        SemaphoreMachine same = m();
        same.put(config(1));
        assertThat(same.effects().changes()).isEmpty();

        SemaphoreMachine raise = m();
        raise.update(c -> c.withLimit(4));
        assertThat(raise.effects().changes()).containsExactly(new Effects.Reconfigured(config(1), config(4)));
        assertThat(raise.lastKnown().config().limit()).isEqualTo(4);

        SemaphoreMachine channel = m();
        channel.pause("eu");
        assertThat(channel.effects().changes()).containsExactly(new Effects.ChannelPaused("eu", true));
    }

    @Test
    void grantsReleasesAndRefusalsWithTheirModes() {
        m().put(config(1));
        SemaphoreMachine first = m();
        var permit = first.tryAcquire("default", null);
        assertThat(first.effects().changes()).containsExactly(new Effects.Granted(AcquireMode.TRY, permit, null, null, null));

        SemaphoreMachine refused = m();
        assertThatThrownBy(() -> refused.tryAcquire("default", null)).isInstanceOf(SluiceException.class);
        assertThat(refused.effects().changes()).containsExactly(new Effects.Rejected(AcquireMode.TRY, ProblemCode.LIMIT_REACHED));

        SemaphoreMachine queued = m();
        AcquireOutcome waiting = queued.acquireOrWait("w1", "default", null, now.plusSeconds(30));
        assertThat(waiting).isInstanceOf(AcquireOutcome.Queued.class);
        assertThat(queued.effects().changes()).containsExactly(new Effects.Queued(AcquireMode.WAIT, "w1", "default"));

        now = now.plusMillis(250);
        SemaphoreMachine release = m();
        release.release(permit.id());
        List<Change> changes = release.effects().changes();
        assertThat(changes).hasSize(2);
        assertThat(changes.get(0)).isEqualTo(new Effects.Released(permit, now));
        Effects.Granted toWaiter = (Effects.Granted) changes.get(1);
        assertThat(toWaiter.mode()).isEqualTo(AcquireMode.WAIT);
        assertThat(toWaiter.entryId()).isEqualTo("w1");
        assertThat(Duration.between(toWaiter.waitingSince(), toWaiter.permit().grantedAt())).isEqualTo(Duration.ofMillis(250));

        SemaphoreMachine again = m();
        assertThat(again.release(permit.id())).isEqualTo(ReleaseOutcome.ALREADY_RELEASED);
        assertThat(again.effects().changes()).as("a repeated release frees nothing and says nothing").isEmpty();
    }

    @Test
    void aJobsLifeIsListedAndAnExpiredLeaseDeadLetters() {
        m().put(new SemaphoreConfig(2, null, Duration.ofSeconds(10), false, Delivery.PULL,
                new RetryPolicy(1, Duration.ZERO, Duration.ZERO, RetryPolicy.OnExhausted.DEADLETTER, null),
                dev.sluice.core.semaphore.LeaseExpiryAction.DEADLETTER));
        SemaphoreMachine enqueue = m();
        Enqueued e = enqueue.enqueue("{}", "default", 0, null, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(enqueue.effects().changes()).containsExactly(new Effects.Queued(AcquireMode.JOB, e.job().id(), "default"));
        assertThat(e.job().traceparent()).startsWith("00-4bf9");

        SemaphoreMachine claim = m();
        Claimed c = claim.claim(1, Duration.ofSeconds(5)).getFirst();
        assertThat(c.job().traceparent()).as("kept at delivery").startsWith("00-4bf9");
        assertThat(kinds(claim)).containsExactly(Effects.Granted.class);
        assertThat(((Effects.Granted) claim.effects().changes().getFirst()).traceparent()).startsWith("00-4bf9");

        now = now.plusSeconds(6);
        SemaphoreMachine tick = m();
        assertThat(tick.tick()).isEqualTo(1);
        assertThat(tick.effects().changes()).containsExactly(
                new Effects.Expired(c.permit(), e.job().id(), now),
                new Effects.AttemptEnded(e.job().id(), AttemptOutcome.LEASE_EXPIRED, c.permit(), e.job().traceparent(), now),
                new Effects.DeadLettered(e.job().id(), "lease expired"));

        SemaphoreMachine redrive = m();
        redrive.redrive(null, false);
        assertThat(redrive.effects().changes()).containsExactly(new Effects.Redriven(1));
        SemaphoreMachine purge = m();
        purge.purge();
        assertThat(purge.effects().changes()).containsExactly(new Effects.Purged(1));
        SemaphoreMachine delete = m();
        delete.delete(true);
        assertThat(kinds(delete)).containsExactly(Effects.Deleted.class);
    }
}
