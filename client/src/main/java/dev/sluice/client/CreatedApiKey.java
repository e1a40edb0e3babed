package dev.sluice.client;

/**
 * A key just made: its description and its secret, which the server shows this once and never
 * again. {@link #toString()} leaves the secret out, so that logging the record does not leak it.
 *
 * @param key    the key as {@link ApiKeys#list()} will show it
 * @param secret the key itself, to send as {@code Authorization: Bearer <secret>} ({@code sluice_…})
 */
public record CreatedApiKey(ApiKeyView key, String secret) {

    @Override
    public String toString() {
        return "CreatedApiKey[id=" + key.id() + ", name=" + key.name() + ", scopes=" + key.scopes() + ", secret=****]";
    }
}
