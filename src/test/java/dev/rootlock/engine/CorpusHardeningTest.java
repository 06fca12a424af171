package dev.rootlock.engine;

import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.testing.Corpus;
import dev.rootlock.testing.EngineInvariants;
import dev.rootlock.testing.Manifests;
import dev.rootlock.workload.WorkloadKind;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every workload in ../shared/corpus (Deployments, StatefulSets, DaemonSets: calico, flannel,
 * node-exporter, cassandra, ...), its template read where its kind keeps it, hardened with tmpPaths
 * [/tmp] and cachePaths [/var/cache], comes out compliant with no other pod-template change, and
 * reverts exactly.
 */
class CorpusHardeningTest {
  private final Hardener hardener = new Hardener();
  private final PolicyRules rules = Manifests.rules("{tmpPaths: [/tmp], cachePaths: [/var/cache]}");

  @Test
  void everyCorpusWorkloadHardensCompliantAndRevertsExactly() {
    List<Corpus.Document> workloads = Corpus.documents().stream()
        .filter(d -> kind(d) != null).toList();
    List<String> checked = new ArrayList<>();
    Map<String, Integer> byKind = new TreeMap<>();

    for (Corpus.Document doc : workloads) {
      WorkloadKind<?> kind = kind(doc);
      PodTemplateSpec original = kind.template(Manifests.SERIALIZATION.convertValue(doc.node(), kind.type()));
      Hardening h = hardener.harden(original, rules, RevertRecord.EMPTY);

      assertThat(EngineInvariants.assertCompliant(h.template(), rules)).as(doc.describe())
          .hasSameSizeAs(h.template().getSpec().getContainers());
      EngineInvariants.assertVolumeNamesValid(h.template());
      assertThat(EngineInvariants.withoutRootlockChanges(h.template(), h.record())).as(doc.describe())
          .isEqualTo(tree(original));
      assertThat(hardener.harden(h.template(), rules, h.record()).changed()).as(doc.describe() + " idempotent").isFalse();
      Hardening reverted = hardener.revert(h.template(), h.record());
      assertThat(tree(reverted.template())).as(doc.describe() + " reverts exactly").isEqualTo(tree(original));
      assertOnlyAllowedFieldsChanged(doc, original, h);
      checked.add(doc.describe());
      byKind.merge(kind.kind(), 1, Integer::sum);
    }
    System.out.println("corpus: hardened and reverted " + checked.size() + " workloads " + byKind);
    assertThat(byKind.getOrDefault("Deployment", 0)).as("the corpus holds Deployments").isGreaterThan(20);
    assertThat(byKind).as("and StatefulSets and DaemonSets").containsEntry("StatefulSet", 3)
        .containsEntry("DaemonSet", 5);
  }

  private static WorkloadKind<?> kind(Corpus.Document d) {
    return WorkloadKinds.of(d.node().path("apiVersion").asText(null), d.kind()).orElse(null);
  }

  /** Everything but securityContext, volumeMounts, volumes and terminationMessagePolicy is the input. */
  private static void assertOnlyAllowedFieldsChanged(Corpus.Document doc, PodTemplateSpec original, Hardening h) {
    var before = (ObjectNode) tree(original);
    var after = (ObjectNode) tree(h.template());
    for (var t : List.of(before, after)) {
      var spec = (ObjectNode) t.get("spec");
      spec.remove("volumes");
      for (String list : List.of("containers", "initContainers")) {
        if (spec.has(list)) {
          spec.get(list).forEach(c -> {
            ((ObjectNode) c).remove("volumeMounts");
            ((ObjectNode) c).remove("terminationMessagePolicy");
            var sc = c.get("securityContext");
            if (sc instanceof ObjectNode o) {
              o.remove("readOnlyRootFilesystem");
              if (o.isEmpty()) {
                ((ObjectNode) c).remove("securityContext");
              }
            }
          });
        }
      }
    }
    assertThat(after).as(doc.describe() + " nothing else changed").isEqualTo(before);
    // and the original volumes and mounts are all still there, in order
    var origVolumes = original.getSpec().getVolumes();
    assertThat(h.template().getSpec().getVolumes().subList(0, origVolumes.size())).isEqualTo(origVolumes);
  }
}
