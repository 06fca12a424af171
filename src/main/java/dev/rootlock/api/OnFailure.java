package dev.rootlock.api;

/** What Rootlock does when a rollout it caused fails. */
public enum OnFailure {
  /** Restore the pre-hardening template fields and mark the workload RolledBack. */
  Rollback,
  /** Leave the hardened template in place and report the failure. */
  Keep
}
