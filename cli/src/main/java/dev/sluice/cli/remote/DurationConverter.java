package dev.sluice.cli.remote;

import dev.sluice.core.Durations;
import dev.sluice.core.SluiceException;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A duration on the command line as the server reads them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code PT30S}. */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value, "the duration");
        } catch (SluiceException e) {
            throw new TypeConversionException("'" + value + "' is not a duration such as 30s, 5m, 2h or PT30S");
        }
    }
}
