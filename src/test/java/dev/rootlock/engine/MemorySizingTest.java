package dev.rootlock.engine;

import static dev.rootlock.testing.Manifests.rules;
import static dev.rootlock.testing.Manifests.template;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The memory-sizing arithmetic and what the hardener does with a risk. */
class MemorySizingTest {
  final Hardener hardener = new Hardener();

  static PodTemplateSpec app(String limit, String extra) {
    return template("""
        spec:
          containers: [{name: app, image: x%s%s}]
          volumes: [{name: data, emptyDir: {medium: Memory, sizeLimit: 128Mi}}]""".formatted(
        limit == null ? "" : ", resources: {limits: {memory: \"" + limit + "\"}}", extra));
  }

  @ParameterizedTest(name = "{0} limit, {1} per path x2 paths")
  @CsvSource(delimiter = '|', textBlock = """
      256Mi      | 64Mi  | -
      256Mi      | 96Mi  | tmpfs may use up to 192Mi of app's 256Mi limit
      268435456  | 96Mi  | tmpfs may use up to 192Mi of app's 268435456 limit
      0.25Gi     | 96Mi  | tmpfs may use up to 192Mi of app's 0.25Gi limit
      256M       | 60Mi  | -
      256M       | 64Mi  | tmpfs may use up to 128Mi of app's 256M limit
      1Gi        | 256Mi | -
      1Gi        | 257Mi | tmpfs may use up to 514Mi of app's 1Gi limit
      1536Mi     | 512Mi | tmpfs may use up to 1Gi of app's 1536Mi limit
      2e9        | 1Gi   | tmpfs may use up to 2Gi of app's 2e9 limit
      512Ki      | 64Ki  | -
      -          | 64Mi  | tmpfs may use up to 128Mi and app has no memory limit
      """)
  void warnsAboveHalfTheLimitInEveryUnit(String limit, String size, String warning) {
    PodTemplateSpec t = app(limit.equals("-") ? null : limit, "");
    Hardening h = hardener.harden(t, rules("{tmpPaths: [/tmp], cachePaths: [/var/cache/app], sizeLimit: " + size
        + "}"), RevertRecord.EMPTY);
    assertThat(h.warnings()).isEqualTo(warning.equals("-") ? java.util.List.of() : java.util.List.of(warning));
    assertThat(h.changed()).as("a warning, not a block").isTrue();
  }

  @Test
  void theContainersOwnMemoryEmptyDirsCountAndDiskOnesDoNot() {
    PodTemplateSpec t = template("""
        spec:
          containers: [{name: app, image: x, resources: {limits: {memory: 256Mi}},
            volumeMounts: [{name: cache, mountPath: /cache}, {name: disk, mountPath: /disk}, {name: cfg, mountPath: /cfg}]}]
          volumes: [{name: cache, emptyDir: {medium: Memory, sizeLimit: 100Mi}}, {name: disk, emptyDir: {sizeLimit: 1Gi}},
            {name: cfg, configMap: {name: app}}]""");
    assertThat(hardener.harden(t, rules("{sizeLimit: 32Mi}"), RevertRecord.EMPTY).warnings())
        .containsExactly("tmpfs may use up to 132Mi of app's 256Mi limit");
    assertThat(hardener.harden(t, rules("{sizeLimit: 32Mi, medium: Disk}"), RevertRecord.EMPTY).warnings())
        .as("only its own 100Mi is in memory now").isEmpty();
  }

  @Test
  void anUnboundedMemoryEmptyDirIsARiskWhateverTheLimit() {
    PodTemplateSpec t = template("""
        spec:
          containers: [{name: app, image: x, resources: {limits: {memory: 4Gi}},
            volumeMounts: [{name: scratch, mountPath: /scratch}]}]
          volumes: [{name: scratch, emptyDir: {medium: Memory}}]""");
    assertThat(hardener.harden(t, rules("{}"), RevertRecord.EMPTY).warnings())
        .containsExactly("memory emptyDir scratch has no sizeLimit: tmpfs may use all of app's 4Gi limit");
  }

  @Test
  void initContainersCountWhenTheyAreHardened() {
    PodTemplateSpec t = template("""
        spec:
          initContainers: [{name: setup, image: x, resources: {limits: {memory: 64Mi}}}]
          containers: [{name: app, image: x, resources: {limits: {memory: 1Gi}}}]""");
    assertThat(hardener.harden(t, rules("{}"), RevertRecord.EMPTY).warnings()).isEmpty();
    assertThat(hardener.harden(t, rules("{initContainers: true}"), RevertRecord.EMPTY).warnings())
        .containsExactly("tmpfs may use up to 64Mi of setup's 64Mi limit");
  }

  @Test
  void theShareIsTheSpecs() {
    PodTemplateSpec t = app("256Mi", "");
    assertThat(hardener.harden(t, rules("{sizeLimit: 64Mi, memoryShareWarning: 20}"), RevertRecord.EMPTY).warnings())
        .containsExactly("tmpfs may use up to 64Mi of app's 256Mi limit");
  }

  @Test
  void skipLeavesARiskyWorkloadUnhardenedAndUndoesAnEarlierHardening() {
    PodTemplateSpec t = app("100Mi", "");
    Hardening skipped = hardener.harden(t, rules("{onMemoryRisk: Skip}"), RevertRecord.EMPTY);
    assertThat(skipped.changed()).as("%s", skipped).isFalse();
    assertThat(skipped.skipped()).isTrue();
    assertThat(skipped.notes()).contains("warning: tmpfs may use up to 64Mi of app's 100Mi limit")
        .contains("not hardened (spec.onMemoryRisk: Skip)");

    Hardening earlier = hardener.harden(t, rules("{}"), RevertRecord.EMPTY);
    assertThat(earlier.changed()).isTrue();
    Hardening undone = hardener.harden(earlier.template(), rules("{onMemoryRisk: Skip}"), earlier.record());
    assertThat(tree(undone.template())).isEqualTo(tree(t));
    assertThat(undone.record().isEmpty()).isTrue();
  }

  @Test
  void formatsBytesAsPeopleWriteThem() {
    assertThat(MemorySizing.format(java.math.BigInteger.valueOf(192L << 20))).isEqualTo("192Mi");
    assertThat(MemorySizing.format(java.math.BigInteger.valueOf(3L << 30))).isEqualTo("3Gi");
    assertThat(MemorySizing.format(java.math.BigInteger.valueOf(1000))).isEqualTo("1000");
    assertThat(MemorySizing.bytes(new io.fabric8.kubernetes.api.model.Quantity("1.5Gi")))
        .isEqualTo(java.math.BigInteger.valueOf(3L << 29));
  }
}
