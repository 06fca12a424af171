package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code --format yaml}. One input file is printed as the file would be after the plan: only the
 * lines hardening needs changed, every other byte as written (the same text {@code --write}
 * writes). Several files are printed as one stream of Kubernetes manifests for {@code kubectl
 * apply -f -}, each introduced by a {@code # Source: FILE} comment; kustomize's own files are left
 * out of it, and a Docker Compose file cannot be part of it.
 */
final class YamlOutput {
  private static final Set<String> KUSTOMIZATION_FILES = Set.of("kustomization.yaml", "kustomization.yml",
      "Kustomization");

  private YamlOutput() {}

  /** Refuses input that cannot be one stream: a Compose file among several files. */
  static void check(List<SourceDocument> docs) throws PlanInputException {
    if (docs.stream().map(SourceDocument::source).distinct().count() < 2) {
      return;
    }
    for (SourceDocument doc : docs) {
      if (ComposeYaml.isCompose(doc.node())) {
        throw new PlanInputException(doc.source(), doc.line(), "is a Docker Compose file: with several files, "
            + "--format yaml prints one stream of Kubernetes manifests, which a Compose file cannot be part of; "
            + "use --write (each file hardened in place) or --format diff, or plan the Compose file on its own");
      }
    }
  }

  /** @return the files left out of the stream (kustomize's own), for a note */
  static List<String> write(Plan plan, PrintStream out) {
    List<Plan.FilePlan> files = plan.files();
    List<String> skipped = new ArrayList<>();
    if (files.size() == 1) {
      out.print(files.get(0).planned());
      return skipped;
    }
    for (Plan.FilePlan f : files) {
      if (isKustomization(f)) {
        skipped.add(f.source());
        continue;
      }
      out.print("---\n# Source: " + FilePaths.relative(f.source()) + "\n");
      out.print(f.planned());
      if (!f.planned().isEmpty() && !f.planned().endsWith("\n")) {
        out.print('\n');
      }
    }
    return skipped;
  }

  /** kustomize's configuration (kustomization.yaml, a Kustomization or Component): no object for the cluster. */
  static boolean isKustomization(Plan.FilePlan f) {
    String name = f.source().equals(ManifestReader.STDIN) ? "" : String.valueOf(Path.of(f.source()).getFileName());
    if (KUSTOMIZATION_FILES.contains(name)) {
      return true;
    }
    return f.documents().stream().map(d -> d.doc().node()).anyMatch(n -> n != null
        && n.path("apiVersion").asText().startsWith("kustomize.config.k8s.io/") && isKustomizeKind(n));
  }

  private static boolean isKustomizeKind(JsonNode n) {
    String kind = n.path("kind").asText();
    return kind.equals("Kustomization") || kind.equals("Component");
  }
}
