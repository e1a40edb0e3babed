package dev.sluice.core.access;

import dev.sluice.core.Limits;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An API key as the store keeps it: never the secret, only its hash.
 *
 * @param id         public identifier, shown in lists and used to revoke
 * @param name       what the key is for, chosen by whoever created it
 * @param secretHash lowercase hex SHA-256 of the secret
 * @param scopes     what the key allows; at least one
 * @param createdAt  when it was created
 */
public record ApiKey(String id, String name, String secretHash, List<Scope> scopes, Instant createdAt) {
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(secretHash, "secretHash");
        Objects.requireNonNull(createdAt, "createdAt");
        scopes = List.copyOf(scopes);
        if (scopes.isEmpty() || scopes.size() > Limits.MAX_SCOPES_PER_KEY) {
            throw new IllegalArgumentException("a key has 1 to " + Limits.MAX_SCOPES_PER_KEY + " scopes, got " + scopes.size());
        }
    }

    /** Whether one of the key's scopes allows {@code action} on {@code semaphore}. */
    public boolean allows(Action action, String semaphore) {
        for (Scope s : scopes) {
            if (s.allows(action, semaphore)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ApiKey[" + id + " " + name + " " + scopes + "]";   // never the hash either: it is not for logs
    }
}
