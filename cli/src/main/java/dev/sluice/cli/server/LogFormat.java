package dev.sluice.cli.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * The log format of {@code sluice server}: text lines ({@code logback.xml}), or one JSON object per
 * line with logback's own {@link JsonEncoder}, for log shippers. Key-value pairs of an entry (the
 * audit log's actor, action, before, after) become fields of its {@code kvpList}.
 */
final class LogFormat {
    private LogFormat() {}

    /** Applies {@code format}: {@code text} (also for null or blank) or {@code json}. */
    static void apply(String format) {
        if (format == null || format.isBlank() || format.equals("text")) {
            return;
        }
        if (!format.equals("json")) {
            throw new IllegalArgumentException("--log-format must be text or json, got " + format);
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;   // another SLF4J binding: its own configuration decides
        }
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setContext(context);
        json.setName("JSON");
        json.setTarget("System.err");
        json.setEncoder(encoder);
        json.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(json);
    }
}
