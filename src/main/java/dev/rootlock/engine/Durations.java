package dev.rootlock.engine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations the way kubectl users write them: 30s, 10m, 1h30m (ISO-8601 PT10M also works). */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  /** @throws IllegalArgumentException naming the value when it is not a duration */
  public static Duration parse(String value) {
    String v = value == null ? "" : value.trim();
    if (v.startsWith("P") || v.startsWith("p")) {
      try {
        return Duration.parse(v);
      } catch (RuntimeException e) {
        throw notADuration(value);
      }
    }
    Matcher m = PART.matcher(v);
    Duration total = Duration.ZERO;
    int end = 0;
    try {
      while (m.find() && m.start() == end) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        });
        end = m.end();
      }
    } catch (ArithmeticException | NumberFormatException tooLarge) {
      throw notADuration(value);
    }
    if (v.isEmpty() || end != v.length()) {
      throw notADuration(value);
    }
    return total;
  }

  /** The other way round, shortest first: "1h", "30m", "45s" (whole hours, else whole minutes, else seconds). */
  public static String words(Duration d) {
    long s = d.toSeconds();
    return s % 3600 == 0 ? (s / 3600) + "h" : s % 60 == 0 ? (s / 60) + "m" : s + "s";
  }

  private static IllegalArgumentException notADuration(String value) {
    return new IllegalArgumentException("'" + value + "' is not a duration; use for example 30s, 10m or 1h30m");
  }
}
