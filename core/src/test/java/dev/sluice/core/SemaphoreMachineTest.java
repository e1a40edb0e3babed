package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.Delivery;
import dev.sluice.core.semaphore.LeaseExpiryAction;
import dev.sluice.core.semaphore.RetryPolicy;
import dev.sluice.core.semaphore.RetryPolicy.OnExhausted;
import dev.sluice.core.semaphore.SemaphoreConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The rules of one semaphore, spelled out one example at a time. */
class SemaphoreMachineTest {
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final RetryPolicy NO_BACKOFF = new RetryPolicy(3, Duration.ZERO, Duration.ZERO, OnExhausted.DEADLETTER, null);

    private final InMemoryLedger ledger = new InMemoryLedger();
    private final RandomGenerator random = new SplittableRandom(7);
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private SemaphoreMachine last;

    /** A fresh machine per operation, as the store makes one per transaction. */
    private SemaphoreMachine m() {
        last = new SemaphoreMachine(ledger, "s", now, random);
        return last;
    }

    private void advance(Duration d) {
        now = now.plus(d);
    }

    private static SemaphoreConfig config(int limit, Integer channelLimit, RetryPolicy retry, LeaseExpiryAction onLeaseExpired) {
        return new SemaphoreConfig(limit, channelLimit, LEASE, false, Delivery.PULL, retry, onLeaseExpired);
    }

    private void create(int limit) {
        create(config(limit, null, NO_BACKOFF, null));
    }

    private void create(SemaphoreConfig config) {
        assertThat(m().put(config)).isTrue();
    }

    private PermitRecord tryAcquire(String channel) {
        return m().tryAcquire(channel, null);
    }

    private ProblemCode tryRefusal(String channel) {
        LedgerState before = LedgerState.of(ledger);
        try {
            m().tryAcquire(channel, null);
        } catch (SluiceException e) {
            assertThat(LedgerState.of(ledger)).as("a refused try writes nothing").isEqualTo(before);
            return e.code();
        }
        throw new AssertionError("try on " + channel + " was granted");
    }

    private String enqueue(String channel) {
        return m().enqueue("{}", channel, 0, null).job().id();
    }

    private String waitFor(String channel, Duration wait) {
        AcquireOutcome outcome = m().acquireOrWait(channel, null, now.plus(wait));
        assertThat(outcome).isInstanceOf(AcquireOutcome.Queued.class);
        return ((AcquireOutcome.Queued) outcome).waiterId();
    }

    private List<String> claim(int max) {
        return m().claim(max, null).stream().map(c -> c.job().id()).toList();
    }

    private Claimed claimOne() {
        List<Claimed> claimed = m().claim(1, null);
        assertThat(claimed).hasSize(1);
        return claimed.getFirst();
    }

    private JobRecord job(String id) {
        return ledger.jobs.get(id);
    }

    private long position(String id) {
        return m().job(id, true).position();
    }

    private void assertRefused(Runnable op, ProblemCode code) {
        LedgerState before = LedgerState.of(ledger);
        assertThatThrownBy(op::run).isInstanceOfSatisfying(SluiceException.class, e -> assertThat(e.code()).isEqualTo(code));
        assertThat(LedgerState.of(ledger)).as("a refused operation writes nothing").isEqualTo(before);
    }

    @Nested
    class Admission {
        @Test
        void aTrySucceedsOnlyWhenCapacityIsFreeAfterEveryEligibleWaitingEntry() {
            create(3);
            enqueue("default");
            enqueue("default");

            PermitRecord granted = tryAcquire("default");

            assertThat(granted.state()).isEqualTo(PermitRecord.State.HELD);
            assertThat(tryRefusal("default")).isEqualTo(ProblemCode.LIMIT_REACHED);
            assertThat(claim(5)).hasSize(2);   // the capacity set aside is there for the jobs
            assertThat(ledger.semaphore.inUse()).isEqualTo(3);
        }

        @Test
        void aJobWaitingOutItsBackoffHoldsNoCapacityUntilItIsDue() {
            create(config(1, null, new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofSeconds(10), OnExhausted.DEADLETTER, null), null));
            String job = enqueue("default");
            Claimed c = claimOne();
            m().fail(job, c.permit().id(), "boom", true);
            Instant due = job(job).availableAt();
            if (due.isAfter(now)) {
                now = due.minusMillis(1);
                PermitRecord p = tryAcquire("default");
                m().release(p.id());
                now = due;
            }

            assertThat(tryRefusal("default")).isEqualTo(ProblemCode.LIMIT_REACHED);
            assertThat(claim(1)).containsExactly(job);
        }

        @Test
        void aWaitJoinsTheQueueBehindJobsAndIsGrantedInItsTurn() {
            create(1);
            PermitRecord held = tryAcquire("default");
            String job = enqueue("default");
            String waiter = waitFor("default", Duration.ofSeconds(30));
            assertThat(position(job)).isEqualTo(1);

            m().release(held.id());
            assertThat(last.effects().waiterGrants()).as("the job comes first").isEmpty();
            Claimed c = claimOne();
            assertThat(c.job().id()).isEqualTo(job);
            m().complete(job, c.permit().id());

            assertThat(last.effects().waiterGrants()).extracting(Effects.WaiterGrant::waiterId).containsExactly(waiter);
            PermitRecord granted = last.effects().waiterGrants().getFirst().permit();
            assertThat(m().endWait(waiter)).isEqualTo(new AcquireOutcome.Granted(granted));
        }

        @Test
        void anAbandonedWaitLeavesTheQueueWithoutARefusalAndTheNextWaiterMovesUp() {
            create(1);
            PermitRecord held = tryAcquire("default");
            String gone = waitFor("default", Duration.ofSeconds(30));
            String next = waitFor("default", Duration.ofSeconds(30));

            assertThat(m().abandonWait(gone)).isFalse();

            assertThat(ledger.jobs).containsOnlyKeys(next);
            assertThat(ledger.semaphore.waiting()).isEqualTo(1);
            assertThat(last.effects().changes()).as("the gate refused nothing").isEmpty();
            m().release(held.id());
            assertThat(last.effects().waiterGrants()).extracting(Effects.WaiterGrant::waiterId).containsExactly(next);
            assertThat(m().abandonWait(gone)).as("idempotent").isFalse();
        }

