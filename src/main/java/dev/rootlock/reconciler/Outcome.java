package dev.rootlock.reconciler;

import dev.rootlock.api.WorkloadState;
import dev.rootlock.workload.Workload;
import java.time.Duration;
import java.util.List;

/**
 * What happened to one workload in one reconcile.
 *
 * @param kind the workload's kind ("StatefulSet")
 * @param reason CamelCase word for the state, also used for condition reasons
 * @param transientFailure true when a retry later may succeed (5xx, 429, timeouts)
 * @param following true while Rootlock follows what its change started (the watches of it stay open)
 * @param warnings memory risks of the hardening ("tmpfs may use up to 192Mi of app's 256Mi limit")
 */
public record Outcome(String kind, String name, WorkloadState state, String reason, String message, Action action,
    boolean transientFailure, List<String> learned, Duration recheckIn, boolean following, List<String> warnings) {

  public Outcome {
    learned = List.copyOf(learned);
    warnings = List.copyOf(warnings);
  }

  public enum Action {
    NONE,
    HARDENED,
    REVERTED,
    ROLLED_BACK
  }

  static final String ROLLOUT_FAILED = "RolloutFailed";

  static Outcome of(Workload w, WorkloadState state, String reason, String message) {
    return of(w.kind().kind(), w.name(), state, reason, message);
  }

  static Outcome of(String kind, String name, WorkloadState state, String reason, String message) {
    return new Outcome(kind, name, state, reason, message, Action.NONE, false, List.of(), null, false, List.of());
  }

  /** A Failed outcome; {@code transientFailure} when trying again later may succeed. */
  static Outcome failed(Workload w, String reason, String message, boolean transientFailure) {
    return new Outcome(w.kind().kind(), w.name(), WorkloadState.Failed, reason, message, Action.NONE,
        transientFailure, List.of(), null, false, List.of());
  }

  Outcome withAction(Action a) {
    return new Outcome(kind, name, state, reason, message, a, transientFailure, learned, recheckIn, following,
        warnings);
  }

  /** Directories learned for this workload, for its status entry. */
  Outcome withLearned(List<String> paths) {
    return new Outcome(kind, name, state, reason, message, action, transientFailure, paths, recheckIn, following,
        warnings);
  }

  /** Look again after {@code d} even if nothing happens (a rollout timeout). */
  Outcome withRecheck(Duration d) {
    return new Outcome(kind, name, state, reason, message, action, transientFailure, learned, d, following, warnings);
  }

  /** Rootlock keeps following what its change started: a rollout, a failure it keeps, a CronJob's next Job. */
  Outcome followed() {
    return new Outcome(kind, name, state, reason, message, action, transientFailure, learned, recheckIn, true,
        warnings);
  }

  /** The hardening's memory risks, for the status message, the Event and the metric. */
  Outcome withWarnings(List<String> w) {
    return new Outcome(kind, name, state, reason, message, action, transientFailure, learned, recheckIn, following, w);
  }
}
