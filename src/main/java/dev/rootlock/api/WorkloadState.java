package dev.rootlock.api;

/** Outcome of one selected Deployment, as reported in {@code status.workloads[].state}. */
public enum WorkloadState {
  Compliant,
  NonCompliant,
  Excluded,
  Conflict,
  Failed
}
