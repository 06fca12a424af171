package dev.rootlock.plan;

import java.util.List;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rootlock.decision.EngineAnswer;

/**
 * What hardening a workload's manifest under one policy's rules would do.
 *
 * @param ops JSON Patch relative to the workload as written; empty when nothing changes
 * @param summary what the ops change, for a person
 * @param notes what a person should know when nothing changes (paths left alone, ...)
 * @param answer the engine's answer, for the {@link dev.rootlock.decision.DecisionLadder}
 * @param warnings what the change leaves as it is and a person should know before applying it
 *     (an exempt container, a declared path on a read-only mount, a memory risk)
 */
record PlannedChange(ArrayNode ops, String summary, String notes, EngineAnswer answer, List<PlanWarning> warnings) {
  PlannedChange {
    warnings = List.copyOf(warnings);
  }

  PlannedChange(ArrayNode ops, String summary, String notes, EngineAnswer answer) {
    this(ops, summary, notes, answer, List.of());
  }

  PlannedChange withWarnings(List<PlanWarning> more) {
    List<PlanWarning> all = new java.util.ArrayList<>(warnings);
    all.addAll(more);
    return new PlannedChange(ops, summary, notes, answer, all);
  }
}
