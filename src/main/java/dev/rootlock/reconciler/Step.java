package dev.rootlock.reconciler;

import dev.rootlock.workload.Workload;

/** What one attempt at a workload came to: done, or lost a race and read the workload afresh. */
sealed interface Step {
  record Done(Outcome outcome) implements Step {}

  record Retry(Workload fresh) implements Step {}

  static Step done(Outcome o) {
    return new Done(o);
  }
}
