package dev.sluice.server.http;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * W3C Trace Context ({@code traceparent}): given when a job is enqueued, kept with the job and
 * handed on at each delivery, so that one trace spans the enqueuer, the queue and the worker.
 */
public final class TraceContext {
    public static final String HEADER = "traceparent";
    /** version 00: {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}; later versions may append fields. */
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?");
    private static final int MAX_LENGTH = 256;

    private TraceContext() {}

    /**
     * The header's value if it is a valid {@code traceparent}, else null. Per the W3C
     * recommendation an invalid one is ignored, not refused: tracing never fails a request.
     */
    public static String traceparent(String header) {
        if (header == null || header.length() > MAX_LENGTH) {
            return null;
        }
        String v = header.trim().toLowerCase(Locale.ROOT);
        if (!TRACEPARENT.matcher(v).matches() || v.startsWith("ff")) {
            return null;
        }
        String traceId = v.substring(3, 35);
        String parentId = v.substring(36, 52);
        if (traceId.chars().allMatch(ch -> ch == '0') || parentId.chars().allMatch(ch -> ch == '0')) {
            return null;
        }
        if (v.startsWith("00-") && v.length() != 55) {
            return null;   // version 00 has exactly four fields
        }
        return v;
    }
}
