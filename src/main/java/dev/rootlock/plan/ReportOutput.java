package dev.rootlock.plan;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A table: one row per workload and selecting policy, with the operator's state words. */
final class ReportOutput {
  private static final List<String> HEADER = List.of("FILE", "KIND", "WORKLOAD", "POLICY", "STATE", "CHANGES");

  private ReportOutput() {}

  static void write(Plan plan, PrintStream out) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    for (WorkloadPlan w : plan.workloads()) {
      rows.add(List.of(w.location(), w.kind(), w.qualifiedName(), w.policy() == null ? "-" : w.policy(), w.state(),
          w.changes() ? w.summary() : (w.summary().isEmpty() ? "-" : w.summary())));
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
    long changes = plan.changes().size();
    long notCovered = plan.notCovered().size();
    out.println();
    out.println((changes == 0 ? "nothing to change" : changes + " workload(s) would change")
        + (notCovered == 0 ? "" : "; " + notCovered + " workload(s) not covered (NotCovered above)"));
  }
}
