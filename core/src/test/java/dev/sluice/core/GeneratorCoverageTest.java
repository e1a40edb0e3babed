package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.semaphore.SemaphoreConfig;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The property tests are only as good as the situations their sequences reach. This runs the same
 * driver on a fixed set of sequences and checks that each situation the guarantees are about
 * does come up, so a change to the generators cannot quietly make the properties vacuous.
 */
class GeneratorCoverageTest {

    @Test
    void theRandomSequencesReachTheSituationsTheGuaranteesAreAbout() {
        Map<String, Integer> seen = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(2026);
        for (var weights : List.of(MachineDriver.MIXED, MachineDriver.ACQUIRES, MachineDriver.JOBS, MachineDriver.WEBHOOKS)) {
            for (int i = 0; i < 300; i++) {
                MachineDriver driver = new MachineDriver(r.nextLong());
                SemaphoreConfig initial = weights == MachineDriver.WEBHOOKS
                        ? MachineDriver.randomWebhookConfig(r) : MachineDriver.randomConfig(r);
                driver.run(initial, MachineDriver.randomOps(weights, r, 60));
                driver.seen.forEach((k, v) -> seen.merge(k, v, Integer::sum));
            }
        }
        System.getProperties().computeIfPresent("sluice.coverage", (k, v) -> {
            seen.forEach((e, n) -> System.out.println(e + " " + n));
            return v;
        });
        assertThat(seen).containsKeys(
                // G1 / G3 / G4
                "grant:claim", "grant:waiter-by-RELEASE", "grant:waiter-by-TICK", "grant:waiter-by-SET_LIMIT",
                "grant:waiter-by-RESUME", "grant:waiter-by-RESUME_CHANNEL", "grant:waiter-by-COMPLETE",
                "g4:granted-past-older-job-with-capacity-set-aside",
                "acquire:granted-with-capacity-set-aside", "acquire:refused-with-capacity-set-aside",
                "acquire:refused-by-channel-limit", "state:in-use-above-limit", "state:waiter-past-deadline",
                "dispatch:counted-not-read",
                "TRY", "TRY:LIMIT_REACHED", "TRY:PAUSED", "TRY:INVALID_ARGUMENT", "WAIT", "endWait:granted",
                "abandonWait:queued", "abandonWait:granted",
                // G6
                "release:DONE", "release:ALREADY_RELEASED", "release:EXPIRED", "RELEASE:CONFLICT", "RELEASE:NOT_FOUND",
                "HEARTBEAT", "HEARTBEAT:LEASE_EXPIRED", "HEARTBEAT:NOT_FOUND", "tick:lease-expired",
                // jobs
                "enqueue:repeated-key", "COMPLETE", "COMPLETE:LEASE_EXPIRED", "COMPLETE:CONFLICT",
                "complete-each:several-completed", "complete-each:some-refused", "grant:waiter-by-COMPLETE_EACH",
                "fail:retry-with-backoff", "fail:DEADLETTER", "fail:DROP", "fail:SUSPEND",
                "tick:job-lease-expired->DEAD", "tick:job-lease-expired->WAITING", "HEARTBEAT_JOB",
                "REQUEUE", "RESCHEDULE", "CANCEL", "REQUEUE:CONFLICT", "redrive:original", "redrive:back", "PURGE",
                // webhook delivery (G1, G3, G4 for deliveries)
                "grant:delivery", "state:deliveries-owed", "enqueue:granted-for-delivery-at-once",
                "delivered:accepted", "delivered:completed", "delivered:stale",
                "deliveryFailed:retry-with-backoff", "deliveryFailed:retry-granted-again-at-once", "deliveryFailed:DEADLETTER",
                "deliveryFailed:SUSPEND", "deliveryFailed:FORWARD", "deliveryFailed:stale", "deliveryFailed:after-lease-end",
                "redrive:granted-for-delivery-at-once", "move:granted-again-at-once", "CLAIM:CONFLICT",
                "put:webhook-to-pull-hands-back", "secret:generated", "secret:rotated",
                // forwarding, deleting
                "fail:FORWARD", "forwardDone:forwarded", "forwardDone:dead", "acceptForward:new", "acceptForward:again",
                "exhausted:forwarded-job-not-forwarded-again", "deleteJob:DEAD", "deleteJob:COMPLETED", "DELETE_JOB:CONFLICT",
                "deleteDead:some",
                // semaphores
                "PUT", "PUT:INVALID_ARGUMENT", "SET_LIMIT", "SET_LIMIT:INVALID_ARGUMENT", "SET_CHANNEL_LIMIT",
                "PAUSE", "PAUSE_CHANNEL", "DELETE", "DELETE:CONFLICT");
    }
}
