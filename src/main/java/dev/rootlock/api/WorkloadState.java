package dev.rootlock.api;

/** Outcome of one selected workload, as reported in {@code status.workloads[].state}. */
public enum WorkloadState {
  Compliant,
  NonCompliant,
  Excluded,
  Conflict,
  Failed,
  /** Hardening written; Rootlock follows the rollout it started. */
  RollingOut,
  /** Hardening due, waiting for a rollout slot (spec.rollout.maxInProgress). */
  Pending,
  /** The hardening rollout failed and was undone; not retried until the spec or the template changes. */
  RolledBack
}
