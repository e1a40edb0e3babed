package dev.sluice.server.cluster;

import dev.sluice.core.Effects;
import dev.sluice.core.permit.PermitRecord;
import dev.sluice.store.Announced;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a committed operation tells the other nodes of a shared store, one compact JSON line each:
 *
 * <pre>{"s":"pay","c":1,"d":1767225600000,"g":[["w1a2b3c4d.9f…","p42.7c…",42,1767225599000,300000,1767225899000,"default"]]}</pre>
 *
 * {@code s} the semaphore; {@code c} present when pending claims should retry (capacity freed or a
 * job arrived); {@code w} present when webhook deliveries are owed; {@code f} present when a job set
 * out for another semaphore (a forward); {@code d} a deadline (epoch ms) the timekeepers should wake for; {@code g} waiting
 * acquires of <em>other</em> nodes that were granted: waiter id, permit id, fencing token, granted
 * at, lease (ms or null), expires at (ms or null), channel. A receiving node completes the waits it
 * holds, serves its claims, and moves its timekeeper's wake-up earlier; it ignores the rest.
 *
 * <p>One line is about no semaphore: {@code {"k":1}} ({@link #keysChanged()}), sent when the API
 * keys changed; a receiving node reloads its copy of them before it checks another key.
 *
 * <p>Only what matters elsewhere is sent: grants to this node's own waiters are completed here,
 * and a deadline further away than {@code dueHorizon} is found by every timekeeper's next regular
 * look at the store anyway. Each line stays under {@link Announced#MAX_BYTES}: many grants are
 * split over several lines.
 */
public final class Announcements {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Grants per line: 16 of the largest possible (128-character channel) stay well under the limit. */
    static final int GRANTS_PER_LINE = 16;

    /** A decoded announcement. */
    public record Announcement(String semaphore, Effects effects) {}

    private Announcements() {}

    /**
     * The lines announcing {@code effects} of an operation on {@code semaphore} at {@code now};
     * empty when nothing in them concerns another node.
     *
     * @param ownWaiterPrefix waiter ids of this node start with it: their grants are not sent
     */
    public static List<String> encode(String semaphore, Effects effects, String ownWaiterPrefix, Instant now,
                                      Duration dueHorizon) {
        List<Effects.WaiterGrant> remote = effects.waiterGrants().stream()
                .filter(g -> !g.waiterId().startsWith(ownWaiterPrefix)).toList();
        Instant due = effects.earliestDue();
        boolean nearDue = due != null && due.isBefore(now.plus(dueHorizon));
        if (remote.isEmpty() && !effects.claimable() && !nearDue && !effects.deliveriesDue() && !effects.forwarding()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        int from = 0;
        do {
            ObjectNode n = JSON.createObjectNode();
            n.put("s", semaphore);
            if (from == 0 && effects.claimable()) {
                n.put("c", 1);
            }
            if (from == 0 && effects.deliveriesDue()) {
                n.put("w", 1);
            }
            if (from == 0 && effects.forwarding()) {
                n.put("f", 1);
            }
            if (from == 0 && nearDue) {
                n.put("d", due.toEpochMilli());
            }
            List<Effects.WaiterGrant> chunk = remote.subList(from, Math.min(remote.size(), from + GRANTS_PER_LINE));
            if (!chunk.isEmpty()) {
                ArrayNode grants = n.putArray("g");
                for (Effects.WaiterGrant g : chunk) {
                    PermitRecord p = g.permit();
                    ArrayNode a = grants.addArray();
                    a.add(g.waiterId());
                    a.add(p.id());
                    a.add(p.fencingToken());
                    a.add(p.grantedAt().toEpochMilli());
                    if (p.lease() == null) {
                        a.addNull();
                    } else {
                        a.add(p.lease().toMillis());
                    }
                    if (p.expiresAt() == null) {
                        a.addNull();
                    } else {
                        a.add(p.expiresAt().toEpochMilli());
                    }
                    a.add(p.channel());
                }
            }
            String line = n.toString();
            if (line.getBytes(StandardCharsets.UTF_8).length > Announced.MAX_BYTES) {
                throw new IllegalStateException("an announcement of " + line.length() + " bytes: too large");
            }
            lines.add(line);
            from += GRANTS_PER_LINE;
        } while (from < remote.size());
        return lines;
    }

    /** The line that tells the other nodes the API keys changed (a key made or revoked). */
    public static String keysChanged() {
        return KEYS_CHANGED;
    }

    /** Whether {@code line} is {@link #keysChanged()}, not the effects of a commit on a semaphore ({@link #decode}). */
    public static boolean isKeysChanged(String line) {
        return KEYS_CHANGED.equals(line);
    }

    private static final String KEYS_CHANGED = "{\"k\":1}";

    /** Reads one line written by {@link #encode}. */
    public static Announcement decode(String line) {
        JsonNode n = JSON.readTree(line);
        List<Effects.WaiterGrant> grants = new ArrayList<>();
        for (JsonNode a : n.path("g")) {
            Duration lease = a.get(4).isNull() ? null : Duration.ofMillis(a.get(4).asLong());
            Instant expires = a.get(5).isNull() ? null : Instant.ofEpochMilli(a.get(5).asLong());
            String waiter = a.get(0).asString();
            grants.add(new Effects.WaiterGrant(waiter, new PermitRecord(a.get(1).asString(), a.get(6).asString(),
                    a.get(2).asLong(), Instant.ofEpochMilli(a.get(3).asLong()), lease, expires, waiter, PermitRecord.State.HELD)));
        }
        Instant due = n.has("d") ? Instant.ofEpochMilli(n.get("d").asLong()) : null;
        return new Announcement(n.get("s").asString(), Effects.of(grants, n.has("c"), due, n.has("w"), n.has("f")));
    }
}
