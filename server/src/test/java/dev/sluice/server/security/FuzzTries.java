package dev.sluice.server.security;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Sets the tries of a fuzzing property from {@code -Dsluice.fuzz.tries}: a short run in CI by
 * default, as long a run as wanted by hand ({@code -Dsluice.fuzz.tries=100000}).
 */
public final class FuzzTries implements AroundPropertyHook {
    /** Tries when the property is not given. */
    public static final int CI_TRIES = 2000;

    public static int tries() {
        return Integer.getInteger("sluice.fuzz.tries", CI_TRIES);
    }

    /** Outside jqwik's own hooks, so that the tries are set before they are read. */
    @Override
    public int aroundPropertyProximity() {
        return -100;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        context.attributes().setTries(tries());
        return property.execute();
    }
}
