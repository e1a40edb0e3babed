package dev.sluice.client;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param items      the items, in the server's order; unmodifiable
 * @param nextCursor the cursor of the next page, or {@code null} when this is the last page
 */
public record Page<T>(List<T> items, String nextCursor) {
    public Page {
        items = List.copyOf(items);
        if (nextCursor != null && nextCursor.isEmpty()) {
            nextCursor = null;
        }
    }

    /** Whether there is a next page. */
    public boolean hasMore() {
        return nextCursor != null;
    }

    /** The next page's cursor, if any. */
    public Optional<String> next() {
        return Optional.ofNullable(nextCursor);
    }
}
