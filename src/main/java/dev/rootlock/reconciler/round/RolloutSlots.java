package dev.rootlock.reconciler.round;

/**
 * spec.rollout.maxInProgress for one reconcile of one policy. The rollouts already followed are
 * counted first (the reconciler visits them first), then each new rollout takes a slot while one
 * is free. A rollout that fails and is kept (onFailure: Keep) holds its slot, so a policy whose
 * hardening keeps breaking apps stops starting new rollouts.
 */
public final class RolloutSlots {
  private final int max;
  private int inProgress;

  public RolloutSlots(int max) {
    this.max = max;
  }

  /** Counts a followed rollout that is still running or failing. */
  public void holding() {
    inProgress++;
  }

  /** Gives back the slot of a rollout that did not start after all (its write failed). */
  public void release() {
    inProgress--;
  }

  /** Whether every slot is taken (a new rollout would have to wait). */
  public boolean isFull() {
    return inProgress >= max;
  }

  /** Takes a slot for a new rollout; false when all are taken. */
  public boolean tryStart() {
    if (inProgress >= max) {
      return false;
    }
    inProgress++;
    return true;
  }

  /** Stable wording (no live count), so a waiting workload's status entry does not churn. */
  public String describe() {
    return "at most " + max + " rollouts of this policy at once (spec.rollout.maxInProgress)";
  }
}
