package dev.sluice.core.semaphore;

/**
 * A channel's durable row. A channel with nothing held and not paused needs no row: stores may
 * drop it, and {@link #empty} stands for it.
 */
public record ChannelRecord(String name, int inUse, boolean paused) {

    public static ChannelRecord empty(String name) {
        return new ChannelRecord(name, 0, false);
    }

    public boolean isEmpty() {
        return inUse == 0 && !paused;
    }

    public ChannelRecord plus(int delta) {
        if (inUse + delta < 0) {
            throw new IllegalStateException("channel " + name + " would hold " + (inUse + delta) + " permits");
        }
        return new ChannelRecord(name, inUse + delta, paused);
    }

    public ChannelRecord withPaused(boolean newPaused) {
        return new ChannelRecord(name, inUse, newPaused);
    }
}
