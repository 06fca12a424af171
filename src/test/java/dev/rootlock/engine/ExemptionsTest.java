package dev.rootlock.engine;

import static dev.rootlock.testing.Manifests.rules;
import static dev.rootlock.testing.Manifests.template;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Containers exempt by name or image: left exactly as they are, and the workload still compliant. */
class ExemptionsTest {
  final Hardener hardener = new Hardener();
  static final PodTemplateSpec MESHED = template("""
      spec:
        containers:
        - {name: app, image: registry.example.com/shop/app:1.4}
        - {name: istio-proxy, image: docker.io/istio/proxyv2:1.22.0}
        - {name: agent, image: quay.io/vendor/vendor-agent:7}""");

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource(delimiter = '|', textBlock = """
      istio-*            | istio-proxy    | true
      istio-*            | istio          | false
      linkerd-proxy      | linkerd-proxy  | true
      ?pp                | app            | true
      */vendor-agent:*   | quay.io/vendor/vendor-agent:7 | true
      */vendor-agent:*   | vendor-agent:7 | false
      *vendor-agent:*    | vendor-agent:7 | true
      docker.io/*        | docker.io/istio/proxyv2:1.22.0 | true
      app.io/x           | appxio/x       | false
      """)
  void globsMatchWholeValuesAndStarCrossesSlashes(String glob, String value, boolean matches) {
    assertThat(Globs.compile(glob).matches(value)).isEqualTo(matches);
  }

  @Test
  void exemptContainersAreLeftExactlyAsTheyAreAndNamedInTheMessage() {
    Hardening h = hardener.harden(MESHED, rules("{excludeContainers: [istio-*], excludeImages: ['*/vendor-agent:*']}"),
        RevertRecord.EMPTY);
    var containers = h.template().getSpec().getContainers();
    assertThat(containers.get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    for (Container exempt : containers.subList(1, 3)) {
      assertThat(tree(exempt)).isEqualTo(tree(MESHED.getSpec().getContainers().stream()
          .filter(c -> c.getName().equals(exempt.getName())).findFirst().orElseThrow()));
    }
    assertThat(h.notes()).contains("container istio-proxy: exempt (spec.excludeContainers: istio-*), left as it is")
        .contains("container agent: exempt (spec.excludeImages: */vendor-agent:*), left as it is");
    assertThat(h.record().containers()).containsOnlyKeys("app");
  }

  @Test
  void aContainerThatBecomesExemptIsRestoredExactly() {
    Hardening all = hardener.harden(MESHED, rules("{}"), RevertRecord.EMPTY);
    Hardening later = hardener.harden(all.template(), rules("{excludeContainers: [istio-proxy, agent]}"),
        all.record());
    assertThat(tree(later.template().getSpec().getContainers().get(1)))
        .isEqualTo(tree(MESHED.getSpec().getContainers().get(1)));
    assertThat(tree(hardener.revert(later.template(), later.record()).template())).isEqualTo(tree(MESHED));
  }

  @Test
  void everyContainerExemptIsNothingToHarden() {
    Hardening h = hardener.harden(MESHED, rules("{excludeImages: ['*']}"), RevertRecord.EMPTY);
    assertThat(h.changed()).isFalse();
    assertThat(h.findings(Finding.Kind.NOTHING_TO_HARDEN)).hasSize(1);
  }
}
