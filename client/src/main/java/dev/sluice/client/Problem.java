package dev.sluice.client;

/**
 * An RFC 9457 {@code application/problem+json} body as the Sluice server sends it with every
 * refused request.
 *
 * <p>Programs branch on {@link #code()}, a stable machine-readable string such as
 * {@code limit_reached} (see {@link ProblemCode}); {@link #title()} and {@link #detail()} are
 * for humans and may change between releases.
 *
 * @param type   a URI reference identifying the problem type, or {@code null}
 * @param title  a short human-readable summary, or {@code null}
 * @param status the HTTP status code, or {@code 0} when no HTTP response was received
 * @param detail a human-readable explanation of this occurrence, or {@code null}
 * @param code   the stable machine-readable code, never {@code null}
 * @param index  when the request was refused for one item of a list it carried (a job of
 *               {@link Semaphore#submitEach}, an id given to redrive), that item's position in the
 *               list, from 0; otherwise {@code null}
 */
public record Problem(String type, String title, int status, String detail, String code, Integer index)
        implements java.io.Serializable {

    public Problem {
        if (code == null || code.isBlank()) {
            throw new IllegalArgumentException("code is required");
        }
        if (index != null && index < 0) {
            throw new IllegalArgumentException("index must not be negative");
        }
    }

    /** A problem that names no item of a list. */
    public Problem(String type, String title, int status, String detail, String code) {
        this(type, title, status, detail, code, null);
    }

    /** A problem with only a code, a status and a detail, as the SDK creates for local failures. */
    public static Problem of(String code, int status, String detail) {
        return new Problem(null, null, status, detail, code);
    }

    /** The detail if present, else the title, else the code: never {@code null}. */
    public String message() {
        if (detail != null && !detail.isBlank()) {
            return detail;
        }
        return title != null && !title.isBlank() ? title : code;
    }
}