        @Test
        void aPermitGrantedToAnAbandonedWaitIsReleasedAndGoesToTheNextWaiter() {
            create(1);
            PermitRecord held = tryAcquire("default");
            String gone = waitFor("default", Duration.ofSeconds(30));
            String next = waitFor("default", Duration.ofSeconds(30));
            m().release(held.id());
            PermitRecord grantedToGone = last.effects().waiterGrants().getFirst().permit();

            assertThat(m().abandonWait(gone)).isTrue();

            assertThat(last.effects().changes()).first().isEqualTo(new Effects.Released(grantedToGone, now));
            assertThat(last.effects().waiterGrants()).extracting(Effects.WaiterGrant::waiterId).containsExactly(next);
            assertThat(ledger.permits).doesNotContainKey(grantedToGone.id());
            assertThat(ledger.semaphore.inUse()).isEqualTo(1);
            assertThat(ledger.semaphore.waiting()).isZero();
            assertThat(m().abandonWait(gone)).as("released once").isFalse();
            assertThat(ledger.semaphore.inUse()).isEqualTo(1);
        }

        @Test
        void aWaiterQueuedByANodeWhoseClockIsAheadIsGrantedByTheNextRelease() {
            create(1);
            PermitRecord held = tryAcquire("default");
            advance(Duration.ofSeconds(5));
            String waiter = waitFor("default", Duration.ofSeconds(30));
            advance(Duration.ofSeconds(-5));

            m().release(held.id());

            assertThat(last.effects().waiterGrants()).extracting(Effects.WaiterGrant::waiterId).containsExactly(waiter);
            assertThat(ledger.semaphore.waiting()).isZero();
        }

        @Test
        void aWaitThatElapsesLeavesTheQueue() {
            create(1);
            tryAcquire("default");
            String waiter = waitFor("default", Duration.ofSeconds(2));
            assertThat(ledger.semaphore.waiting()).isEqualTo(1);

            advance(Duration.ofSeconds(2));
            m().tick();

            assertThat(ledger.jobs).doesNotContainKey(waiter);
            assertThat(ledger.semaphore.waiting()).isZero();
            assertThat(m().endWait(waiter)).isEqualTo(new AcquireOutcome.Rejected(ProblemCode.LIMIT_REACHED));
        }

        @Test
        void raisingTheLimitGrantsWaitersAtOnce() {
            create(1);
            tryAcquire("default");
            String w1 = waitFor("default", Duration.ofSeconds(30));
            String w2 = waitFor("default", Duration.ofSeconds(30));
            String w3 = waitFor("default", Duration.ofSeconds(30));

            m().update(c -> c.withLimit(3));

            assertThat(last.effects().waiterGrants()).extracting(Effects.WaiterGrant::waiterId).containsExactly(w1, w2);
            assertThat(last.effects().waiterGrants()).extracting(g -> g.permit().fencingToken()).containsExactly(2L, 3L);
            assertThat(ledger.semaphore.inUse()).isEqualTo(3);
            assertThat(ledger.jobs).containsOnlyKeys(w3);
            assertThat(m().endWait(w1)).isInstanceOf(AcquireOutcome.Granted.class);
        }

        @Test
        void loweringTheLimitRevokesNothingButGrantsNothingUntilInUseDropsBelowIt() {
            create(3);
            PermitRecord a = tryAcquire("default");
            PermitRecord b = tryAcquire("default");
            PermitRecord c = tryAcquire("default");

            m().update(cfg -> cfg.withLimit(1));

            assertThat(ledger.permits).containsValues(a, b, c);
            assertThat(ledger.semaphore.inUse()).isEqualTo(3);
            m().release(a.id());
            assertThat(tryRefusal("default")).isEqualTo(ProblemCode.LIMIT_REACHED);
            m().release(b.id());
            assertThat(tryRefusal("default")).isEqualTo(ProblemCode.LIMIT_REACHED);
            m().release(c.id());
            assertThat(tryAcquire("default").fencingToken()).isEqualTo(4);
        }

        @Test
        void limitZeroClosesTheGate() {
            create(0);
            assertThat(tryRefusal("default")).isEqualTo(ProblemCode.LIMIT_REACHED);
            enqueue("default");
            assertThat(claim(1)).isEmpty();
        }

        @Test
        void pauseRefusesTriesAndWaitersWaitUntilResumed() {
            create(2);
            m().pause(null);

            assertThat(tryRefusal("default")).isEqualTo(ProblemCode.PAUSED);
            String waiter = waitFor("default", Duration.ofSeconds(30));
            String stays = waitFor("default", Duration.ofSeconds(30));
            enqueue("default");
            assertThat(claim(1)).as("nothing is granted while paused").isEmpty();

            m().resume(null);

            assertThat(last.effects().waiterGrants()).extracting(Effects.WaiterGrant::waiterId).containsExactly(waiter, stays);
            m().pause(null);
            String late = waitFor("default", Duration.ofSeconds(30));
            assertThat(m().endWait(late)).isEqualTo(new AcquireOutcome.Rejected(ProblemCode.PAUSED));
        }

        @Test
        void aPausedChannelHoldsNoCapacityAndItsJobsWait() {
            create(2);
            m().pause("a");
            String ja = enqueue("a");

            assertThat(tryRefusal("a")).isEqualTo(ProblemCode.PAUSED);
            assertThat(tryAcquire("b")).isNotNull();
            assertThat(tryAcquire("b")).as("a paused channel's job sets nothing aside").isNotNull();
            assertThat(claim(1)).isEmpty();
            assertThat(ledger.pausedChannels()).containsExactly("a");

            m().resume("a");
            assertThat(ledger.pausedChannels()).isEmpty();
            assertThat(job(ja).state()).isEqualTo(JobState.WAITING);
        }

        @Test
        void channelLimitCapsEachChannelWithinTheTotal() {
            create(config(3, 2, NO_BACKOFF, null));
            tryAcquire("a");
            tryAcquire("a");

            assertThat(tryRefusal("a")).isEqualTo(ProblemCode.LIMIT_REACHED);
            tryAcquire("b");
            assertThat(tryRefusal("b")).as("the total limit still applies").isEqualTo(ProblemCode.LIMIT_REACHED);
            assertThat(ledger.channel("a").inUse()).isEqualTo(2);
            assertThat(ledger.channel("b").inUse()).isEqualTo(1);
        }

