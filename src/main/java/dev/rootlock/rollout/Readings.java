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
   * Whether the pods are worth a look at {@code now}: the status has not moved since {@code since}
   * (Rootlock's write or the controller's last report of progress) for {@code quiet}
   * ({@link Related#quiet}). Progress shows in the workload's status, which the operator already
   * watches; a crash does not (a crashing pod only stays unready), so a status that stopped moving
   * is the sign worth a look. Unknown {@code since}: at once.
   */
  static boolean stalled(Instant since, Instant now, Duration quiet) {
    return since == null || !now.isBefore(since.plus(quiet));
  }

  /**
   * When to look again if nothing moves: when it would count as stalled, or a quiet period after a
   * look now; null when looking costs nothing (a watch's cache tells of every change).
   */
  static Instant nextLook(Instant since, Instant now, Duration quiet) {
    if (quiet.isZero()) {
      return null;
    }
    return stalled(since, now, quiet) ? now.plus(quiet) : since.plus(quiet);
  }

  /**
   * The later of {@code started} and a controller's time (unparsable or missing: {@code started});
   * null when {@code started} is unknown, so that the pods are looked at once.
   */
  static Instant later(Instant started, String timestamp) {
    if (started == null || timestamp == null) {
      return started;
    }
    try {
      Instant t = Instant.parse(timestamp);
      return t.isAfter(started) ? t : started;
    } catch (RuntimeException unparsable) {
      return started;
    }
  }

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
