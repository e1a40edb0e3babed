package dev.sluice.server.audit;

import dev.sluice.core.Effects;
import dev.sluice.core.access.ApiKey;
import dev.sluice.server.Engine;
import dev.sluice.store.json.ConfigCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One log entry, on logger {@code sluice.audit}, for every change an operator makes to a
 * semaphore: its config (created, replaced, patched, paused, resumed, limit), its webhook secret
 * rotated (never the secret), a channel paused or resumed, a redrive, a purge, dead or finished
 * jobs deleted, a deletion; and API keys made or revoked ({@link #keyCreated}, {@link #keyRevoked}). Each says who (the actor: {@code remote:<address>},
 * {@code config-file}, or {@code sluice} for the server's own decisions such as a channel suspended
 * by {@code onExhausted: suspend}), what, and the config before and after, as key-value pairs that
 * the JSON log format writes as fields. Only committed changes are logged.
 */
public final class AuditLog {
    public static final String LOGGER = "sluice.audit";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    public void install(Engine engine) {
        engine.onCommit(this::committed);
    }

    private void committed(Engine.Committed c) {
        String actor = c.actor() == null ? "sluice" : c.actor();
        for (Effects.Change change : c.effects().changes()) {
            switch (change) {
                case Effects.Reconfigured r -> {
                    String before = r.before() == null ? null : ConfigCodec.toJson(r.before()).toString();
                    String after = ConfigCodec.toJson(r.after()).toString();
                    entry(actor, c.semaphore(), r.before() == null ? "create" : "configure")
                            .addKeyValue("before", before).addKeyValue("after", after)
                            .log("semaphore {} {} by {}: before {} after {}", c.semaphore(),
                                    r.before() == null ? "created" : "configured", actor, before, after);
                }
                case Effects.Deleted d -> {
                    String before = ConfigCodec.toJson(d.before()).toString();
                    entry(actor, c.semaphore(), "delete").addKeyValue("before", before)
                            .log("semaphore {} deleted by {}: before {}", c.semaphore(), actor, before);
                }
                case Effects.ChannelPaused p -> entry(actor, c.semaphore(), p.paused() ? "pause-channel" : "resume-channel")
                        .addKeyValue("channel", p.channel())
                        .log("semaphore {} channel {} {} by {}", c.semaphore(), p.channel(), p.paused() ? "paused" : "resumed", actor);
                case Effects.Redriven r -> entry(actor, c.semaphore(), "redrive").addKeyValue("count", r.count())
                        .log("semaphore {}: {} dead jobs redriven by {}", c.semaphore(), r.count(), actor);
                case Effects.Purged p -> entry(actor, c.semaphore(), "purge").addKeyValue("count", p.count())
                        .log("semaphore {}: {} waiting jobs purged by {}", c.semaphore(), p.count(), actor);
                case Effects.JobsDeleted d -> entry(actor, c.semaphore(), "delete-jobs").addKeyValue("state", d.state().wireName())
                        .addKeyValue("count", d.count())
                        .log("semaphore {}: {} {} jobs deleted by {}", c.semaphore(), d.count(), d.state().wireName(), actor);
                case Effects.SecretRotated r -> entry(actor, c.semaphore(), "rotate-secret")
                        .addKeyValue("previousValidUntil", r.previousValidUntil().toString())
                        .log("semaphore {}: webhook secret rotated by {}; the previous one signs too until {}", c.semaphore(),
                                actor, r.previousValidUntil());
                default -> { }
            }
        }
    }

    /** An API key made through the API: its id, name and scopes, never its secret. */
    public static void keyCreated(String actor, ApiKey key) {
        String scopes = key.scopes().toString();
        log.atInfo().addKeyValue("audit", true).addKeyValue("actor", actor).addKeyValue("action", "create-key")
                .addKeyValue("keyId", key.id()).addKeyValue("keyName", key.name()).addKeyValue("scopes", scopes)
                .log("API key {} ({}) created by {} with scopes {}", key.id(), key.name(), actor, scopes);
    }

    /** An API key revoked through the API. */
    public static void keyRevoked(String actor, String keyId) {
        log.atInfo().addKeyValue("audit", true).addKeyValue("actor", actor).addKeyValue("action", "revoke-key")
                .addKeyValue("keyId", keyId)
                .log("API key {} revoked by {}", keyId, actor);
    }

    private static LoggingEventBuilder entry(String actor, String semaphore, String action) {
        return log.atInfo().addKeyValue("audit", true).addKeyValue("actor", actor)
                .addKeyValue("semaphore", semaphore).addKeyValue("action", action);
    }
}
