package dev.sluice.cli.remote;

/** {@code -o table|json}. */
public enum OutputFormat {
    /** Aligned columns with a header, or "key: value" lines for one item; for people. */
    TABLE,
    /** One JSON document on standard output; for scripts (e.g. with jq). */
    JSON
}
