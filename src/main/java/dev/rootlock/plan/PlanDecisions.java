package dev.rootlock.plan;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.decision.Decision;
import dev.rootlock.decision.DecisionLadder;
import dev.rootlock.decision.PolicySet;
import dev.rootlock.decision.Subject;
import dev.rootlock.engine.PolicyRules;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code plan}'s side of the {@link DecisionLadder}: the operator's decision for one workload under
 * each policy in scope, as plan rows in the operator's state words. Manifests and Compose services
 * go through it alike; only the hardening itself differs.
 */
final class PlanDecisions {
  private PlanDecisions() {}

  /**
   * Appends one plan per selecting policy (or a NotSelected one) to {@code out}.
   *
   * @param inScope the policies that may select it: its namespace's (all of them for a workload without one)
   * @param harden what hardening it under a policy's rules would do
   * @param selected told each policy that selects it (excluded or in conflict included: the
   *     operator's {@code matched}), for the {@code NothingSelected} gate
   */
  static void decide(ManifestWorkload w, Subject subject, List<PlanPolicy> inScope,
      Function<PolicyRules, PlannedChange> harden, Consumer<PlanPolicy> selected, List<WorkloadPlan> out) {
    Map<ReadOnlyPolicy, PolicyRules.Validation> validated = new IdentityHashMap<>();
    inScope.forEach(p -> validated.put(p.policy(), new PolicyRules.Validation(p.rules(), List.of())));
    // The policy file is all there is: an owner it does not hold is gone.
    PolicySet policies = new PolicySet(inScope.stream().map(PlanPolicy::policy).toList(), validated::get,
        owner -> false);
    List<WorkloadPlan> rows = new ArrayList<>();
    for (PlanPolicy p : inScope) {
      Decision d = DecisionLadder.decide(subject, p.policy(), policies);
      if (!(d instanceof Decision.NotSelected || d instanceof Decision.Release)) {
        selected.accept(p);
      }
      if (d instanceof Decision.Excluded e) {
        rows.add(w.unchanged(p.name(), WorkloadState.Excluded.name(), e.reason()));
      } else if (d instanceof Decision.Conflict c) {
        rows.add(w.unchanged(p.name(), WorkloadState.Conflict.name(), "owned by policy " + c.namespace() + "/"
            + c.owner()));
      } else if (d instanceof Decision.Harden || d instanceof Decision.Audit || d instanceof Decision.ReportOnly) {
        rows.add(answered(w, p, d, harden.apply(p.rules())));
      } // NotSelected, or Release (not selected either: plan never writes a revert)
    }
    out.addAll(rows.isEmpty() ? List.of(w.unchanged(null, WorkloadPlan.NOT_SELECTED, "")) : rows);
  }

  private static WorkloadPlan answered(ManifestWorkload w, PlanPolicy p, Decision asked, PlannedChange change) {
    WorkloadPlan row = row(w, p, asked, change);
    return change.warnings().isEmpty() ? row : row.withWarnings(change.warnings());
  }

  private static WorkloadPlan row(ManifestWorkload w, PlanPolicy p, Decision asked, PlannedChange change) {
    Decision d = DecisionLadder.answer(asked, change.answer());
    if (d instanceof Decision.SkippedForMemoryRisk skip) {
      return w.unchanged(p.name(), WorkloadState.NonCompliant.name(), skip.message());
    }
    if (d instanceof Decision.WouldChange) {
      return w.unchanged(p.name(), WorkloadState.NonCompliant.name(), "would change (Audit: not applied): "
          + change.summary());
    }
    if (d instanceof Decision.Change) {
      return w.changed(p.name(), change.summary(), change.ops());
    }
    return w.unchanged(p.name(), WorkloadState.Compliant.name(), change.notes());
  }
}
