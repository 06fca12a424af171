package dev.rootlock.plan;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** The output formats of {@code rootlock plan --format}. */
public enum PlanFormat {
  yaml,
  diff,
  kustomize,
  report;

  /** Writes {@code plan}; kustomize writes files under {@code out}, the others to {@code stdout}. */
  public void write(Plan plan, PrintStream stdout, Path out) throws IOException, PlanInputException {
    switch (this) {
      case yaml -> YamlOutput.write(plan, stdout);
      case diff -> DiffOutput.write(plan, stdout);
      case kustomize -> KustomizeOutput.write(plan, out, stdout);
      case report -> ReportOutput.write(plan, stdout);
    }
  }
}
