package dev.sluice.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * What {@link Semaphore#create(SemaphoreConfig)} of a config would change, as the server answers a
 * dry run ({@code PUT …?dryRun=true}): nothing is written.
 *
 * @param action  what the {@code PUT} would do
 * @param changes the config fields that would change ({@code limit}, {@code delivery}, …), and
 *                {@code delivery.secret} when the config declares a webhook secret that is not
 *                the current one (the server says whether it is, never what it is)
 * @param raw     the whole JSON object
 */
public record ConfigPreview(Action action, List<String> changes, JsonNode raw) {

    /** What a {@code PUT} would do. */
    public enum Action {
        CREATE, UPDATE, NONE
    }

    public ConfigPreview {
        changes = List.copyOf(changes);
    }

    /** Whether the {@code PUT} would change nothing. */
    public boolean unchanged() {
        return action == Action.NONE;
    }

    static ConfigPreview from(JsonNode n, int status) {
        String action = Json.required(n, "action", status);
        Action a;
        try {
            a = Action.valueOf(action.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Json.invalid(status, "unknown dry-run action \"" + action + "\"");
        }
        List<String> changes = new ArrayList<>();
        JsonNode c = Json.field(n, "changes");
        if (c != null && c.isArray()) {
            c.forEach(v -> {
                if (v.isString()) {
                    changes.add(v.stringValue());
                }
            });
        }
        return new ConfigPreview(a, changes, n);
    }
}
