package dev.sluice.client;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A job as the server describes it ({@code GET …/jobs/{id}} and the job operations). Fields the
 * server did not send are {@code null}; everything it sent is in {@link #raw()}.
 *
 * @param jobId     the id
 * @param state     the state, or {@code null} for a state this SDK does not know (see {@code raw})
 * @param channel   the channel
 * @param priority  the priority
 * @param attempts  how many times it has been granted
 * @param payload   the payload, or {@code null} if not included
 * @param lastError the error of the last failed attempt, or {@code null}
 * @param permitId  the permit it holds while inflight, or {@code null}
 * @param createdAt when it was enqueued
 * @param updatedAt when it last changed state
 * @param raw       the whole JSON object
 */
public record JobView(String jobId, JobState state, String channel, Integer priority, Integer attempts,
                      JsonNode payload, String lastError, String permitId, Instant createdAt, Instant updatedAt,
                      JsonNode raw) {

    static JobView from(JsonNode n, int status) {
        String id = Json.string(n, "jobId");
        if (id == null) {
            id = Json.required(n, "id", status);
        }
        Integer attempts = Json.integer(n, "attempts");
        return new JobView(id, JobState.fromWire(Json.string(n, "state")), Json.string(n, "channel"),
                Json.integer(n, "priority"), attempts != null ? attempts : Json.integer(n, "attempt"),
                Json.field(n, "payload"), Json.string(n, "lastError"), Json.string(n, "permitId"),
                Json.instant(n, "createdAt"), Json.instant(n, "updatedAt"), n);
    }
}
