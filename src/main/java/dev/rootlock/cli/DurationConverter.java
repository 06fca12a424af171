package dev.rootlock.cli;

import dev.rootlock.engine.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Command-line durations: 30s, 10m, 1h30m (see {@link Durations}). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  public static Duration parse(String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
