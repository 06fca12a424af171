package dev.rootlock.plan;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A table: one row per workload and selecting policy, with the operator's state words; then the
 * warnings of each row, and a last line that counts what the gate looks at.
 */
final class ReportOutput {
  private static final List<String> HEADER = List.of("FILE", "KIND", "WORKLOAD", "POLICY", "STATE", "CHANGES");

  private ReportOutput() {}

  static void write(Plan plan, PlanGate gate, PrintStream out) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (WorkloadPlan w : plan.workloads()) {
      rows.add(List.of(w.location(), w.kind(), w.qualifiedName(), w.policy() == null ? "-" : w.policy(), w.state(),
          w.summary().isEmpty() ? "-" : w.summary()));
    }
    int[] width = new int[HEADER.size() - 1];
    for (List<String> r : rows) {
      for (int i = 0; i < width.length; i++) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    for (List<String> r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < width.length; i++) {
        line.append(String.format("%-" + width[i] + "s  ", r.get(i)));
      }
      line.append(r.get(width.length));
      out.println(line.toString().stripTrailing());
    }
    out.println();
    Messages.warnings(plan).forEach(m -> out.println("warning: " + m));
    gate.held().stream().filter(h -> h.condition() == PlanGate.Condition.NOTHING_SELECTED)
        .forEach(h -> out.println("nothing selected: " + h.message()));
    out.println(summary(plan, gate));
  }

  /** "2 workload(s) would change; 1 not covered; 1 conflict(s)"; never "nothing to change" for nothing read. */
  static String summary(Plan plan, PlanGate gate) {
    long workloads = plan.workloads().size();
    long changes = plan.changes().size();
    List<String> parts = new ArrayList<>();
    if (workloads == 0) {
      long docs = plan.documents().stream().filter(d -> d.doc().node() != null).count();
      parts.add("no workload among the " + docs + " document(s) read");
    } else {
      parts.add(changes == 0 ? "nothing to change" : changes + " workload(s) would change");
    }
    long skipped = plan.workloads().stream().filter(WorkloadPlan::isSkipped).count();
    if (skipped > 0) {
      parts.add(skipped + " workload(s) not hardened (spec.onMemoryRisk: Skip; fails the gate)");
    }
    for (PlanGate.Held h : gate.held()) {
      if (h.condition() != PlanGate.Condition.NOTHING_SELECTED) {
        parts.add(h.message() + failing(gate, h));
      } else {
        parts.add("nothing selected" + failing(gate, h));
      }
    }
    return String.join("; ", parts);
  }

  private static String failing(PlanGate gate, PlanGate.Held h) {
    return gate.failOn().contains(h.condition()) ? " (fails the gate: --fail-on " + h.condition().flag() + ")" : "";
  }
}
