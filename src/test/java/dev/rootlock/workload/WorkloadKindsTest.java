package dev.rootlock.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The kinds table says the same thing twice (typed and as a pointer): both must agree. */
class WorkloadKindsTest {
  @ParameterizedTest
  @EnumSource(TestKind.class)
  void theTypedTemplateIsTheOneAtTheTemplatePointer(TestKind kind) {
    var o = kind.web("web");
    JsonNode atPointer = Manifests.tree(o).at(kind.model().templatePointer());
    assertThat(atPointer.isMissingNode()).isFalse();
    assertThat(atPointer).isEqualTo(Manifests.tree(kind.model().template(o)));
    assertThat(WorkloadKinds.of(o.getApiVersion(), o.getKind())).contains(kind.model());
  }

  @Test
  void jobsAndPodsHaveTheirTemplatesTooAndOtherVersionsOfAGroupCount() {
    Job job = Manifests.parse("{apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {template: "
        + "{spec: {containers: [{name: app}]}}}}", Job.class);
    assertThat(Manifests.tree(job).at(WorkloadKinds.JOB.templatePointer()))
        .isEqualTo(Manifests.tree(WorkloadKinds.JOB.template(job)));
    Pod pod = Manifests.parse("{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {a: b}}, "
        + "spec: {containers: [{name: app}]}}", Pod.class);
    assertThat(WorkloadKinds.POD.template(pod).getSpec()).isSameAs(pod.getSpec());
    assertThat(WorkloadKinds.POD.template(pod).getMetadata()).isSameAs(pod.getMetadata());

    assertThat(WorkloadKinds.of("batch/v1beta1", "CronJob")).contains(WorkloadKinds.CRON_JOB);
    assertThat(WorkloadKinds.of("apps/v1beta2", "DaemonSet")).contains(WorkloadKinds.DAEMON_SET);
    assertThat(WorkloadKinds.of("v1", "Pod")).contains(WorkloadKinds.POD);
    assertThat(WorkloadKinds.of("example.com/v1", "Deployment")).isEmpty();
    assertThat(WorkloadKinds.of("apps/v1", "ReplicaSet")).isEmpty();
  }

  @Test
  void theOperatorHardensFourKindsAndReportsJobs() {
    assertThat(WorkloadKinds.HARDENED).extracting(WorkloadKind::kind)
        .containsExactly("Deployment", "StatefulSet", "DaemonSet", "CronJob");
    assertThat(WorkloadKinds.HARDENED).allMatch(k -> k.rollout() != null && k.isHardened());
    assertThat(WorkloadKinds.JOB.isHardened()).isFalse();
    assertThat(WorkloadKinds.WATCHED).contains(WorkloadKinds.JOB).doesNotContain(WorkloadKinds.POD);
  }
}
