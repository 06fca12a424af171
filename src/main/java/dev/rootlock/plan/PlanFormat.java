package dev.rootlock.plan;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** The output formats of {@code rootlock plan --format}. */
public enum PlanFormat {
  yaml,
  diff,
  kustomize,
  report;

  /** Kustomize patches target Kubernetes objects: a Docker Compose file among the inputs is bad input. */
  public static void requireKubernetes(List<SourceDocument> docs) throws PlanInputException {
    for (SourceDocument doc : docs) {
      if (ComposeYaml.isCompose(doc.node())) {
        throw new PlanInputException(doc.source(), doc.line(), "is a Docker Compose file; kustomize patches apply "
            + "to Kubernetes manifests only (use --format yaml or diff for Compose files)");
      }
    }
  }

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
