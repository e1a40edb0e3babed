package dev.sluice.core;

import java.util.Optional;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Gives every jqwik property that names no seed of its own one fixed seed, so that the suite draws
 * the same inputs on every run: a build that fails fails again, and one that passes was not lucky.
 * The system property {@value #SETTING} changes it: {@code random} lets jqwik draw a new seed for
 * each property on each run (a wider search, for a loop by hand or a nightly job), and a number
 * runs with that seed (the one a failing run reported, to replay it).
 *
 * <p>Registered for every property of the build by {@code META-INF/services} in core's test
 * resources; the store's and the server's tests have core's test jar on their class path.
 */
public final class FixedSeed implements AroundPropertyHook {
    public static final String SETTING = "sluice.seed";

    /** Any number would do; changing it changes the inputs of every property. */
    static final String DEFAULT_SEED = "20261204";

    /** The seed to give the properties for a value of {@value #SETTING}; empty for jqwik's own random seeds. */
    static Optional<String> seedFor(String setting) {
        if (setting == null || setting.isBlank()) {
            return Optional.of(DEFAULT_SEED);
        }
        if (setting.equals("random")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.toString(Long.parseLong(setting.strip())));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + SETTING + " is \"" + setting + "\"; give a whole number, or random", e);
        }
    }

    static Optional<String> configuredSeed() {
        return seedFor(System.getProperty(SETTING));
    }

    /** Registered once for the whole run, it applies to every property below. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    /** Before jqwik's own hooks, which read the seed. */
    @Override
    public int aroundPropertyProximity() {
        return -100;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        if (context.attributes().seed().isEmpty()) {
            configuredSeed().ifPresent(context.attributes()::setSeed);
        }
        return property.execute();
    }
}
