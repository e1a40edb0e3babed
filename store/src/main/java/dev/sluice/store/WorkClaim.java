package dev.sluice.store;

/**
 * Exclusive work held by this node, such as dispatching one semaphore's webhooks: while a node
 * holds the claim on a key, no other node of the store gets it (see {@link Store#tryClaim}).
 */
public interface WorkClaim extends AutoCloseable {

    /** The key claimed. */
    String key();

    /**
     * Whether this node still holds the claim. It is lost when the node is cut off from a shared
     * store (another node may take it then): check before each piece of the exclusive work.
     */
    boolean isHeld();

    /** Gives the claim up; another node may take it at once. Idempotent. */
    @Override
    void close();
}
