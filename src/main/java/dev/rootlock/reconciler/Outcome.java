package dev.rootlock.reconciler;

import dev.rootlock.api.WorkloadState;

/**
 * What happened to one workload in one reconcile.
 *
 * @param reason CamelCase word for the state, also used for condition reasons
 * @param transientFailure true when a retry later may succeed (5xx, 429, timeouts)
 */
public record Outcome(String name, WorkloadState state, String reason, String message, Action action,
    boolean transientFailure) {

  public enum Action {
    NONE,
    HARDENED,
    REVERTED
  }

  static Outcome of(String name, WorkloadState state, String reason, String message) {
    return new Outcome(name, state, reason, message, Action.NONE, false);
  }

  Outcome withAction(Action a) {
    return new Outcome(name, state, reason, message, a, transientFailure);
  }
}
