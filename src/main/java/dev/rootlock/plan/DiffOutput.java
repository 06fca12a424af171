package dev.rootlock.plan;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.io.PrintStream;
import java.util.List;

/**
 * A unified diff per changed workload. Both sides are written in plan's own YAML style, so the
 * diff shows only what Rootlock changes, never formatting.
 */
final class DiffOutput {
  private DiffOutput() {}

  static void write(Plan plan, PrintStream out) {
    for (WorkloadPlan w : plan.changes()) {
      List<String> before = Yaml.write(w.original()).lines().toList();
      List<String> after = Yaml.write(w.planned()).lines().toList();
      String label = w.doc().source() + " (" + w.kind() + " " + w.qualifiedName() + ")";
      List<String> diff = UnifiedDiffUtils.generateUnifiedDiff("a/" + label, "b/" + label, before,
          DiffUtils.diff(before, after), 3);
      diff.forEach(out::println);
    }
  }
}
