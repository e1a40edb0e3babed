package dev.sluice.core;

import dev.sluice.core.job.JobRecord;
import dev.sluice.core.job.JobState;
import dev.sluice.core.semaphore.SemaphoreConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SPEC §1 "Order" written down independently of the machine, as the oracle the property tests
 * compare it with: one pass over the eligible waiting entries in grant order (priority
 * descending, then seq); a paused channel is passed over, so is a full one; a waiting acquire
 * that fits is granted; a job that fits is granted for delivery on a webhook semaphore (when
 * {@code grantDeliveries}), else claimed (up to {@code claimMax}) or has capacity set aside; the
 * pass ends when the gate is full.
 */
final class QueueModel {
    private QueueModel() {}

    /**
     * @param waiterGrants ids of waiting acquires granted, in grant order
     * @param claims       ids of jobs claimed, in grant order
     * @param deliveries   ids of jobs granted for webhook delivery, in grant order
     * @param reserved     ids of jobs that capacity is set aside for
     * @param channelUse   permits held per channel after the grants (reservations not included)
     * @param reservedIn   reservations per channel
     * @param free         units left after grants and reservations
     */
    record Sim(List<String> waiterGrants, List<String> claims, List<String> deliveries, Set<String> reserved,
               Map<String, Integer> channelUse, Map<String, Integer> reservedIn, int free) {}

    /** Waiting, available, and (for a waiting acquire) before its deadline. */
    static boolean eligible(JobRecord entry, Instant now) {
        return entry.state() == JobState.WAITING && !entry.availableAt().isAfter(now)
                && (!entry.isWaiter() || now.isBefore(entry.deadline()));
    }

    static Sim simulate(SemaphoreConfig config, int inUse, Map<String, Integer> channelUse, Set<String> pausedChannels,
                        Collection<JobRecord> entries, Instant now, int claimMax) {
        return simulate(config, inUse, channelUse, pausedChannels, entries, now, claimMax, true);
    }

    static Sim simulate(SemaphoreConfig config, int inUse, Map<String, Integer> channelUse, Set<String> pausedChannels,
                        Collection<JobRecord> entries, Instant now, int claimMax, boolean grantDeliveries) {
        boolean webhook = config.delivery().isWebhook();
        Map<String, Integer> use = new HashMap<>(channelUse);
        Map<String, Integer> reservedIn = new HashMap<>();
        List<String> waiterGrants = new ArrayList<>();
        List<String> claims = new ArrayList<>();
        List<String> deliveries = new ArrayList<>();
        Set<String> reserved = new LinkedHashSet<>();
        int free = config.limit() - inUse;
        if (!config.paused() && free > 0) {
            List<JobRecord> order = entries.stream().filter(e -> eligible(e, now)).sorted(InMemoryLedger.GRANT_ORDER).toList();
            for (JobRecord e : order) {
                if (free <= 0) {
                    break;
                }
                String c = e.channel();
                if (pausedChannels.contains(c)) {
                    continue;
                }
                int used = use.getOrDefault(c, 0) + reservedIn.getOrDefault(c, 0);
                if (config.channelLimit() != null && used >= config.channelLimit()) {
                    continue;
                }
                if (e.isWaiter()) {
                    waiterGrants.add(e.id());
                    use.merge(c, 1, Integer::sum);
                } else if (webhook && grantDeliveries) {
                    deliveries.add(e.id());
                    use.merge(c, 1, Integer::sum);
                } else if (!webhook && claims.size() < claimMax) {
                    claims.add(e.id());
                    use.merge(c, 1, Integer::sum);
                } else {
                    reserved.add(e.id());
                    reservedIn.merge(c, 1, Integer::sum);
                }
                free--;
            }
        }
        return new Sim(waiterGrants, claims, deliveries, reserved, use, reservedIn, Math.max(free, 0));
    }

    /** Why a new acquire on {@code channel} is refused once the queue had its turn, or null if it fits. */
    static ProblemCode refusal(SemaphoreConfig config, Set<String> pausedChannels, Sim sim, String channel) {
        if (config.paused() || pausedChannels.contains(channel)) {
            return ProblemCode.PAUSED;
        }
        if (sim.free() <= 0) {
            return ProblemCode.LIMIT_REACHED;
        }
        if (config.channelLimit() != null
                && sim.channelUse().getOrDefault(channel, 0) + sim.reservedIn().getOrDefault(channel, 0) >= config.channelLimit()) {
            return ProblemCode.LIMIT_REACHED;
        }
        return null;
    }
}