        @Test
        void aFullChannelIsPassedOverWithoutHoldingUpOthers() {
            create(config(3, 1, NO_BACKOFF, null));
            tryAcquire("a");
            String a1 = enqueue("a");
            String b1 = enqueue("b");
            String a2 = enqueue("a");

            assertThat(claim(3)).containsExactly(b1);
            assertThat(tryRefusal("a")).isEqualTo(ProblemCode.LIMIT_REACHED);
            assertThat(job(a1).state()).isEqualTo(JobState.WAITING);
            assertThat(job(a2).state()).isEqualTo(JobState.WAITING);
        }

        @Test
        void jobsAreGrantedByPriorityThenInEnqueueOrderAndStrictlyFifoPerChannel() {
            create(10);
            String a1 = enqueue("a");
            String b1 = enqueue("b");
            String a2 = enqueue("a");
            String urgent = m().enqueue("{}", "b", 5, null).job().id();
            String a3 = enqueue("a");

            assertThat(position(urgent)).isEqualTo(1);
            assertThat(position(a3)).isEqualTo(5);
            assertThat(claim(2)).containsExactly(urgent, a1);
            assertThat(claim(10)).containsExactly(b1, a2, a3);
        }

        @Test
        void untimedLeasesNeverExpire() {
            create(new SemaphoreConfig(1, null, null, false, null, null, null));
            PermitRecord p = tryAcquire("default");
            assertThat(p.expiresAt()).isNull();

            advance(Duration.ofDays(365));
            assertThat(m().tick()).isZero();
            assertThat(m().heartbeat(p.id(), null).expiresAt()).isNull();
            assertThat(m().release(p.id())).isEqualTo(ReleaseOutcome.DONE);
        }

        @Test
        void aRefusedTryWritesNothingEvenWhenAWaiterIsPastItsDeadline() {
            create(config(2, 1, NO_BACKOFF, null));
            tryAcquire("b");
            waitFor("b", Duration.ofSeconds(1));   // channel b is full: it waits
            advance(Duration.ofSeconds(2));          // its deadline passes; no tick yet

            assertThat(tryRefusal("b")).isEqualTo(ProblemCode.LIMIT_REACHED);
        }

