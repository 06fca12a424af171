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

    assertThat(Exclusion.reason(Map.of(), linux)).isNull();
    assertThat(Exclusion.reason(null, linuxNamed)).isNull();
    assertThat(Exclusion.reason(Map.of("rootlock.dev/exclude", "TRUE"), linux))
        .isEqualTo("annotated rootlock.dev/exclude=true");
    assertThat(Exclusion.reason(Map.of("rootlock.dev/exclude", "no"), linux)).isNull();
    assertThat(Exclusion.reason(Map.of(), windows)).isEqualTo("runs on Windows (spec.os.name: windows), where "
        + "containers cannot have a read-only root filesystem");
    assertThat(Exclusion.reason(Map.of(), null)).isNull();
  }
}
