package dev.rootlock.plan;

import dev.rootlock.engine.PolicyRules;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The warnings of one workload's hardenings, collected while {@link Decisions} hardens it under
 * each selecting policy, and attached afterwards to the plan that policy's row became.
 */
final class Warnings {
  private final List<PlanPolicy> selecting;
  private final Map<PolicyRules, List<PlanWarning>> byRules = new IdentityHashMap<>();

  Warnings(List<PlanPolicy> selecting) {
    this.selecting = selecting;
  }

  void record(PolicyRules rules, List<PlanWarning> warnings) {
    byRules.put(rules, warnings);
  }

  /** Replaces the plans from index {@code first} of {@code out} with the same plans, warnings attached. */
  void attach(List<WorkloadPlan> out, int first) {
    for (int i = first; i < out.size(); i++) {
      WorkloadPlan p = out.get(i);
      for (PlanPolicy policy : selecting) {
        List<PlanWarning> w = byRules.get(policy.rules());
        if (w != null && !w.isEmpty() && policy.name().equals(p.policy())) {
          out.set(i, p.withWarnings(w));
          break;
        }
      }
    }
  }
}
