package dev.rootlock.reconciler;

import dev.rootlock.api.WorkloadState;
import java.time.Duration;
import java.util.List;

/**
 * What happened to one workload in one reconcile.
 *
 * @param reason CamelCase word for the state, also used for condition reasons
 * @param transientFailure true when a retry later may succeed (5xx, 429, timeouts)
 */
public record Outcome(String name, WorkloadState state, String reason, String message, Action action,
    boolean transientFailure, List<String> learned, Duration recheckIn) {

  public Outcome(String name, WorkloadState state, String reason, String message, Action action,
      boolean transientFailure) {
    this(name, state, reason, message, action, transientFailure, List.of(), null);
  }

  public enum Action {
    NONE,
    HARDENED,
    REVERTED,
    ROLLED_BACK
  }

  static Outcome of(String name, WorkloadState state, String reason, String message) {
    return new Outcome(name, state, reason, message, Action.NONE, false);
  }

  Outcome withAction(Action a) {
    return new Outcome(name, state, reason, message, a, transientFailure, learned, recheckIn);
  }

  /** Directories learned for this workload, for its status entry. */
  Outcome withLearned(List<String> paths) {
    return new Outcome(name, state, reason, message, action, transientFailure, List.copyOf(paths), recheckIn);
  }

  /** Look again after {@code d} even if nothing happens (a rollout timeout). */
  Outcome withRecheck(Duration d) {
    return new Outcome(name, state, reason, message, action, transientFailure, learned, d);
  }

  /** True while Rootlock follows this workload's rollout (in progress, or failing and kept). */
  boolean following() {
    return state == WorkloadState.RollingOut || ROLLOUT_FAILED.equals(reason);
  }

  static final String ROLLOUT_FAILED = "RolloutFailed";
}
