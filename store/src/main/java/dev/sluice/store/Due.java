package dev.sluice.store;

import java.util.Map;

/**
 * The outcome of one timer pass ({@link Store#onEachDue}).
 *
 * @param results by semaphore name, the result of the operation on each semaphore this node worked through
 * @param busy    true when a due semaphore was passed over because another node works through it now:
 *                its work is done there, or, if that node fails, by a later pass here
 */
public record Due<T>(Map<String, T> results, boolean busy) {
    public Due {
        results = Map.copyOf(results);
    }
}
