package dev.rootlock.plan;

import java.util.ArrayList;
import java.util.List;

/** The lines plan says about a plan besides its output: in the report, or on stderr with the other formats. */
public final class Messages {
  private Messages() {}

  /** "FILE:LINE: Deployment shop/web: container app: ...", one per warning of every workload. */
  public static List<String> warnings(Plan plan) {
    List<String> out = new ArrayList<>();
    for (WorkloadPlan w : plan.workloads()) {
      w.warnings().forEach(pw -> out.add(w.location() + ": " + w.kind() + " " + w.qualifiedName() + ": "
          + pw.message()));
    }
    return out;
  }

  /** Everything a person reading stderr must know when the output itself (yaml, diff, json...) does not say it. */
  public static List<String> forStderr(Plan plan, PlanGate gate) {
    List<String> out = new ArrayList<>();
    for (WorkloadPlan w : plan.workloads()) {
      if (w.isNotCovered()) {
        out.add("warning: " + w.location() + ": " + w.kind() + " " + w.qualifiedName() + " not covered: "
            + w.summary());
      } else if (w.isSkipped()) {
        out.add("skipped: " + w.location() + ": " + w.kind() + " " + w.qualifiedName() + ": " + w.summary());
      } else if (w.isConflict()) {
        out.add("conflict: " + w.location() + ": " + w.kind() + " " + w.qualifiedName() + ": policy " + w.policy()
            + " also selects it, " + w.summary());
      }
    }
    warnings(plan).forEach(m -> out.add("warning: " + m));
    for (Plan.DocumentPlan d : plan.documents()) {
      if (d.rewritten() != null) {
        out.add("note: " + d.doc().source() + ":" + d.doc().line() + ": this document could not be edited in place ("
            + d.rewritten() + "); it is written anew, without its comments and anchors");
      }
    }
    gate.held().stream().filter(h -> h.condition() == PlanGate.Condition.NOTHING_SELECTED)
        .forEach(h -> out.add("nothing selected: " + h.message()));
    if (plan.workloads().isEmpty()) {
      out.add("note: " + ReportOutput.summary(plan, gate));
    }
    List<PlanGate.Held> failing = gate.failing();
    if (!failing.isEmpty()) {
      out.add("failing the gate (--fail-on " + String.join(",", failing.stream().map(h -> h.condition().flag())
          .toList()) + "): " + String.join("; ", failing.stream().map(PlanGate.Held::message).toList()));
    }
    return out;
  }
}
