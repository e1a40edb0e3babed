package dev.sluice.server.http;

import dev.sluice.core.Claimed;
import dev.sluice.core.SemaphoreMachine;
import dev.sluice.core.job.JobRecord;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.core.semaphore.SemaphoreRecord;
import dev.sluice.store.json.ConfigCodec;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON shapes of SPEC §3. */
public final class Views {
    private Views() {}

    /** A semaphore with its live state, read inside the operation's transaction. */
    public record SemaphoreView(SemaphoreRecord record, List<String> pausedChannels) {
        public static SemaphoreView of(SemaphoreMachine m) {
            return new SemaphoreView(m.view(), m.pausedChannels());
        }
    }

    public static ObjectNode semaphore(SemaphoreView v) {
        ObjectNode n = semaphore(v.record());
        ArrayNode paused = ((ObjectNode) n.get("state")).putArray("pausedChannels");
        v.pausedChannels().forEach(paused::add);
        return n;
    }

    /** Without paused channels: the list view. */
    public static ObjectNode semaphore(SemaphoreRecord s) {
        ObjectNode n = Json.object();
        n.put("name", s.name());
        n.setAll(ConfigCodec.toJson(s.config()));
        ObjectNode state = n.putObject("state");
        state.put("inUse", s.inUse());
        state.put("waiting", s.waiting());
        state.put("inflight", s.inflight());
        state.put("dead", s.dead());
        n.put("createdAt", Json.instant(s.createdAt()));
        n.put("updatedAt", Json.instant(s.updatedAt()));
        return n;
    }

    public static ObjectNode permit(String semaphore, PermitRecord p) {
        ObjectNode n = Json.object();
        n.put("permitId", p.id());
        n.put("semaphore", semaphore);
        n.put("fencingToken", p.fencingToken());
        n.put("channel", p.channel());
        n.put("grantedAt", Json.instant(p.grantedAt()));
        n.put("expiresAt", Json.instant(p.expiresAt()));
        return n;
    }

    public static ObjectNode job(String semaphore, JobRecord j, long position) {
        ObjectNode n = Json.object();
        n.put("jobId", j.id());
        n.put("semaphore", semaphore);
        n.put("state", j.state().wireName());
        n.put("channel", j.channel());
        n.put("priority", j.priority());
        if (position > 0) {
            n.put("position", position);
        }
        n.put("attempts", j.attempts());
        n.put("idempotencyKey", j.idempotencyKey());
        n.put("permitId", j.permitId());
        n.put("lastError", j.lastError());
        n.put("createdAt", Json.instant(j.createdAt()));
        n.put("updatedAt", Json.instant(j.updatedAt()));
        n.put("availableAt", Json.instant(j.availableAt()));
        n.put("deliveredAt", Json.instant(j.deliveredAt()));
        n.put("forwardedFrom", j.forwardedFrom());
        n.put("forwardedTo", j.forwardedTo());
        if (j.traceparent() != null) {
            n.put("traceparent", j.traceparent());
        }
        n.set("payload", Json.parse(j.payload()));
        return n;
    }

    public static ObjectNode claimed(Claimed c) {
        ObjectNode n = Json.object();
        n.put("jobId", c.job().id());
        n.set("payload", Json.parse(c.job().payload()));
        n.put("channel", c.job().channel());
        n.put("permitId", c.permit().id());
        n.put("fencingToken", c.permit().fencingToken());
        n.put("attempt", c.job().attempts());
        n.put("expiresAt", Json.instant(c.permit().expiresAt()));
        if (c.job().traceparent() != null) {
            n.put("traceparent", c.job().traceparent());   // the enqueuer's trace, so the worker can continue it
        }
        return n;
    }
}
