package dev.sluice.server.audit;

import dev.sluice.core.Effects;
import dev.sluice.server.Engine;
import dev.sluice.store.json.ConfigCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One log entry, on logger {@code sluice.audit}, for every change an operator makes to a
 * semaphore: its config (created, replaced, patched, paused, resumed, limit), a channel paused or
 * resumed, a redrive, a purge, a deletion. Each says who (the actor: {@code remote:<address>},
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
                default -> { }
            }
        }
    }

    private static LoggingEventBuilder entry(String actor, String semaphore, String action) {
        return log.atInfo().addKeyValue("audit", true).addKeyValue("actor", actor)
                .addKeyValue("semaphore", semaphore).addKeyValue("action", action);
    }
}
