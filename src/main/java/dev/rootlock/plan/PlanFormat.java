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
  report,
  json,
  sarif;

  /** Kustomize patches target Kubernetes objects: a Docker Compose file among the inputs is bad input. */
  public static void requireKubernetes(List<SourceDocument> docs) throws PlanInputException {
    for (SourceDocument doc : docs) {
      if (ComposeYaml.isCompose(doc.node())) {
        throw new PlanInputException(doc.source(), doc.line(), "is a Docker Compose file; kustomize patches apply "
            + "to Kubernetes manifests only (use --format yaml or diff for Compose files)");
      }
    }
  }

  /** Refuses input this format cannot print (before anything is planned or written). */
  public void check(List<SourceDocument> docs) throws PlanInputException {
    if (this == kustomize) {
      requireKubernetes(docs);
    } else if (this == yaml) {
      YamlOutput.check(docs);
    }
  }

  /**
   * Writes {@code plan}; kustomize writes files under {@code out}, the others to {@code stdout}.
   *
   * @return notes for stderr (files left out of a yaml stream)
   */
  public List<String> write(Plan plan, PlanGate gate, PrintStream stdout, Path out)
      throws IOException, PlanInputException {
    switch (this) {
      case yaml -> {
        return YamlOutput.write(plan, stdout).stream()
            .map(f -> "note: " + f + " left out of the stream: it configures kustomize, it is no object for the "
                + "cluster").toList();
      }
      case diff -> DiffOutput.write(plan, stdout);
      case kustomize -> KustomizeOutput.write(plan, out, stdout);
      case report -> ReportOutput.write(plan, gate, stdout);
      case json -> JsonOutput.write(plan, gate, stdout);
      case sarif -> SarifOutput.write(plan, gate, stdout);
    }
    return List.of();
  }

  /** Whether the format shows the plan's warnings and conditions itself (else they go to stderr). */
  public boolean saysEverything() {
    return this == report || this == json || this == sarif;
  }

  /** Applies the plan in place ({@code --write}); the files written. */
  public static List<String> writeInPlace(Plan plan) throws IOException {
    return InPlaceWriter.write(plan);
  }
}
