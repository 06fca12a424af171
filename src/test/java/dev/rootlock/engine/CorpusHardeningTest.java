package dev.rootlock.engine;

import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.testing.Corpus;
import dev.rootlock.testing.EngineInvariants;
import dev.rootlock.testing.Manifests;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every Deployment in ../shared/corpus, hardened with tmpPaths [/tmp] and cachePaths [/var/cache],
 * comes out compliant with no other pod-template change, and reverts exactly.
 */
class CorpusHardeningTest {
  private final Hardener hardener = new Hardener();
  private final PolicyRules rules = Manifests.rules("{tmpPaths: [/tmp], cachePaths: [/var/cache]}");

  @Test
  void everyCorpusDeploymentHardensCompliantAndRevertsExactly() {
    List<Corpus.Document> deployments = Corpus.documents().stream()
        .filter(d -> d.kind().equals("Deployment")).toList();
    assertThat(deployments).as("the corpus holds Deployments").hasSizeGreaterThan(20);
    List<String> checked = new ArrayList<>();

    for (Corpus.Document doc : deployments) {
      PodTemplateSpec original = Manifests.SERIALIZATION.convertValue(doc.node(), Deployment.class)
          .getSpec().getTemplate();
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
    }
    System.out.println("corpus: hardened and reverted " + checked.size() + " Deployments");
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
