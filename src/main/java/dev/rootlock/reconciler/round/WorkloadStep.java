package dev.rootlock.reconciler.round;

import dev.rootlock.workload.Workload;

/** What one attempt at a workload came to: done, or lost a race and read the workload afresh. */
public sealed interface WorkloadStep {
  record Done(WorkloadOutcome outcome) implements WorkloadStep {}

  record Retry(Workload fresh) implements WorkloadStep {}

  static WorkloadStep done(WorkloadOutcome o) {
    return new Done(o);
  }
}
