package dev.sluice.core;

import dev.sluice.core.MachineDriver.Kind;
import dev.sluice.core.MachineDriver.Op;
import dev.sluice.core.semaphore.SemaphoreConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random operation sequences on one semaphore, checked after every step by {@link MachineDriver}
 * (G1 safety, G3/G4 order against {@link QueueModel}, G6 release and fencing, exact counters,
 * refusals that write nothing; for webhook delivery: never more deliveries under way than
 * {@code limit}, granted in FIFO order, owed exactly until answered). Each sequence is reproducible from its inputs: the machine's
 * randomness is seeded from {@code seed}, each step's arguments from its own seed.
 */
class SemaphoreMachinePropertyTest {

    @Property(tries = 400)
    void everyOperationMixedKeepsTheGuarantees(@ForAll("configs") SemaphoreConfig initial,
                                               @ForAll("mixed") List<Op> ops, @ForAll long seed) {
        new MachineDriver(seed).run(initial, ops);
    }

    @Property(tries = 300)
    void contendedAcquiresKeepTheGuarantees(@ForAll("configs") SemaphoreConfig initial,
                                            @ForAll("acquires") List<Op> ops, @ForAll long seed) {
        new MachineDriver(seed).run(initial, ops);
    }

    @Property(tries = 300)
    void jobLifecyclesKeepTheGuarantees(@ForAll("configs") SemaphoreConfig initial,
                                        @ForAll("jobs") List<Op> ops, @ForAll long seed) {
        new MachineDriver(seed).run(initial, ops);
    }

    @Property(tries = 400)
    void webhookDeliveriesKeepTheGuarantees(@ForAll("webhookConfigs") SemaphoreConfig initial,
                                            @ForAll("webhooks") List<Op> ops, @ForAll long seed) {
        new MachineDriver(seed).run(initial, ops);
    }

    @Provide
    Arbitrary<SemaphoreConfig> webhookConfigs() {
        return Arbitraries.longs().map(s -> MachineDriver.randomWebhookConfig(new SplittableRandom(s)));
    }

    @Provide
    Arbitrary<List<Op>> webhooks() {
        return sequences(MachineDriver.WEBHOOKS);
    }

    @Provide
    Arbitrary<SemaphoreConfig> configs() {
        return Arbitraries.longs().map(s -> MachineDriver.randomConfig(new SplittableRandom(s)));
    }

    @Provide
    Arbitrary<List<Op>> mixed() {
        return sequences(MachineDriver.MIXED);
    }

    @Provide
    Arbitrary<List<Op>> acquires() {
        return sequences(MachineDriver.ACQUIRES);
    }

    @Provide
    Arbitrary<List<Op>> jobs() {
        return sequences(MachineDriver.JOBS);
    }

    private static Arbitrary<List<Op>> sequences(Map<Kind, Integer> weights) {
        List<Tuple.Tuple2<Integer, Kind>> frequencies = new ArrayList<>();
        new EnumMap<>(weights).forEach((kind, weight) -> frequencies.add(Tuple.of(weight, kind)));   // a stable order
        Arbitrary<Long> advance = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just(0L)),
                Tuple.of(4, Arbitraries.longs().between(1, 800)),
                Tuple.of(1, Arbitraries.longs().between(800, 6000)));
        Arbitrary<Op> op = Combinators.combine(Arbitraries.frequency(frequencies), Arbitraries.longs(), advance).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(60);
    }
}
