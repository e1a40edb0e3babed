package dev.sluice.sim;

/**
 * The summary figures of one run. Times are in seconds; a figure that is undefined (no request granted,
 * limit 0 throughout, never drained) is {@link Double#NaN} (JSON {@code null}).
 *
 * @param offered        requests that arrived (a retry is not a new request)
 * @param completed      requests that were granted and finished service
 * @param rejected       requests finally turned away (sync: rejected on their last allowed try; async: none)
 * @param rejectedPct    {@code 100 · rejected / offered}: the share of offered requests that never got a permit
 * @param utilizationPct permit-seconds used over permit-seconds available, where available is the integral of
 *                       the limit from 0 to {@link #endTime()}
 * @param waitMean       mean wait of the granted requests, arrival → grant (sync: 0 on a first-try grant, the
 *                       backoff delays included for a retried one)
 * @param waitP50        median wait
 * @param waitP95        95th percentile wait
 * @param waitP99        99th percentile wait
 * @param maxWaiting     most requests in the queue at once (0 in sync mode)
 * @param drainTime      from the last arrival until the last request finished (NaN when work was still waiting
 *                       at the end because the limit stayed at 0)
 * @param attempts       tries made: offered plus sync retries
 * @param endTime        the simulated time span: {@code max(duration, time the system drained)}
 */
public record Figures(
        long offered,
        long completed,
        long rejected,
        double rejectedPct,
        double utilizationPct,
        double waitMean,
        double waitP50,
        double waitP95,
        double waitP99,
        long maxWaiting,
        double drainTime,
        long attempts,
        double endTime) {
}
