package dev.rootlock.engine;

import static dev.rootlock.testing.Manifests.rules;
import static dev.rootlock.testing.Manifests.template;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import org.junit.jupiter.api.Test;

/** spec.medium: Disk emptyDirs, switching media, and the revert record that remembers which. */
class MediumTest {
  final Hardener hardener = new Hardener();
  static final PodTemplateSpec APP = template("spec: {containers: [{name: app, image: x}]}");

  @Test
  void diskEmptyDirsHaveTheSizeLimitAndNoMedium() throws Exception {
    Hardening h = hardener.harden(APP, rules("{medium: Disk, sizeLimit: 2Gi}"), RevertRecord.EMPTY);
    Volume v = h.template().getSpec().getVolumes().get(0);
    assertThat(v.getEmptyDir().getMedium()).isNull();
    assertThat(v.getEmptyDir().getSizeLimit().toString()).isEqualTo("2Gi");
    assertThat(h.changeSummary()).contains("writable (disk): app:/tmp");
    assertThat(h.record().toJson()).startsWith("{\"v\":3,").contains("\"medium\":\"Disk\"");
    assertThat(RevertRecord.parse(h.record().toJson())).isEqualTo(h.record());
    assertThat(tree(hardener.revert(h.template(), h.record()).template())).isEqualTo(tree(APP));
    assertThat(hardener.harden(h.template(), rules("{medium: Disk, sizeLimit: 2Gi}"), h.record()).changed())
        .as("idempotent").isFalse();
  }

  @Test
  void memoryRecordsStayVersionTwoSoAnOlderOperatorStillReadsThem() {
    Hardening h = hardener.harden(APP, rules("{}"), RevertRecord.EMPTY);
    assertThat(h.record().toJson()).startsWith("{\"v\":2,").doesNotContain("medium");
  }

  @Test
  void switchingTheMediumReplacesRootlocksVolumeUnderTheSameName() {
    Hardening memory = hardener.harden(APP, rules("{}"), RevertRecord.EMPTY);
    Hardening disk = hardener.harden(memory.template(), rules("{medium: Disk}"), memory.record());
    Volume before = memory.template().getSpec().getVolumes().get(0);
    Volume after = disk.template().getSpec().getVolumes().get(0);
    assertThat(after.getName()).isEqualTo(before.getName());
    assertThat(before.getEmptyDir().getMedium()).isEqualTo("Memory");
    assertThat(after.getEmptyDir().getMedium()).isNull();
    assertThat(tree(hardener.revert(disk.template(), disk.record()).template())).isEqualTo(tree(APP));
  }

  @Test
  void aMediumInAnOlderVersionOrAnUnknownMediumIsNotTrusted() {
    assertThatThrownBy(() -> RevertRecord.parse("{\"v\":2,\"injections\":[{\"container\":\"app\",\"path\":\"/tmp\","
        + "\"volume\":\"rl-app-tmp-cdbfbd\",\"sizeLimit\":\"64Mi\",\"medium\":\"Disk\"}]}"))
        .isInstanceOf(RevertRecord.InvalidRevertRecordException.class);
    assertThatThrownBy(() -> RevertRecord.parse("{\"v\":3,\"injections\":[{\"container\":\"app\",\"path\":\"/tmp\","
        + "\"volume\":\"rl-app-tmp-cdbfbd\",\"sizeLimit\":\"64Mi\",\"medium\":\"HugePages\"}]}"))
        .isInstanceOf(RevertRecord.InvalidRevertRecordException.class);
  }
}
