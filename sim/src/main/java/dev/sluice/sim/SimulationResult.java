package dev.sluice.sim;

/** What one run of one mode produced: the figures and the time series. */
public record SimulationResult(Mode mode, Figures figures, Series series) {
}
