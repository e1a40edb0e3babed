package dev.sluice.server.http;

import dev.sluice.core.SluiceException;
import java.util.function.Supplier;

/**
 * A request refused for one item of a list it carries (a job of a batch, an id of a redrive): the
 * detail starts with the item's place, {@code jobs[3]: …}, and the problem body gives its position
 * as {@code index}, so that a program can point at the item without reading the detail.
 */
public final class RefusedItem extends SluiceException {
    private final int index;

    private RefusedItem(String list, int index, SluiceException refusal) {
        super(refusal.code(), list + "[" + index + "]: " + refusal.getMessage());
        this.index = index;
    }

    /** The item's position in its list, from 0. */
    public int index() {
        return index;
    }

    /** Reads the item at {@code index} of {@code list}; a refusal of it becomes a {@code RefusedItem}. */
    public static <T> T read(String list, int index, Supplier<T> reader) {
        try {
            return reader.get();
        } catch (SluiceException e) {
            throw new RefusedItem(list, index, e);
        }
    }
}
