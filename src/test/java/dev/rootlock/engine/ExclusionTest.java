package dev.rootlock.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.Manifests;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExclusionTest {
  @Test
  void theAnnotationAndWindowsPodsExcludeAndNothingElseDoes() {
    var linux = Manifests.template("{spec: {containers: [{name: app}]}}");
    var windows = Manifests.template("{spec: {os: {name: windows}, containers: [{name: app}]}}");
    var linuxNamed = Manifests.template("{spec: {os: {name: linux}, containers: [{name: app}]}}");

    assertThat(Exclusion.reason(Map.of(), Map.of(), linux)).isNull();
    assertThat(Exclusion.reason(null, null, linuxNamed)).isNull();
    assertThat(Exclusion.reason(Map.of(), Map.of("rootlock.dev/exclude", "TRUE"), linux))
        .isEqualTo("annotated rootlock.dev/exclude=true");
    assertThat(Exclusion.reason(Map.of(), Map.of("rootlock.dev/exclude", "no"), linux)).isNull();
    assertThat(Exclusion.reason(Map.of(), Map.of(), windows)).isEqualTo("runs on Windows (spec.os.name: windows), where "
        + "containers cannot have a read-only root filesystem");
    assertThat(Exclusion.reason(Map.of(), Map.of(), null)).isNull();
  }

  @Test
  void theLabelExcludesAsTheAnnotationDoesAndTheAnnotationIsNamedFirst() {
    var linux = Manifests.template("{spec: {containers: [{name: app}]}}");
    var optedOut = Map.of("rootlock.dev/exclude", "True");

    assertThat(Exclusion.reason(optedOut, Map.of(), linux)).isEqualTo("labelled rootlock.dev/exclude=true");
    assertThat(Exclusion.reason(optedOut, null, null)).as("a Compose service: labels only, no template")
        .isEqualTo("labelled rootlock.dev/exclude=true");
    assertThat(Exclusion.reason(optedOut, optedOut, linux)).isEqualTo("annotated rootlock.dev/exclude=true");
    assertThat(Exclusion.reason(Map.of("rootlock.dev/exclude", "false"), Map.of(), linux)).isNull();
    assertThat(Exclusion.reason(Map.of("tier", "true"), Map.of(), linux)).as("another key").isNull();
  }
}
