package dev.rootlock.operator;

import java.time.Duration;
import java.util.Set;

/**
 * How one operator process runs.
 *
 * @param namespaces namespaces to watch; empty means all
 * @param resync how often every policy is reconciled even without events
 */
public record Settings(Set<String> namespaces, Duration resync) {
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);

  public Settings {
    namespaces = Set.copyOf(namespaces);
    if (resync.isNegative() || resync.isZero()) {
      throw new IllegalArgumentException("resync must be positive, was " + resync);
    }
  }

  public static Settings defaults() {
    return new Settings(Set.of(), DEFAULT_RESYNC);
  }
}
