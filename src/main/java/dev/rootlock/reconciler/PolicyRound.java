package dev.rootlock.reconciler;

import dev.rootlock.api.Mode;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Exclusion;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.Ownership;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.reconciler.acting.Enforcer;
import dev.rootlock.reconciler.round.EngineAnswerCache;
import dev.rootlock.reconciler.round.RolloutSlots;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.reconciler.round.WorkloadStep;
import dev.rootlock.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.MDC;

/**
 * One reconcile of one policy over its namespace's workloads: each is visited once, decided
 * (exclusion, kind and selection, mode, ownership) and brought to what the policy wants by
 * {@link Enforcer}, deciding again from a fresh read after each lost race.
 */
final class PolicyRound {
  /** Attempts per workload and reconcile when other writers keep winning the race. */
  static final int MAX_ATTEMPTS = 3;
  static final String AUDIT_ADVICE = " (Audit mode: nothing written; set mode: Enforce to apply)";
  /** For the kinds Rootlock only reports: a Job's template cannot change once it exists. */
  static final String REPORTED_ADVICE = "; a Job's pod template cannot change once it is created, so Rootlock "
      + "only reports it: harden its manifest with rootlock plan, or start it from a CronJob the policy selects";

  private final Neighbours neighbours;
  private final PolicyRules rules;
  private final Enforcer.Policy policy;
  private final Enforcer sync;
  private final EngineAnswerCache memo;

  /**
   * @param selected one outcome per workload the policy selects
   * @param unreleased workloads this policy hardened, no longer selects, and failed to revert
   */
  record Result(List<WorkloadOutcome> selected, List<WorkloadOutcome> unreleased) {}

  PolicyRound(Neighbours neighbours, PolicyRules rules, long generation, Enforcer sync, EngineAnswerCache memo) {
    this.neighbours = neighbours;
    this.rules = rules;
    this.policy = new Enforcer.Policy(neighbours.me(), generation);
    this.sync = sync;
    this.memo = memo;
  }

  Result run(List<Workload> workloads) {
    RolloutSlots pacer = new RolloutSlots(rules.rollout().maxInProgress());
    List<WorkloadOutcome> selected = new ArrayList<>();
    List<WorkloadOutcome> unreleased = new ArrayList<>();
    // Rollouts already followed first, so the pacer knows how many slots they hold.
    Map<Boolean, List<Workload>> followed = workloads.stream().collect(Collectors.partitioningBy(this::isFollowed));
    List<Workload> ordered = new ArrayList<>(followed.get(true));
    ordered.addAll(followed.get(false));
    try {
      for (Workload w : ordered) {
        MDC.put("workload", w.name());
        MDC.put("kind", w.kind().kind());
        if (selects(w)) {
          selected.add(withRetries(w, fresh -> decide(fresh, pacer)));
        } else if (isMine(w) && rules.mode() == Mode.Enforce) {
          WorkloadOutcome o = withRetries(w, fresh -> release(fresh, "no longer selected by policy " + policy.name()));
          if (o.state() == WorkloadState.Failed) {
            unreleased.add(o);
          }
        }
      }
    } finally {
      memo.endRound(); // a round that throws still forgets what it did not use
      MDC.remove("workload");
      MDC.remove("kind");
    }
    return new Result(selected, unreleased);
  }

  /** Reverts one workload this policy hardened, whatever its mode (the policy is being deleted). */
  WorkloadOutcome releaseForDeletion(Workload w) {
    return withRetries(w, fresh -> release(fresh, "policy " + policy.name() + " deleted"));
  }

  /** Whether this policy recorded itself as the owner of a kind it writes. */
  boolean isMine(Workload w) {
    return w.kind().isHardened() && policy.name().equals(Ownership.recordedOwner(w.object()));
  }

  private boolean isFollowed(Workload w) {
    return isMine(w) && memo.rollout(w).follows(w.object().getMetadata().getGeneration());
  }

  private boolean selects(Workload w) {
    return w.kind().isSelectedBy(rules) && LabelSelectors.matches(rules.selector(), w.labels());
  }

  /** One decision for one selected workload, as read. */
  private WorkloadStep decide(Workload w, RolloutSlots pacer) {
    String recorded = Ownership.recordedOwner(w.object());
    boolean audit = rules.mode() == Mode.Audit;
    String exclusion = Exclusion.reason(w.annotations(), w.template());
    if (exclusion != null) {
      String why = exclusion + "; Rootlock leaves it unchanged";
      // Ours to undo, or an orphan whose owner is gone and can never undo it.
      boolean undo = w.kind().isHardened() && recorded != null
          && (recorded.equals(policy.name()) || neighbours.isGone(recorded));
      if (undo && !audit) {
        return sync.release(policy.name(), w, WorkloadState.Excluded, why);
      }
      return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.Excluded, "Excluded",
          undo ? why + "; its hardening would be reverted (Audit mode: nothing written)" : why));
    }
    if (!w.kind().isHardened()) {
      return WorkloadStep.done(sync.evaluate(rules, w, false, REPORTED_ADVICE));
    }
    if (audit) {
      return WorkloadStep.done(sync.evaluate(rules, w, policy.name().equals(recorded), AUDIT_ADVICE));
    }
    String owner = neighbours.ownerOf(w);
    var conflict = neighbours.conflict(w, owner);
    if (conflict.isPresent()) {
      return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.Conflict, "Conflict", conflict.get()));
    }
    return sync.harden(policy, rules, w, pacer);
  }

  private WorkloadStep release(Workload w, String why) {
    if (!isMine(w)) {
      return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.Compliant, "Released", "no longer ours"));
    }
    return sync.release(policy.name(), w, WorkloadState.Compliant, why);
  }

  /** Runs {@code attempt} until it is done, deciding again from a fresh read after each lost race. */
  private static WorkloadOutcome withRetries(Workload w, Function<Workload, WorkloadStep> attempt) {
    Workload current = w;
    for (int i = 1; i <= MAX_ATTEMPTS; i++) {
      WorkloadStep step = attempt.apply(current);
      if (step instanceof WorkloadStep.Done done) {
        return done.outcome();
      }
      current = ((WorkloadStep.Retry) step).fresh();
    }
    return WorkloadOutcome.failed(w, "WriteConflict", "changed by another writer " + MAX_ATTEMPTS
        + " times in a row; will retry", true);
  }
}
