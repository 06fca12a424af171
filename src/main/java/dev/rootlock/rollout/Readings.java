package dev.rootlock.rollout;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.time.Instant;

/**
 * Small readings every rollout reader takes from what controllers report: times against Rootlock's
 * write, counts that may be absent, generations.
 */
final class Readings {
  static final Duration LEEWAY = Duration.ofSeconds(2);

  private Readings() {}

  /**
   * Whether {@code timestamp} is after Rootlock's write at {@code started}. Kubernetes timestamps
   * carry whole seconds and the API server's clock; two seconds of leeway cover both. A missing or
   * unreadable time, or an unknown start, counts as after: the stricter answer could judge nothing.
   */
  static boolean notBefore(String timestamp, Instant started) {
    if (started == null || timestamp == null) {
      return true;
    }
    try {
      return !Instant.parse(timestamp).isBefore(started.minus(LEEWAY));
    } catch (RuntimeException unparsable) {
      return true;
    }
  }

  static boolean created(HasMetadata o, Instant started) {
    return notBefore(o.getMetadata().getCreationTimestamp(), started);
  }

  static String label(HasMetadata o, String key) {
    var labels = o.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  static int n(Integer i) {
    return i == null ? 0 : i;
  }

  static long generation(HasMetadata o) {
    return o.getMetadata().getGeneration() == null ? 0 : o.getMetadata().getGeneration();
  }

  /** True once a controller reporting {@code observedGeneration} has seen the current generation. */
  static boolean observed(HasMetadata o, Long observedGeneration) {
    return observedGeneration != null && observedGeneration >= generation(o);
  }

  /** "10m", "45s". */
  static String format(Duration d) {
    return d.toSeconds() % 60 == 0 && d.toMinutes() > 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
  }

  /** A rollout that has not completed {@code timeout} after {@code started}. */
  static boolean timedOut(Instant started, Instant now, Duration timeout) {
    return started != null && Duration.between(started, now).compareTo(timeout) > 0;
  }
}
