package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Hardening;
import java.util.List;

/**
 * The plan for one workload under one policy (or under none: state {@code NotSelected}).
 *
 * @param line where the workload starts in its file: its document's first line, or a Compose service's name
 * @param pointer where the workload sits in its document: "", "/items/3" in a kind: List, "/services/web"
 * @param namespace the Kubernetes namespace, or the Compose project's {@code name:}; null when there is none
 * @param state the operator's state words: Compliant, NonCompliant, Excluded, Conflict; or NotSelected, or
 *     NotCovered for a workload plan does not harden
 * @param ops JSON Patch relative to the workload object; empty when nothing changes
 * @param planned the workload as it would be after the ops
 * @param warnings what the change alone does not fix (see {@link PlanWarning.Type})
 */
public record WorkloadPlan(SourceDocument doc, int line, String pointer, String kind, String namespace, String name,
    String policy, String state, String summary, ArrayNode ops, JsonNode original, JsonNode planned,
    List<PlanWarning> warnings) {

  public WorkloadPlan {
    warnings = List.copyOf(warnings);
  }

  /** A plan without warnings. */
  public WorkloadPlan(SourceDocument doc, int line, String pointer, String kind, String namespace, String name,
      String policy, String state, String summary, ArrayNode ops, JsonNode original, JsonNode planned) {
    this(doc, line, pointer, kind, namespace, name, policy, state, summary, ops, original, planned, List.of());
  }

  public WorkloadPlan withWarnings(List<PlanWarning> w) {
    return new WorkloadPlan(doc, line, pointer, kind, namespace, name, policy, state, summary, ops, original,
        planned, w);
  }

  public static final String NOT_SELECTED = "NotSelected";
  /** A workload plan does not harden: an unknown kind, or a Pod or Job a controller made. */
  public static final String NOT_COVERED = "NotCovered";

  public boolean isConflict() {
    return WorkloadState.Conflict.name().equals(state);
  }

  public boolean isNotSelected() {
    return NOT_SELECTED.equals(state);
  }

  public boolean isNotCovered() {
    return NOT_COVERED.equals(state);
  }

  public boolean changes() {
    return !ops.isEmpty();
  }

  /**
   * An enforcing policy's rules were not applied (spec.onMemoryRisk: Skip): nothing changes, yet the
   * workload keeps a writable root, so a gate stops it.
   */
  public boolean isSkipped() {
    return WorkloadState.NonCompliant.name().equals(state) && ops.isEmpty()
        && summary.startsWith(Hardening.NOT_HARDENED);
  }

  /** "shop/web", or "web" for a workload without a namespace (or a Compose file without a name). */
  public String qualifiedName() {
    return namespace == null ? name : namespace + "/" + name;
  }

  /** Where a person finds it: "deploy/app.yaml:12". */
  public String location() {
    return doc.source() + ":" + line;
  }
}
