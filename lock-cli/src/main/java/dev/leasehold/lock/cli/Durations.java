package dev.leasehold.lock.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Reads durations of options as Leasehold reads every duration ({@link dev.leasehold.lock.internal.Durations}). */
final class Durations implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        try {
            return dev.leasehold.lock.internal.Durations.parse(value, "the option's value");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** A duration as people write it: {@code 1.5s}, {@code 250ms}, {@code 2m}. */
    static String format(Duration d) {
        return dev.leasehold.lock.internal.Durations.format(d);
    }
}
