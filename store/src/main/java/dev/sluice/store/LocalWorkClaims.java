package dev.sluice.store;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** Work claims of a store with one node: exclusive within this process, per store. */
final class LocalWorkClaims {
    private static final Map<Store, Set<String>> HELD = Collections.synchronizedMap(new WeakHashMap<>());

    private LocalWorkClaims() {}

    static Optional<WorkClaim> tryClaim(Store store, String key) {
        Set<String> held = HELD.computeIfAbsent(store, s -> ConcurrentHashMap.newKeySet());
        if (!held.add(key)) {
            return Optional.empty();
        }
        AtomicBoolean released = new AtomicBoolean();
        return Optional.of(new WorkClaim() {
            @Override
            public String key() {
                return key;
            }

            @Override
            public boolean isHeld() {
                return !released.get();
            }

            @Override
            public void close() {
                if (released.compareAndSet(false, true)) {
                    held.remove(key);
                }
            }
        });
    }
}
