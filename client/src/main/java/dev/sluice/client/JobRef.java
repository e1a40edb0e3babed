package dev.sluice.client;

import tools.jackson.databind.JsonNode;

/**
 * The answer to an enqueue.
 *
 * @param jobId     the job's id
 * @param state     its state at the time of the answer ({@code null} if the server named one this SDK does not know)
 * @param position  its place in grant order at the time (1 = granted next), {@code 0} when it was not
 *                  waiting, or {@code null} when not reported
 * @param duplicate {@code true} when the idempotency key had been used before and this is that
 *                  first job, not a new one (HTTP 200 instead of 202)
 */
public record JobRef(String jobId, JobState state, Long position, boolean duplicate) {

    static JobRef from(JsonNode body, int status) {
        return from(body, status, status == 200);
    }

    /** One job of an answer; {@code duplicate} as the answer tells it (its status, or the job's {@code created}). */
    static JobRef from(JsonNode job, int status, boolean duplicate) {
        return new JobRef(Json.required(job, "jobId", status), JobState.fromWire(Json.string(job, "state")),
                Json.longInteger(job, "position"), duplicate);
    }
}
