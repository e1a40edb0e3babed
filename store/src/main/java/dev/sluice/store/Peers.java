package dev.sluice.store;

/**
 * What a node hears from the other nodes sharing its store. Called on a thread of the store: an
 * implementation must be quick and must not block.
 */
public interface Peers {

    /** One announcement another node's committed operation made (see {@link Announced}). */
    void announced(String announcement);

    /**
     * The node was cut off from the store and is back: announcements made meanwhile may have been
     * missed, so what waits on them should look at the store again.
     */
    void mayHaveMissedSome();
}
