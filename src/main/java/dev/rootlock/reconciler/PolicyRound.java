package dev.rootlock.reconciler;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.decision.Decision;
import dev.rootlock.decision.DecisionLadder;
import dev.rootlock.decision.PolicySet;
import dev.rootlock.decision.Subject;
import dev.rootlock.engine.Ownership;
import dev.rootlock.reconciler.acting.Enforcer;
import dev.rootlock.reconciler.round.Reconcile;
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
 * One reconcile of one policy over its namespace's workloads: each is visited once, decided by the
 * {@link DecisionLadder} and brought to what the decision says by the {@link Enforcer}, deciding
 * again from a fresh read after each lost race.
 */
final class PolicyRound {
  /** Attempts per workload and reconcile when other writers keep winning the race. */
  static final int MAX_ATTEMPTS = 3;

  private final Reconcile r;
  private final ReadOnlyPolicy me;
  private final PolicySet policies;
  private final Enforcer enforcer;

  /**
   * @param selected one outcome per workload the policy selects
   * @param unreleased workloads this policy hardened, no longer selects, and failed to revert
   */
  record Outcomes(List<WorkloadOutcome> selected, List<WorkloadOutcome> unreleased) {}

  /**
   * @param me the policy of {@code r}
   * @param policies the namespace's policies, {@code me} among them
   */
  PolicyRound(Reconcile r, ReadOnlyPolicy me, PolicySet policies, Enforcer enforcer) {
    this.r = r;
    this.me = me;
    this.policies = policies;
    this.enforcer = enforcer;
  }

  Outcomes run(List<Workload> workloads) {
    List<WorkloadOutcome> selected = new ArrayList<>();
    List<WorkloadOutcome> unreleased = new ArrayList<>();
    // Rollouts already followed first, so the slots count the ones they hold before handing out more.
    Map<Boolean, List<Workload>> followed = workloads.stream().collect(Collectors.partitioningBy(this::isFollowed));
    List<Workload> ordered = new ArrayList<>(followed.get(true));
    ordered.addAll(followed.get(false));
    try {
      for (Workload w : ordered) {
        MDC.put("workload", w.name());
        MDC.put("kind", w.kind().kind());
        Decision d = decide(w);
        if (d instanceof Decision.NotSelected) {
          continue;
        }
        WorkloadOutcome o = withRetries(w, d, this::decide);
        if (o == null) {
          continue; // a fresh read the policy no longer selects, with nothing of its own on it
        }
        if (!(d instanceof Decision.Release)) {
          selected.add(o);
        } else if (o.state() == WorkloadState.Failed) {
          unreleased.add(o);
        }
      }
    } finally {
      r.answers().endRound(); // a round that throws still forgets what it did not use
      MDC.remove("workload");
      MDC.remove("kind");
    }
    return new Outcomes(selected, unreleased);
  }

  /**
   * Reverts one workload this policy hardened, whatever its mode (the policy is being deleted);
   * null when there is nothing of this policy's on it.
   */
  WorkloadOutcome releaseForDeletion(Workload w) {
    Decision d = DecisionLadder.whenDeleted(Subject.of(w), me);
    return d instanceof Decision.NotSelected ? null
        : withRetries(w, d, fresh -> DecisionLadder.whenDeleted(Subject.of(fresh), me));
  }

  private Decision decide(Workload w) {
    return DecisionLadder.decide(Subject.of(w), me, policies);
  }

  /** Whether this policy recorded itself as the owner of a kind it writes. */
  private boolean isMine(Workload w) {
    return w.kind().isHardened() && r.name().equals(Ownership.recordedOwner(w.object()));
  }

  private boolean isFollowed(Workload w) {
    return isMine(w) && r.answers().rollout(w).follows(w.object().getMetadata().getGeneration());
  }

  /** Acts on one decision for one workload, as read. */
  private WorkloadStep act(Workload w, Decision d) {
    if (d instanceof Decision.Release release) {
      return enforcer.release(r, w, WorkloadState.Compliant, release.why());
    }
    if (d instanceof Decision.Excluded e) {
      String why = e.reason() + "; Rootlock leaves it unchanged";
      if (e.undo() == Decision.Undo.REVERT) {
        return enforcer.release(r, w, WorkloadState.Excluded, why);
      }
      return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.Excluded, "Excluded",
          e.undo() == Decision.Undo.WOULD_REVERT
              ? why + "; its hardening would be reverted (Audit mode: nothing written)" : why));
    }
    if (d instanceof Decision.ReportOnly || d instanceof Decision.Audit) {
      return WorkloadStep.done(enforcer.evaluate(r, w, d));
    }
    if (d instanceof Decision.Conflict c) {
      return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.Conflict, "Conflict", "also selected by policy "
          + c.owner() + ", which owns it" + (c.ownerUnsettled()
              ? " (it is invalid or being deleted and keeps what it hardened)" : "")
          + "; narrow one of the selectors or annotate the " + w.kind() + " " + Annotations.EXCLUDE + "=true"));
    }
    if (d instanceof Decision.Harden) {
      return enforcer.harden(r, w);
    }
    return WorkloadStep.done(null); // not selected: nothing to do
  }

  /**
   * Acts on {@code first} until that is done, deciding again from a fresh read after each lost race.
   *
   * @param first the decision for {@code w} as read
   * @return the outcome; null when a fresh read has nothing left for this policy to do
   */
  private WorkloadOutcome withRetries(Workload w, Decision first, Function<Workload, Decision> decide) {
    Workload current = w;
    Decision d = first;
    for (int i = 1; i <= MAX_ATTEMPTS; i++) {
      WorkloadStep step = act(current, d);
      if (step instanceof WorkloadStep.Done done) {
        return done.outcome();
      }
      current = ((WorkloadStep.Retry) step).fresh();
      d = decide.apply(current);
    }
    return WorkloadOutcome.failed(w, "WriteConflict", "changed by another writer " + MAX_ATTEMPTS
        + " times in a row; will retry", true);
  }
}