        @Test
        void aSemaphoreCannotForwardToItself() {
            SemaphoreConfig forward = config(1, null, new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.FORWARD, "s"), null);
            assertRefused(() -> m().put(forward), ProblemCode.INVALID_ARGUMENT);
            assertThat(ledger.semaphore).isNull();
        }
    }

    @Nested
    class Release {
        @Test
        void releasingTwiceFreesOneUnitOnce() {
            create(2);
            PermitRecord p = tryAcquire("default");
            tryAcquire("default");

            assertThat(m().release(p.id())).isEqualTo(ReleaseOutcome.DONE);
            assertThat(ledger.semaphore.inUse()).isEqualTo(1);
            LedgerState after = LedgerState.of(ledger);
            assertThat(m().release(p.id())).isEqualTo(ReleaseOutcome.ALREADY_RELEASED);
            assertThat(LedgerState.of(ledger)).isEqualTo(after);
            assertThat(ledger.semaphore.inUse()).isEqualTo(1);
        }

        @Test
        void anExpiredPermitIsReclaimedOnceAndItsHolderIsToldSo() {
            create(1);
            PermitRecord p = tryAcquire("default");
            advance(LEASE);

            assertRefused(() -> m().heartbeat(p.id(), null), ProblemCode.LEASE_EXPIRED);
            assertThat(m().release(p.id())).isEqualTo(ReleaseOutcome.EXPIRED);
            assertThat(ledger.semaphore.inUse()).isZero();
            assertThat(m().release(p.id())).isEqualTo(ReleaseOutcome.EXPIRED);
            assertThat(ledger.semaphore.inUse()).isZero();
        }

        @Test
        void theServerReclaimsExpiredLeasesEagerly() {
            create(1);
            PermitRecord p = tryAcquire("default");
            String waiter = waitFor("default", Duration.ofSeconds(60));
            advance(LEASE);

            assertThat(m().tick()).isEqualTo(1);

            assertThat(ledger.permits.get(p.id()).state()).isEqualTo(PermitRecord.State.EXPIRED);
            assertThat(last.effects().waiterGrants()).extracting(Effects.WaiterGrant::waiterId).containsExactly(waiter);
            assertThat(m().release(p.id())).isEqualTo(ReleaseOutcome.EXPIRED);
            assertThat(ledger.semaphore.inUse()).isEqualTo(1);
        }

        @Test
        void aHeartbeatExtendsTheLease() {
            create(1);
            PermitRecord p = tryAcquire("default");
            advance(Duration.ofSeconds(9));

            assertThat(m().heartbeat(p.id(), null).expiresAt()).isEqualTo(now.plus(LEASE));
            assertThat(m().heartbeat(p.id(), Duration.ofSeconds(30)).expiresAt()).isEqualTo(now.plusSeconds(30));
            assertRefused(() -> m().heartbeat(p.id(), Duration.ofMillis(10)), ProblemCode.INVALID_ARGUMENT);
            advance(Duration.ofSeconds(29));
            assertThat(m().tick()).isZero();
        }

        @Test
        void unknownPermitsAreNotFound() {
            create(1);
            tryAcquire("default");
            assertRefused(() -> m().release("nonsense"), ProblemCode.NOT_FOUND);
            assertRefused(() -> m().release("p2.0123456789abcdef"), ProblemCode.NOT_FOUND);   // not issued yet
            assertRefused(() -> m().heartbeat("p1.0123456789abcdef", null), ProblemCode.NOT_FOUND);
        }

        @Test
        void aJobsPermitIsReleasedThroughTheJob() {
            create(1);
            enqueue("default");
            Claimed c = claimOne();
            assertRefused(() -> m().release(c.permit().id()), ProblemCode.CONFLICT);
        }

        @Test
        void fencingTokensStrictlyIncreaseAcrossEveryKindOfGrant() {
            create(3);
            long t1 = tryAcquire("default").fencingToken();
            enqueue("default");
            long t2 = claimOne().permit().fencingToken();
            AcquireOutcome.Granted g = (AcquireOutcome.Granted) m().acquireOrWait("default", null, now.plusSeconds(5));
            long t3 = g.permit().fencingToken();
            String w = waitFor("default", Duration.ofSeconds(5));
            m().release(g.permit().id());
            long t4 = last.effects().waiterGrants().getFirst().permit().fencingToken();

            assertThat(List.of(t1, t2, t3, t4)).containsExactly(1L, 2L, 3L, 4L);
            assertThat(last.effects().waiterGrants().getFirst().waiterId()).isEqualTo(w);
        }
    }

    @Nested
    class Jobs {
        @Test
        void aBatchEnqueuesInOrderAndAKeyRepeatedInItReturnsTheJobItsFirstUseMade() {
            create(2);
            List<Enqueued> batch = m().enqueueEach(List.of(
                    new SemaphoreMachine.NewJob("{\"n\":1}", "default", 0, "k1"),
                    new SemaphoreMachine.NewJob("{\"n\":2}", "default", 0, null),
                    new SemaphoreMachine.NewJob("{\"n\":3}", "default", 0, "k1")), null);
            assertThat(batch).extracting(Enqueued::created).containsExactly(true, true, false);
            assertThat(batch).extracting(Enqueued::position).containsExactly(1L, 2L, 1L);
            assertThat(batch.get(2).job()).isEqualTo(batch.get(0).job());
            assertThat(last.view().waiting()).isEqualTo(2);
            assertThat(claim(5)).containsExactly(batch.get(0).job().id(), batch.get(1).job().id());
        }

        @Test
        void aBatchCompletionCompletesEachItCanAndSaysWhyNotForTheOthers() {
            create(2);
            String a = enqueue("default");
            String b = enqueue("default");
            String waiting = enqueue("default");
            List<Claimed> claimed = m().claim(2, null);
            LedgerState before = LedgerState.of(ledger);
            List<SluiceException> refusals = m().completeEach(List.of(
                    new SemaphoreMachine.Attempt(a, claimed.get(0).permit().id()),
                    new SemaphoreMachine.Attempt(b, "p-stale"),
                    new SemaphoreMachine.Attempt("j-unknown", null),
                    new SemaphoreMachine.Attempt(waiting, null),
                    new SemaphoreMachine.Attempt(a, null)));
            assertThat(refusals).extracting(r -> r == null ? null : r.code())
                    .containsExactly(null, ProblemCode.LEASE_EXPIRED, ProblemCode.NOT_FOUND, ProblemCode.CONFLICT, null);
            assertThat(ledger.jobs.get(a).state()).isEqualTo(JobState.COMPLETED);
            assertThat(ledger.jobs.get(b)).isEqualTo(before.jobs().get(b));
            assertThat(ledger.permits).doesNotContainKey(claimed.get(0).permit().id()).containsKey(claimed.get(1).permit().id());
            assertThat(last.view().inUse()).isEqualTo(1);
            assertThat(claim(1)).as("the permit freed serves the next claim").containsExactly(waiting);
        }

        @Test
        void aBatchCompletionOnNoSemaphoreIsNotFound() {
            assertRefused(() -> m().completeEach(List.of(new SemaphoreMachine.Attempt("j1", null))), ProblemCode.NOT_FOUND);
        }

        @Test
        void aRetryWaitsOutABackoffThatGrowsAndIsCapped() {
            RetryPolicy retry = new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(4), OnExhausted.DEADLETTER, null);
            create(config(1, null, retry, null));
            String job = enqueue("default");
            long[] ceilings = {1000, 2000, 4000, 4000, 4000};
            for (int attempt = 1; attempt <= ceilings.length; attempt++) {
                Claimed c = claimOne();
                assertThat(c.job().attempts()).isEqualTo(attempt);
                m().fail(job, c.permit().id(), "boom " + attempt, true);
                JobRecord waiting = job(job);
                assertThat(waiting.state()).isEqualTo(JobState.WAITING);
                assertThat(waiting.lastError()).isEqualTo("boom " + attempt);
                assertThat(Duration.between(now, waiting.availableAt()).toMillis()).isBetween(0L, ceilings[attempt - 1]);
                if (waiting.availableAt().isAfter(now)) {
                    assertThat(claim(1)).as("not before its backoff ends").isEmpty();
                }
                now = waiting.availableAt();
            }
        }

        @Test
        void afterMaxAttemptsAJobIsDead() {
            create(config(1, null, new RetryPolicy(2, Duration.ZERO, Duration.ZERO, OnExhausted.DEADLETTER, null), null));
            String job = enqueue("default");
            m().fail(job, claimOne().permit().id(), "one", true);
            m().fail(job, claimOne().permit().id(), "two", true);

            assertThat(job(job).state()).isEqualTo(JobState.DEAD);
            assertThat(job(job).lastError()).isEqualTo("two");
            assertThat(ledger.semaphore.dead()).isEqualTo(1);
            assertThat(ledger.semaphore.inflight()).isZero();
            assertThat(ledger.semaphore.inUse()).isZero();
        }

        @Test
        void aFailureThatIsNotRetryableGoesStraightToTheDeadLetters() {
            create(config(1, null, NO_BACKOFF, null));
            String job = enqueue("default");
            m().fail(job, claimOne().permit().id(), "poison", false);
            assertThat(job(job).state()).isEqualTo(JobState.DEAD);
            assertThat(job(job).attempts()).isEqualTo(1);
        }

        @Test
        void onExhaustedDropFailsTheJob() {
            create(config(1, null, new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.DROP, null), null));
            String job = enqueue("default");
            m().fail(job, claimOne().permit().id(), "boom", true);

            assertThat(job(job).state()).isEqualTo(JobState.FAILED);
            assertThat(ledger.semaphore.dead()).isZero();
            assertThat(ledger.semaphore.inflight()).isZero();
        }

        @Test
        void onExhaustedSuspendPausesTheChannelAndKeepsTheJobAtItsPlace() {
            create(config(2, null, new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.SUSPEND, null), null));
            String first = enqueue("a");
            String second = enqueue("a");
            String other = enqueue("b");
            Claimed c = claimOne();
            assertThat(c.job().id()).isEqualTo(first);

            m().fail(first, c.permit().id(), "processor down", true);

            assertThat(ledger.pausedChannels()).containsExactly("a");
            assertThat(job(first).state()).isEqualTo(JobState.WAITING);
            assertThat(job(first).seq()).isEqualTo(job(first).originalSeq());
            assertThat(position(first)).isEqualTo(1);
            assertThat(claim(5)).as("only the other channel goes on").containsExactly(other);
            m().resume("a");
            assertThat(claim(1)).containsExactly(first);
            assertThat(job(second).state()).isEqualTo(JobState.WAITING);
        }

        @Test
        void suspendDoesNotPauseForAJobThatCannotSucceed() {
            create(config(1, null, new RetryPolicy(3, Duration.ZERO, Duration.ZERO, OnExhausted.SUSPEND, null), null));
            String job = enqueue("a");
            m().fail(job, claimOne().permit().id(), "poison", false);
            assertThat(job(job).state()).isEqualTo(JobState.DEAD);
            assertThat(ledger.pausedChannels()).isEmpty();
        }

        @Test
        void onLeaseExpiredDeadletterSendsTheJobToTheDeadLetters() {
            create(config(1, null, NO_BACKOFF, LeaseExpiryAction.DEADLETTER));
            String job = enqueue("default");
            Claimed c = claimOne();
            advance(LEASE);

            assertThat(m().tick()).isEqualTo(1);

            assertThat(job(job).state()).isEqualTo(JobState.DEAD);
            assertThat(job(job).lastError()).isEqualTo("lease expired");
            assertThat(ledger.semaphore.inUse()).isZero();
            assertRefused(() -> m().complete(job, c.permit().id()), ProblemCode.LEASE_EXPIRED);
        }

        @Test
        void onLeaseExpiredRetryCountsAFailedAttempt() {
            create(config(1, null, NO_BACKOFF, LeaseExpiryAction.RETRY));
            String job = enqueue("default");
            claimOne();
            advance(LEASE);
            m().tick();

            assertThat(job(job).state()).isEqualTo(JobState.WAITING);
            assertThat(job(job).attempts()).isEqualTo(1);
            assertThat(claimOne().job().attempts()).isEqualTo(2);
        }

        @Test
        void anExpiredLeaseCannotBeCompletedOrHeartbeatenEvenBeforeTheTick() {
            create(1);
            String job = enqueue("default");
            Claimed c = claimOne();
            advance(LEASE);
            assertRefused(() -> m().complete(job, c.permit().id()), ProblemCode.LEASE_EXPIRED);
            assertRefused(() -> m().heartbeatJob(job, c.permit().id(), null), ProblemCode.LEASE_EXPIRED);
            assertRefused(() -> m().fail(job, c.permit().id(), "late", true), ProblemCode.LEASE_EXPIRED);
        }

        @Test
        void completingWithAStalePermitIsLeaseExpired() {
            create(1);
            String job = enqueue("default");
            Claimed stale = claimOne();
            advance(LEASE);
            m().tick();                       // the first attempt's lease ran out: retry
            Claimed fresh = claimOne();

            assertRefused(() -> m().complete(job, stale.permit().id()), ProblemCode.LEASE_EXPIRED);
            m().complete(job, fresh.permit().id());
            assertThat(job(job).state()).isEqualTo(JobState.COMPLETED);
            assertThat(ledger.semaphore.inUse()).isZero();
            LedgerState done = LedgerState.of(ledger);
            m().complete(job, fresh.permit().id());
            assertThat(LedgerState.of(ledger)).as("completing twice is a no-op").isEqualTo(done);
        }

        @Test
        void heartbeatJobExtendsTheJobsLease() {
            create(1);
            String job = enqueue("default");
            Claimed c = claimOne();
            advance(Duration.ofSeconds(8));
            assertThat(m().heartbeatJob(job, c.permit().id(), null).expiresAt()).isEqualTo(now.plus(LEASE));
            advance(Duration.ofSeconds(8));
            assertThat(m().tick()).isZero();
            m().complete(job, null);
            assertThat(job(job).state()).isEqualTo(JobState.COMPLETED);
        }

        @Test
        void requeueGoesToTheBackRescheduleBackToTheOriginalPosition() {
            create(0);
            String j1 = enqueue("default");
            String j2 = enqueue("default");
            String j3 = enqueue("default");

            m().requeue(j1);
            assertThat(List.of(position(j2), position(j3), position(j1))).containsExactly(1L, 2L, 3L);
            m().reschedule(j1);
            assertThat(List.of(position(j1), position(j2), position(j3))).containsExactly(1L, 2L, 3L);
        }

        @Test
        void requeueOfAnInflightJobFreesItsPermit() {
            create(1);
            String j1 = enqueue("default");
            String j2 = enqueue("default");
            Claimed c = claimOne();

            m().requeue(j1);

            assertThat(ledger.permits).doesNotContainKey(c.permit().id());
            assertThat(ledger.semaphore.inUse()).isZero();
            assertThat(ledger.semaphore.inflight()).isZero();
            assertThat(claim(2)).containsExactly(j2);
            assertRefused(() -> m().complete(j1, c.permit().id()), ProblemCode.LEASE_EXPIRED);
        }

        @Test
        void cancelFreesTheHeldPermitAndFinishedJobsCannotMove() {
            create(1);
            String job = enqueue("default");
            claimOne();
            m().cancel(job);

            assertThat(job(job).state()).isEqualTo(JobState.CANCELLED);
            assertThat(ledger.semaphore.inUse()).isZero();
            assertRefused(() -> m().cancel(job), ProblemCode.CONFLICT);
            assertRefused(() -> m().requeue(job), ProblemCode.CONFLICT);
            assertRefused(() -> m().complete(job, null), ProblemCode.CONFLICT);
        }

        @Test
        void aRepeatedIdempotencyKeyReturnsTheFirstJob() {
            create(1);
            Enqueued first = m().enqueue("{\"a\":1}", "default", 0, "order-42");
            LedgerState after = LedgerState.of(ledger);
            Enqueued again = m().enqueue("{\"a\":2}", "other", 3, "order-42");

            assertThat(first.created()).isTrue();
            assertThat(again.created()).isFalse();
            assertThat(again.job()).isEqualTo(first.job());
            assertThat(again.position()).isEqualTo(1);
            assertThat(LedgerState.of(ledger)).isEqualTo(after);

            m().complete(claimOne().job().id(), null);
            Enqueued afterDone = m().enqueue("{}", "default", 0, "order-42");
            assertThat(afterDone.created()).isFalse();
            assertThat(afterDone.job().state()).isEqualTo(JobState.COMPLETED);
            assertThat(afterDone.position()).isZero();
        }

        @Test
        void redriveBringsDeadJobsBackAtTheBackOrAtTheirOriginalPosition() {
            create(config(0, null, new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.DEADLETTER, null), null));
            String dead1 = enqueue("default");
            String dead2 = enqueue("default");
            String live = enqueue("default");
            m().update(c -> c.withLimit(2));
            for (Claimed c : m().claim(2, null)) {
                m().fail(c.job().id(), c.permit().id(), "boom", true);
            }
            m().update(c -> c.withLimit(0));
            assertThat(ledger.semaphore.dead()).isEqualTo(2);

            assertThat(m().redrive(List.of(dead2, live, "j-unknown"), false)).isEqualTo(1);
            assertThat(List.of(position(live), position(dead2))).containsExactly(1L, 2L);
            assertThat(job(dead2).attempts()).isZero();
            assertThat(m().redrive(null, true)).isEqualTo(1);
            assertThat(position(dead1)).isEqualTo(1);
            assertThat(ledger.semaphore.dead()).isZero();
            assertThat(ledger.semaphore.waiting()).isEqualTo(3);
        }

        @Test
        void purgeDeletesWaitingJobsButNotWaitingAcquires() {
            create(1);
            tryAcquire("default");
            enqueue("default");
            enqueue("default");
            String waiter = waitFor("default", Duration.ofSeconds(30));

            assertThat(m().purge()).isEqualTo(2);

            assertThat(ledger.jobs).containsOnlyKeys(waiter);
            assertThat(ledger.semaphore.waiting()).isEqualTo(1);
        }

        @Test
        void purgingTheJobsAheadGrantsTheWaiterBehindThem() {
            create(1);
            enqueue("default");
            String waiter = waitFor("default", Duration.ofSeconds(30));
            m().purge();
            assertThat(last.effects().waiterGrants()).extracting(Effects.WaiterGrant::waiterId).containsExactly(waiter);
        }
    }

    private static SemaphoreConfig webhook(int limit, boolean releaseOnSuccess, RetryPolicy retry, LeaseExpiryAction onLeaseExpired) {
        return new SemaphoreConfig(limit, null, LEASE, false, Delivery.webhook("https://hooks.example/h", Duration.ofSeconds(5),
                releaseOnSuccess), retry, onLeaseExpired);
    }

    private List<String> owed() {
        return m().pendingDeliveries().jobs().stream().map(c -> c.job().id()).toList();
    }

    private String permitOf(String jobId) {
        return job(jobId).permitId();
    }

    @Nested
    class Webhooks {
        @Test
        void jobsAreGrantedForDeliveryInOrderUpToTheLimit() {
            create(webhook(2, false, NO_BACKOFF, null));
            String a = enqueue("default");
            String b = enqueue("default");
            String c = enqueue("default");

            assertThat(last.effects().deliveriesDue()).as("the third enqueue grants nothing").isFalse();
            assertThat(owed()).containsExactly(a, b);
            assertThat(job(a).state()).isEqualTo(JobState.INFLIGHT);
            assertThat(job(a).deliveredAt()).isNull();
            assertThat(job(c).state()).isEqualTo(JobState.WAITING);
            assertThat(ledger.semaphore.inUse()).isEqualTo(2);
            assertRefused(() -> m().claim(1, null), ProblemCode.CONFLICT);
            assertThat(tryRefusal("default")).as("nothing jumps the queue").isEqualTo(ProblemCode.LIMIT_REACHED);
        }

        @Test
        void aTwoHundredAnswerKeepsTheJobInflightUntilCompleted() {
            create(webhook(1, false, NO_BACKOFF, null));
            String a = enqueue("default");
            String b = enqueue("default");

            assertThat(m().delivered(a, permitOf(a))).isTrue();
            assertThat(job(a).deliveredAt()).isEqualTo(now);
            assertThat(owed()).isEmpty();
            assertThat(m().delivered(a, permitOf(a))).as("answered already").isFalse();

            m().complete(a, permitOf(a));
            assertThat(last.effects().deliveriesDue()).isTrue();
            assertThat(owed()).containsExactly(b);
        }

        @Test
        void releaseOnSuccessCompletesAtTheTwoHundredAndGrantsTheNext() {
            create(webhook(1, true, NO_BACKOFF, null));
            String a = enqueue("default");
            String b = enqueue("default");

            assertThat(m().delivered(a, permitOf(a))).isTrue();

            assertThat(job(a).state()).isEqualTo(JobState.COMPLETED);
            assertThat(owed()).containsExactly(b);
        }

        @Test
        void aFailedDeliveryWaitsOutItsBackoffAtItsPositionThenIsGrantedAgain() {
            RetryPolicy retry = new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(2), OnExhausted.DEADLETTER, null);
            create(webhook(1, false, retry, null));
            String a = enqueue("default");
            String b = enqueue("default");
            String first = permitOf(a);

            assertThat(m().deliveryFailed(a, first, "HTTP 503")).isTrue();

            assertThat(job(a).state()).isEqualTo(JobState.WAITING);
            assertThat(job(a).lastError()).isEqualTo("HTTP 503");
            assertThat(job(a).seq()).isEqualTo(job(a).originalSeq());
            assertThat(owed()).as("b goes while a waits out its backoff").containsExactly(b);
            assertThat(m().deliveryFailed(a, first, "late answer")).as("that attempt is over").isFalse();
            m().delivered(b, permitOf(b));
            m().complete(b, null);
            advance(Duration.ofSeconds(2));
            m().tick();
            assertThat(owed()).containsExactly(a);
            assertThat(job(a).attempts()).isEqualTo(2);
        }

        @Test
        void retriesExhaustedDeadLetterAndRedriveDeliversAgain() {
            create(webhook(1, false, new RetryPolicy(2, Duration.ZERO, Duration.ZERO, OnExhausted.DEADLETTER, null), null));
            String a = enqueue("default");
            m().deliveryFailed(a, permitOf(a), "HTTP 500");
            assertThat(job(a).attempts()).as("granted again at once: no backoff").isEqualTo(2);
            m().deliveryFailed(a, permitOf(a), "HTTP 500");

            assertThat(job(a).state()).isEqualTo(JobState.DEAD);
            assertThat(ledger.semaphore.dead()).isEqualTo(1);

            assertThat(m().redrive(null, true)).isEqualTo(1);
            assertThat(owed()).containsExactly(a);
            assertThat(job(a).attempts()).isEqualTo(1);
        }

        @Test
        void suspendPausesTheChannelKeepsTheJobFirstAndIngressGoesOn() {
            create(webhook(2, false, new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.SUSPEND, null), null));
            String a = enqueue("eu");
            m().deliveryFailed(a, permitOf(a), "connection refused");
            String b = enqueue("eu");
            String other = enqueue("us");

            assertThat(ledger.pausedChannels()).containsExactly("eu");
            assertThat(position(a)).isEqualTo(1);
            assertThat(job(b).state()).isEqualTo(JobState.WAITING);
            assertThat(owed()).as("other channels go on").containsExactly(other);

            m().resume("eu");
            assertThat(owed()).containsExactly(other, a);
        }

        @Test
        void anUnansweredDeliveryWhoseLeaseEndsIsAFailedAttemptWhateverOnLeaseExpiredSays() {
            create(webhook(1, false, NO_BACKOFF, LeaseExpiryAction.DEADLETTER));
            String a = enqueue("default");
            advance(LEASE);

            assertThat(m().tick()).isEqualTo(1);

            assertThat(job(a).state()).as("granted again: a retry, not a dead letter").isEqualTo(JobState.INFLIGHT);
            assertThat(job(a).attempts()).isEqualTo(2);
            assertThat(job(a).lastError()).isEqualTo("lease expired before the webhook answered");
        }

        @Test
        void anAcceptedDeliveryWhoseLeaseEndsFollowsOnLeaseExpired() {
            create(webhook(1, false, NO_BACKOFF, LeaseExpiryAction.DEADLETTER));
            String a = enqueue("default");
            String permit = permitOf(a);
            m().delivered(a, permit);
            advance(LEASE);

            m().tick();

            assertThat(job(a).state()).isEqualTo(JobState.DEAD);
            assertRefused(() -> m().complete(a, permit), ProblemCode.LEASE_EXPIRED);
        }

        @Test
        void aSecretIsGeneratedOnceKeptAndRotatedWithAGracePeriod() {
            create(webhook(1, false, NO_BACKOFF, null));
            String generated = last.generatedSecret();
            assertThat(generated).startsWith("whsec_");
            assertThat(ledger.semaphore.config().delivery().secret()).isNull();
            assertThat(m().pendingDeliveries().signingSecrets()).containsExactly(generated);

            m().put(webhook(3, false, NO_BACKOFF, null));
            assertThat(last.generatedSecret()).as("kept, not generated again").isNull();
            assertThat(ledger.secrets.current()).isEqualTo(generated);

            SemaphoreConfig rotated = webhook(3, false, NO_BACKOFF, null);
            rotated = rotated.withDelivery(rotated.delivery().withSecret("a-new-secret-of-mine"));
            m().put(rotated);
            assertThat(ledger.semaphore.config().delivery().secret()).isNull();
            assertThat(ledger.semaphore.config().toString()).doesNotContain("a-new-secret-of-mine").doesNotContain(generated);
            assertThat(m().pendingDeliveries().signingSecrets()).containsExactly("a-new-secret-of-mine", generated);
            advance(Limits.WEBHOOK_SECRET_GRACE);
            assertThat(m().pendingDeliveries().signingSecrets()).containsExactly("a-new-secret-of-mine");
        }

        @Test
        void whetherASecretIsTheCurrentOneCanBeAskedWithoutWritingAnything() {
            create(1);
            assertThat(m().isCurrentSecret("whatever-secret-1234")).as("a pull semaphore has none").isFalse();
            SemaphoreConfig hooked = webhook(1, false, NO_BACKOFF, null);
            m().put(hooked.withDelivery(hooked.delivery().withSecret("the-first-secret-1234")));
            LedgerState before = LedgerState.of(ledger);

            assertThat(m().isCurrentSecret("the-first-secret-1234")).isTrue();
            assertThat(m().isCurrentSecret("the-first-secret-12345")).isFalse();
            assertThat(m().isCurrentSecret(null)).isFalse();
            assertThat(last.effects().changes()).isEmpty();
            assertThat(LedgerState.of(ledger)).isEqualTo(before);

            m().put(hooked.withDelivery(hooked.delivery().withSecret("the-next-secret-1234")));
            assertThat(m().isCurrentSecret("the-next-secret-1234")).isTrue();
            assertThat(m().isCurrentSecret("the-first-secret-1234")).as("still signing in its grace, but not current").isFalse();
        }

        @Test
        void invalidWebhookSettingsAreRefusedWithoutRepeatingTheSecret() {
            assertThatThrownBy(() -> Delivery.webhook("ftp://x", null, false)).isInstanceOf(SluiceException.class);
            assertThatThrownBy(() -> Delivery.webhook("https://x", Duration.ofMillis(10), false)).isInstanceOf(SluiceException.class);
            assertThatThrownBy(() -> new SemaphoreConfig(1, null, Duration.ofSeconds(5), false,
                    Delivery.webhook("https://x", Duration.ofSeconds(10), false), null, null))
                    .hasMessageContaining("must not be longer than leaseTimeout");
            assertThatThrownBy(() -> Delivery.webhook("https://x", null, false).withSecret("short secret"))
                    .isInstanceOf(SluiceException.class).hasMessageNotContaining("short secret");
        }

        @Test
        void turningToPullTakesBackTheGrantsNotDeliveredYet() {
            create(webhook(2, false, NO_BACKOFF, null));
            String a = enqueue("default");
            String b = enqueue("default");
            m().delivered(a, permitOf(a));

            m().put(config(2, null, NO_BACKOFF, null));

            assertThat(job(a).state()).as("delivered: its processor has it").isEqualTo(JobState.INFLIGHT);
            assertThat(job(b).state()).isEqualTo(JobState.WAITING);
            assertThat(job(b).attempts()).isZero();
            assertThat(claim(1)).containsExactly(b);
        }

        @Test
        void deadAndFinishedJobsCanBeDeletedWaitingOnesCannot() {
            create(webhook(1, true, new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.DEADLETTER, null), null));
            String dead1 = enqueue("default");
            m().deliveryFailed(dead1, permitOf(dead1), "HTTP 500");
            String dead2 = enqueue("default");
            m().deliveryFailed(dead2, permitOf(dead2), "HTTP 500");
            String done = enqueue("default");
            m().delivered(done, permitOf(done));
            String inflight = enqueue("default");

            assertRefused(() -> m().deleteJob(inflight), ProblemCode.CONFLICT);
            m().deleteJob(done);
            m().deleteJob(dead1);
            assertThat(ledger.semaphore.dead()).isEqualTo(1);
            assertThat(m().deleteDead()).isEqualTo(1);
            assertThat(ledger.semaphore.dead()).isZero();
            assertThat(ledger.jobs.keySet()).containsExactly(inflight);
            assertRefused(() -> m().deleteJob(done), ProblemCode.NOT_FOUND);
        }
    }

    @Nested
    class Forwarding {
        private final InMemoryLedger target = new InMemoryLedger();

        private SemaphoreMachine on(InMemoryLedger l, String name) {
            return new SemaphoreMachine(l, name, now, random);
        }

        private String exhaustOne() {
            create(webhook(1, false, new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.FORWARD, "t"), null));
            String a = m().enqueue("{\"n\":1}", "eu", 3, "key-1").job().id();
            m().deliveryFailed(a, permitOf(a), "HTTP 500");
            return a;
        }

        @Test
        void aForwardMovesTheJobInTwoStepsUnderItsIdOnce() {
            on(target, "t").put(webhook(5, false, NO_BACKOFF, null));
            String a = exhaustOne();
            assertThat(job(a).state()).isEqualTo(JobState.FORWARDING);
            assertThat(last.effects().forwarding()).isTrue();
            assertThat(ledger.semaphore.inUse()).isZero();
            assertRefused(() -> m().delete(false), ProblemCode.CONFLICT);

            List<JobRecord> pending = m().pendingForwards();
            assertThat(pending).extracting(JobRecord::id).containsExactly(a);
            assertThat(on(target, "t").acceptForward(pending.getFirst(), "s")).isTrue();
            assertThat(on(target, "t").acceptForward(pending.getFirst(), "s")).as("taken in once").isFalse();
            m().forwardDone(a, null);
            m().forwardDone(a, null);

            JobRecord moved = target.jobs.get(a);
            assertThat(moved.payload()).isEqualTo("{\"n\":1}");
            assertThat(moved.channel()).isEqualTo("eu");
            assertThat(moved.priority()).isEqualTo(3);
            assertThat(moved.forwardedFrom()).isEqualTo("s");
            assertThat(moved.lastError()).isEqualTo("HTTP 500");
            assertThat(moved.idempotencyKey()).isEqualTo("key-1");
            assertThat(moved.state()).as("granted for delivery on its new semaphore").isEqualTo(JobState.INFLIGHT);
            assertThat(target.jobs).hasSize(1);
            assertThat(job(a).state()).isEqualTo(JobState.FORWARDED);
            assertThat(job(a).forwardedTo()).isEqualTo("t");
            assertThat(m().pendingForwards()).isEmpty();
        }

        @Test
        void aForwardedJobIsNotForwardedAgain() {
            on(target, "t").put(webhook(1, false, new RetryPolicy(1, Duration.ZERO, Duration.ZERO, OnExhausted.FORWARD, "s"), null));
            String a = exhaustOne();
            on(target, "t").acceptForward(m().pendingForwards().getFirst(), "s");
            m().forwardDone(a, null);

            on(target, "t").deliveryFailed(a, target.jobs.get(a).permitId(), "HTTP 500 there too");

            assertThat(target.jobs.get(a).state()).isEqualTo(JobState.DEAD);
        }

        @Test
        void aForwardToASemaphoreThatIsGoneDeadLettersTheJobWithTheReason() {
            String a = exhaustOne();
            assertRefused(() -> on(target, "t").acceptForward(m().pendingForwards().getFirst(), "s"), ProblemCode.NOT_FOUND);

            m().forwardDone(a, "no semaphore named t");

            assertThat(job(a).state()).isEqualTo(JobState.DEAD);
            assertThat(job(a).lastError()).isEqualTo("could not forward to t: no semaphore named t; last error: HTTP 500");
            assertThat(ledger.semaphore.dead()).isEqualTo(1);
        }
    }

    @Nested
    class Semaphores {
        @Test
        void deleteIsRefusedWhilePermitsAreHeldOrEntriesWaitUnlessForced() {
            create(1);
            PermitRecord p = tryAcquire("default");
            assertRefused(() -> m().delete(false), ProblemCode.CONFLICT);
            m().release(p.id());
            enqueue("default");
            assertRefused(() -> m().delete(false), ProblemCode.CONFLICT);

            m().delete(true);

            assertThat(LedgerState.of(ledger)).isEqualTo(LedgerState.EMPTY);
            assertRefused(() -> m().tryAcquire("default", null), ProblemCode.NOT_FOUND);
            assertThat(m().tick()).isZero();
        }

        @Test
        void anIdleSemaphoreIsDeletedWithoutForce() {
            create(1);
            m().release(tryAcquire("default").id());
            m().delete(false);
            assertThat(ledger.semaphore).isNull();
        }

        @Test
        void putReplacesTheConfigAndKeepsTheLiveState() {
            create(1);
            PermitRecord p = tryAcquire("default");
            SemaphoreConfig next = config(5, 2, NO_BACKOFF, LeaseExpiryAction.DEADLETTER);

            assertThat(m().put(next)).isFalse();

            assertThat(ledger.semaphore.config()).isEqualTo(next);
            assertThat(ledger.semaphore.inUse()).isEqualTo(1);
            assertThat(ledger.permits).containsValue(p);
        }

        @Test
        void operationsOnAMissingSemaphoreAreNotFound() {
            assertRefused(() -> m().tryAcquire("default", null), ProblemCode.NOT_FOUND);
            assertRefused(() -> m().enqueue("{}", "default", 0, null), ProblemCode.NOT_FOUND);
            assertRefused(() -> m().update(c -> c.withLimit(2)), ProblemCode.NOT_FOUND);
            assertRefused(() -> m().view(), ProblemCode.NOT_FOUND);
        }
    }
}
