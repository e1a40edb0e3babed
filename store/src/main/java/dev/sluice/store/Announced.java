package dev.sluice.store;

import java.util.List;

/**
 * The result of an operation that has something to tell the other nodes of a shared store. A
 * shared store sends the {@linkplain #announcements() announcements} in the transaction of the
 * operation, so they reach the other nodes exactly when, and only if, it commits. The embedded
 * store has no other nodes and ignores them.
 */
public interface Announced {

    /** Announcement size limit: each must be at most this many UTF-8 bytes (PostgreSQL's NOTIFY payload is below 8000). */
    int MAX_BYTES = 7_800;

    /** What to tell the other nodes; empty when nothing concerns them. Each at most {@link #MAX_BYTES}, without a line break. */
    List<String> announcements();
}
