package dev.sluice.cli.permit;

import dev.sluice.cli.remote.Output;
import dev.sluice.client.Permit;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** A permit as {@code acquire} prints it. */
final class PermitJson {
    private PermitJson() {
    }

    static void print(Output out, Permit p) {
        String expires = p.expiresAt().map(Instant::toString).orElse(null);
        if (out.json()) {
            ObjectNode n = out.object();
            n.put("permitId", p.permitId());
            n.put("semaphore", p.semaphore());
            n.put("fencingToken", p.fencingToken());
            n.put("channel", p.channel());
            n.put("expiresAt", expires);
            out.print(n);
        } else {
            out.table(List.of("PERMIT-ID", "FENCING-TOKEN", "CHANNEL", "EXPIRES-AT"),
                    List.of(List.of(p.permitId(), Long.toString(p.fencingToken()), p.channel(),
                            expires == null ? "never" : expires)));
        }
    }
}
