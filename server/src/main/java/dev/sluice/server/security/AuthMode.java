package dev.sluice.server.security;

/** When a node asks for API keys. */
public enum AuthMode {
    /** When it binds an address other than loopback. */
    AUTO,
    /** Always, loopback included. */
    REQUIRED
}
