package dev.rootlock.reconciler.status;

import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits how often a policy's status is written while its rollouts progress. Every completed
 * rollout re-queues the policy, and writing the status each time costs one API write per rollout;
 * a status that only moves from one in-progress picture to another is written at most once per
 * {@link #INTERVAL}. A status that starts or ends a rollout phase (the first RollingOut, the last
 * one completing, a rollback, anything outside rollouts) is written at once.
 */
public final class StatusThrottle {
  /**
   * The Deployments' own status shows each rollout live; the policy's summarises them, and at one
   * write a second a policy whose paced wave took 48 s wrote its status 24 times, more than its
   * workloads' PATCHes (the 1,000-workload benchmark, docs/benchmarks.md).
   */
  public static final Duration INTERVAL = Duration.ofSeconds(10);

  private final Clock clock;
  private final Duration interval;
  private final Map<ResourceID, Instant> lastWrite = new ConcurrentHashMap<>();

  public StatusThrottle(Clock clock, Duration interval) {
    this.clock = clock;
    this.interval = interval;
  }

  /** Zero to write now; otherwise how long to wait before the change is written. */
  public Duration delay(ResourceID policy, ReadOnlyPolicyStatus before, ReadOnlyPolicyStatus after) {
    if (!midRollout(before) || !midRollout(after) || !sameOutsideRollouts(before, after)) {
      return Duration.ZERO;
    }
    Instant last = lastWrite.get(policy);
    if (last == null) {
      return Duration.ZERO;
    }
    Duration left = interval.minus(Duration.between(last, clock.instant()));
    return left.isNegative() || left.isZero() ? Duration.ZERO : left;
  }

  public void written(ResourceID policy) {
    lastWrite.put(policy, clock.instant());
  }

  public void forget(ResourceID policy) {
    lastWrite.remove(policy);
  }

  private static boolean midRollout(ReadOnlyPolicyStatus s) {
    return s != null && s.getWorkloads() != null && s.getWorkloads().stream()
        .anyMatch(w -> w.getState() == WorkloadState.RollingOut || w.getState() == WorkloadState.Pending);
  }

  /** Nothing changed but the progress of rollouts: no workload entered another kind of state. */
  private static boolean sameOutsideRollouts(ReadOnlyPolicyStatus before, ReadOnlyPolicyStatus after) {
    Map<String, WorkloadState> was = new java.util.HashMap<>();
    before.getWorkloads().forEach(w -> was.put(w.getKind() + "/" + w.getName(), w.getState()));
    for (WorkloadStatus w : after.getWorkloads()) {
      WorkloadState previous = was.get(w.getKind() + "/" + w.getName());
      boolean progress = w.getState() == WorkloadState.Compliant || w.getState() == WorkloadState.RollingOut
          || w.getState() == WorkloadState.Pending;
      if (previous != w.getState() && !progress) {
        return false;
      }
    }
    return java.util.Objects.equals(before.getObservedGeneration(), after.getObservedGeneration());
  }
}
