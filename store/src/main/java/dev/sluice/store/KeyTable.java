package dev.sluice.store;

import dev.sluice.core.access.ApiKey;
import java.util.List;

/**
 * The API keys, kept by the store so that every node sharing it knows the same keys. Only hashes
 * of the secrets are ever given to it. Used inside {@link Store#query}, so each call is one
 * committed transaction.
 */
public interface KeyTable {

    /** Every key, oldest first. */
    List<ApiKey> all();

    /** Adds a key; its id and secret hash must be new. */
    void insert(ApiKey key);

    /** Deletes the key with this id; says whether there was one. */
    boolean delete(String id);
}
