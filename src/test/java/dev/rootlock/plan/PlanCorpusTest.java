package dev.rootlock.plan;

import dev.rootlock.testing.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rootlock.testing.Corpus;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plan} over every file of ../shared/corpus: idempotent, non-workloads untouched, every
 * document edited in place (only lines that hardening touches removed, nothing written anew), the
 * diff accepted by {@code git apply}, and the kustomize patches produce exactly what the yaml
 * format produces.
 */
class PlanCorpusTest {
  /** The policies select each workload once per namespace, but a namespace-less one in every: not the point here. */
  private static final String[] GATE = {"--fail-on", "nothing-selected"};

  @Test
  void everyCorpusFilePlansConsistentlyInEveryFormat(@TempDir Path tmp) throws Exception {
    List<Path> files = Corpus.files();
    Path policy = tmp.resolve("policy.yaml");
    Files.writeString(policy, policiesForEveryNamespace());
    int changedWorkloads = 0;
    java.util.Map<String, Integer> changedByKind = new java.util.TreeMap<>();

    for (Path file : files) {
      String label = file.getFileName().toString();
      CliRun yaml = CliRun.of("plan", "--policy", policy.toString(), GATE[0], GATE[1], file.toString());
      assertThat(yaml.exitCode()).as(label + ": " + yaml.stderr()).isIn(0, 1);
      assertThat(yaml.stderr()).as(label + ": every document edited in place").doesNotContain("edited in place");
      PlanEditAssertions.assertOnlyHardenedLinesChanged(label, Files.readString(file), yaml.stdout());

      // 1. planning the output again changes nothing
      Path planned = tmp.resolve("planned-" + label);
      Files.writeString(planned, yaml.stdout());
      CliRun again = CliRun.of("plan", "--policy", policy.toString(), GATE[0], GATE[1], planned.toString());
      assertThat(again.exitCode()).as(label + " re-planned: " + again.stderr()).isZero();
      assertThat(again.stdout()).isEqualTo(yaml.stdout());

      // 1b. the diff (as --format diff writes it for this file), applied by git to a copy, gives the same text
      if (yaml.exitCode() == 1) {
        Path repo = Files.createDirectories(tmp.resolve("git-" + label));
        Files.copy(file, repo.resolve("manifest.yaml"));
        Path patch = repo.resolve("hardening.patch");
        Files.writeString(patch, DiffOutput.diff("manifest.yaml", Files.readString(file), yaml.stdout()));
        PlanEditAssertions.gitApply(repo, patch);
        assertThat(Files.readString(repo.resolve("manifest.yaml"))).isEqualTo(yaml.stdout());
      }

      // 2. every document is still there; the ones plan did not change are semantically equal
      List<SourceDocument> in = ManifestReader.split(label, Files.readString(file));
      List<SourceDocument> out = ManifestReader.split(label, yaml.stdout());
      List<JsonNode> inNodes = objects(in);
      List<JsonNode> outNodes = objects(out);
      assertThat(outNodes).as(label + " document count").hasSameSizeAs(inNodes);

      // 3. the kustomize patches applied to the input give the yaml format's objects
      Path dir = tmp.resolve("kustomize-" + label);
      CliRun kustomize = CliRun.of("plan", "--policy", policy.toString(), GATE[0], GATE[1], "--format",
          "kustomize", "--out", dir.toString(), file.toString());
      assertThat(kustomize.exitCode()).isEqualTo(yaml.exitCode());
      List<JsonNode> patched = applyKustomizePatches(dir, inNodes);
      for (int i = 0; i < inNodes.size(); i++) {
        assertThat(outNodes.get(i)).as(label + " object " + i).isEqualTo(patched.get(i));
        if (!Planner.isWorkload(inNodes.get(i))) {
          assertThat(outNodes.get(i)).as(label + " non-workload " + i + " untouched").isEqualTo(inNodes.get(i));
        } else if (!outNodes.get(i).equals(inNodes.get(i))) {
          changedWorkloads++;
          changedByKind.merge(inNodes.get(i).path("kind").asText(), 1, Integer::sum);
        }
      }
    }
    System.out.println("plan corpus: " + files.size() + " files, " + changedWorkloads + " workloads hardened "
        + changedByKind);
    assertThat(changedWorkloads).isGreaterThan(20);
    assertThat(changedByKind).containsKeys("Deployment", "StatefulSet", "DaemonSet");
  }

  /** One ReadOnlyPolicy per namespace a corpus workload names, plus default. */
  private static String policiesForEveryNamespace() {
    Set<String> namespaces = new TreeSet<>(Set.of(PlanPolicy.DEFAULT_NAMESPACE));
    Corpus.documents().stream().filter(d -> Planner.isWorkload(d.node()))
        .map(d -> d.node().at("/metadata/namespace").asText()).filter(s -> !s.isEmpty()).forEach(namespaces::add);
    StringBuilder s = new StringBuilder();
    for (String ns : namespaces) {
      s.append("---\napiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: all, namespace: ")
          .append(ns).append("}\nspec: {cachePaths: [/var/cache]}\n");
    }
    return s.toString();
  }

  /** Flattens List items: kustomize patches address each object on its own. */
  private static List<JsonNode> objects(List<SourceDocument> docs) {
    List<JsonNode> out = new ArrayList<>();
    for (SourceDocument d : docs) {
      if (d.node() == null) {
        continue;
      }
      if ("List".equals(d.node().path("kind").asText()) && d.node().has("items")) {
        d.node().get("items").forEach(out::add);
      } else {
        out.add(d.node());
      }
    }
    return out;
  }

  private static List<JsonNode> applyKustomizePatches(Path dir, List<JsonNode> objects) throws Exception {
    List<JsonNode> result = new ArrayList<>(objects);
    JsonNode fragment = ManifestReader.split("k", Files.readString(dir.resolve("kustomization.yaml"))).get(0).node();
    for (JsonNode entry : fragment.get("patches")) {
      JsonNode target = entry.get("target");
      JsonNode ops = ManifestReader.split("p", Files.readString(dir.resolve(entry.get("path").asText()))).get(0).node();
      int matches = 0;
      for (int i = 0; i < result.size(); i++) {
        JsonNode o = result.get(i);
        boolean hit = target.get("kind").asText().equals(o.path("kind").asText())
            && target.get("name").asText().equals(o.at("/metadata/name").asText())
            && (!target.has("namespace") || target.get("namespace").asText().equals(o.at("/metadata/namespace").asText()));
        if (hit) {
          result.set(i, JsonPatch.apply((ArrayNode) ops, o));
          matches++;
        }
      }
      assertThat(matches).as("patch " + entry + " targets exactly one object").isEqualTo(1);
    }
    return result;
  }
}
