package dev.sluice.bench;

/** A system, or one scenario of it, that was not measured, and why. {@code scenario} is {@code *} for all. */
public record Skip(String system, String scenario, String reason) {}
