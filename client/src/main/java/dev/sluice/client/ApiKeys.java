package dev.sluice.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API keys of the server ({@code /v1/keys}), through {@link Sluice#keys()}. Every operation
 * needs a client whose own key has the {@code admin} scope ({@link ForbiddenException} otherwise).
 *
 * <pre>{@code
 * CreatedApiKey made = sluice.keys().create("billing workers", List.of("use:billing-*"));
 * store(made.secret());                      // shown this once
 * sluice.keys().revoke(made.key().id());     // refused from the next request on, on every node within a second
 * }</pre>
 */
public final class ApiKeys {
    private static final String PATH = "/v1/keys";

    private final Transport transport;

    ApiKeys(Transport transport) {
        this.transport = transport;
    }

    /**
     * Makes a key with these scopes; its secret is in the answer, and nowhere else ever after.
     *
     * @param name   what the key is for, e.g. {@code "billing workers"}
     * @param scopes {@code admin}, {@code metrics}, {@code manage:<pattern>}, {@code use:<pattern>}
     *               ({@code *} in a pattern: any run of name characters); at least one
     * @throws InvalidArgumentException for an empty name or an unknown scope
     */
    public CreatedApiKey create(String name, List<String> scopes) {
        return Transport.await(createAsync(name, scopes));
    }

    public CompletableFuture<CreatedApiKey> createAsync(String name, List<String> scopes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scopes, "scopes");
        ObjectNode body = transport.object();
        body.put("name", name);
        scopes.forEach(body.putArray("scopes")::add);
        return transport.send("POST", PATH, body, null).thenApply(r -> {
            ApiKeyView key = ApiKeyView.from(r.body(), r.status());
            return new CreatedApiKey(key, Json.required(r.body(), "key", r.status()));
        });
    }

    /** Every key the server knows (the configured admin key too), oldest first; never a secret. */
    public List<ApiKeyView> list() {
        return Transport.await(listAsync());
    }

    public CompletableFuture<List<ApiKeyView>> listAsync() {
        return transport.send("GET", PATH, null, null).thenApply(r -> {
            List<ApiKeyView> keys = new ArrayList<>();
            JsonNode items = Json.field(r.body(), "items");
            if (items != null && items.isArray()) {
                items.forEach(k -> keys.add(ApiKeyView.from(k, r.status())));
            }
            return List.copyOf(keys);
        });
    }

    /**
     * Revokes a key at once: the node refuses it from the next request on (other nodes within a
     * second).
     *
     * @throws NotFoundException for an id the server does not know (also one revoked before)
     * @throws ConflictException for the configured admin key, which only a restart without it removes
     */
    public void revoke(String id) {
        Transport.await(revokeAsync(id));
    }

    public CompletableFuture<Void> revokeAsync(String id) {
        Objects.requireNonNull(id, "id");
        return transport.send("DELETE", PATH + "/" + Transport.seg(id), null, null).thenApply(r -> null);
    }
}
