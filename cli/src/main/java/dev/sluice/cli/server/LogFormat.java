package dev.sluice.cli.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

/** Chooses the log format, text or JSON, that {@code logback.xml} selects by {@code SLUICE_LOG_FORMAT}. */
final class LogFormat {
    private LogFormat() {}

    /** Applies {@code format} (text or json; null keeps the environment's choice or text). */
    static void apply(String format) {
        if (format == null || format.isBlank()) {
            return;
        }
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("--log-format must be text or json, got " + format);
        }
        System.setProperty("SLUICE_LOG_FORMAT", format);   // logback reads system properties before the environment
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            try {
                new ContextInitializer(context).autoConfig();
            } catch (JoranException e) {
                throw new IllegalStateException("cannot configure logging: " + e.getMessage(), e);
            }
        }
    }
}
