package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.rootlock.api.Mode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Ownership;
import dev.rootlock.engine.PolicyRules;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.List;

/**
 * The operator's decisions for one workload under the policies that select it: exclusion,
 * ownership among enforcing policies, Audit. Deployments and Compose services share them so that
 * both follow one set of rules; only the hardening itself differs.
 */
final class Decisions {
  private static final ArrayNode NONE = JsonNodeFactory.instance.arrayNode();

  private Decisions() {}

  /** One workload: where it is, what it is called, and its node as written. */
  record Workload(SourceDocument doc, int line, String pointer, String kind, String namespace, String name,
      JsonNode node) {
    WorkloadPlan unchanged(String policy, String state, String summary) {
      return new WorkloadPlan(doc, line, pointer, kind, namespace, name, policy, state, summary, NONE, node, node);
    }

    WorkloadPlan changed(String policy, String summary, ArrayNode ops) {
      return new WorkloadPlan(doc, line, pointer, kind, namespace, name, policy, WorkloadState.NonCompliant.name(),
          summary, ops, node, JsonPatch.apply(ops, node));
    }
  }

  /**
   * What hardening under one policy would do.
   *
   * @param ops JSON Patch relative to the workload as written; empty when nothing changes
   * @param summary what the ops change, for a person
   * @param notes what a person should know when nothing changes (paths left alone, ...)
   * @param skipped why the rules were not applied (spec.onMemoryRisk: Skip), or null: never compliant
   */
  record Outcome(ArrayNode ops, String summary, String notes, String skipped) {
    Outcome(ArrayNode ops, String summary, String notes) {
      this(ops, summary, notes, null);
    }
  }

  @FunctionalInterface
  interface Harden {
    Outcome under(PolicyRules rules);
  }

  /**
   * Appends one plan per selecting policy (or a NotSelected one) to {@code out}.
   *
   * @param exclusion why the workload is excluded ("annotated rootlock.dev/exclude=true"), or null
   * @param recordedOwner the owner the workload names, or null
   */
  static void decide(Workload w, List<PlanPolicy> selecting, String exclusion, String recordedOwner, Harden harden,
      List<WorkloadPlan> out) {
    if (selecting.isEmpty()) {
      out.add(w.unchanged(null, WorkloadPlan.NOT_SELECTED, ""));
      return;
    }
    if (exclusion != null) {
      selecting.forEach(p -> out.add(w.unchanged(p.name(), WorkloadState.Excluded.name(), exclusion)));
      return;
    }
    List<ReadOnlyPolicy> enforcing = selecting.stream()
        .filter(p -> p.rules().mode() == Mode.Enforce).map(PlanPolicy::policy).toList();
    ReadOnlyPolicy owner = Ownership.ownerAmong(recordedOwner, enforcing).orElse(null);
    for (PlanPolicy p : selecting) {
      boolean audit = p.rules().mode() == Mode.Audit;
      if (!audit && p.policy() != owner) {
        out.add(w.unchanged(p.name(), WorkloadState.Conflict.name(), "owned by policy "
            + owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName()));
        continue;
      }
      Outcome o = harden.under(p.rules());
      if (o.skipped() != null) {
        out.add(w.unchanged(p.name(), WorkloadState.NonCompliant.name(), o.skipped()));
      } else if (o.ops().isEmpty()) {
        out.add(w.unchanged(p.name(), WorkloadState.Compliant.name(), o.notes()));
      } else if (audit) {
        out.add(w.unchanged(p.name(), WorkloadState.NonCompliant.name(),
            "would change (Audit: not applied): " + o.summary()));
      } else {
        out.add(w.changed(p.name(), o.summary(), o.ops()));
      }
    }
  }
}
