package dev.rootlock.reconciler.acting;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.round.WorkloadStep;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class WorkloadWriterTest {
  KubernetesClient client;

  /** What the writer told its listener, as "action result". */
  final List<String> failures = new ArrayList<>();
  final WorkloadWriter.Listener listener = new WorkloadWriter.Listener() {
    @Override
    public void written(ResourceID policy, Workload before, Workload after, RootlockMetrics.PatchAction action,
        String summary) {}

    @Override
    public void failed(ResourceID policy, Workload w, RootlockMetrics.PatchAction action,
        RootlockMetrics.PatchResult result) {
      failures.add(action + " " + result);
    }
  };

  @Test
  void aWorkloadDeletedSinceItWasReadIsGoneNotRejected() {
    // as when a namespace is deleted with its policy: the finalizer's revert meets a 404
    Workload read = new Workload(WorkloadKinds.DEPLOYMENT, client.resource(web("web")).create());
    client.apps().deployments().inNamespace(NS).withName("web").delete();
    WorkloadWriter writer = new WorkloadWriter(new WorkloadPatcher(client), listener);
    var ops = writer.patcher().diff(read, read.template(), Map.of("rootlock.dev/owner", "p"));

    WorkloadWriter.Attempt attempt = writer.write(new ResourceID("p", NS), read, ops,
        RootlockMetrics.PatchAction.revert, null);

    assertThat(attempt.written()).isNull();
    var outcome = ((WorkloadStep.Done) attempt.failed()).outcome();
    assertThat(outcome.isGone()).as("%s", outcome).isTrue();
    assertThat(outcome.transientFailure()).isFalse();
    assertThat(outcome.message()).doesNotContain("fix the", "exclude it");
    assertThat(failures).containsExactly("revert conflict");
  }
}
