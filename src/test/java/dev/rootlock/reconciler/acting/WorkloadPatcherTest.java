package dev.rootlock.reconciler.acting;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rootlock.testing.Fixtures;
import dev.rootlock.testing.TestKind;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@EnableKubernetesMockClient(crud = true)
class WorkloadPatcherTest {
  KubernetesClient client;
  io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;

  @ParameterizedTest
  @EnumSource(TestKind.class)
  void patchChangesExactlyTheTemplateFieldAtTheKindsTemplatePath(TestKind kind) {
    Workload read = new Workload(kind.model(), client.resource(kind.build("web", "{tier: web}",
        "{containers: [{name: app, image: nginx}]}")).create());
    PodTemplateSpec hardened = new PodTemplateSpecBuilder(read.template()).editSpec().editFirstContainer()
        .withNewSecurityContext().withReadOnlyRootFilesystem(true).endSecurityContext()
        .endContainer().endSpec().build();
    WorkloadPatcher patcher = new WorkloadPatcher(client);

    var ops = patcher.diff(read, hardened, read.annotations());
    Workload written = patcher.patch(read, ops);

    assertThat(ops).hasSize(1);
    assertThat(ops.get(0).get("path").asText())
        .isEqualTo(kind.model().templatePointer() + "/spec/containers/0/securityContext");
    assertThat(written.template().getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem())
        .isTrue();
    assertThat(written.resourceVersion()).isNotEqualTo(read.resourceVersion());
    assertThat(written.generation()).as("a template change is a spec change").isEqualTo(read.generation() + 1);
  }

  @Test
  void annotationsAreOpsOfTheirOwnAndNoAnnotationsIsNoOp() {
    Workload read = new Workload(WorkloadKinds.DEPLOYMENT, client.resource(web("web")).create());
    WorkloadPatcher patcher = new WorkloadPatcher(client);
    assertThat(patcher.diff(read, read.template(), Map.of())).as("none and empty are the same").isEmpty();

    var ops = patcher.diff(read, read.template(), Map.of("rootlock.dev/owner", "p"));
    Workload written = patcher.patch(read, ops);

    assertThat(ops).hasSize(1);
    assertThat(ops.get(0).get("path").asText()).isEqualTo("/metadata/annotations");
    assertThat(written.annotations()).containsExactly(Map.entry("rootlock.dev/owner", "p"));
    assertThat(written.generation()).as("metadata only: no rollout").isEqualTo(read.generation());
    Map<String, String> more = new HashMap<>(written.annotations());
    more.put("rootlock.dev/revert", "{}");
    assertThat(patcher.diff(written, written.template(), more)).singleElement()
        .satisfies(op -> assertThat(op.get("path").asText()).isEqualTo("/metadata/annotations/rootlock.dev~1revert"));
  }

  @Test
  void aPatchIsOneRequestWithoutAReadFirst() throws InterruptedException {
    Workload read = new Workload(WorkloadKinds.DEPLOYMENT, client.resource(web("web")).create());
    WorkloadPatcher patcher = new WorkloadPatcher(client);
    int before = server.getRequestCount();

    patcher.patch(read, patcher.diff(read, read.template(), Map.of("a", "b")));

    assertThat(server.getRequestCount() - before).isEqualTo(1);
    var last = server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
    while (server.getRequestCount() > 0 && last != null && !"PATCH".equals(last.getMethod())) {
      last = server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(last).isNotNull();
    assertThat(last.getMethod()).isEqualTo("PATCH");
  }

  @Test
  void patchComputedFromAStaleReadIsRefusedAndWritesNothing() {
    Deployment stale = client.resource(web("web")).create();
    client.apps().deployments().inNamespace(NS).withName("web")
        .edit(d -> new DeploymentBuilder(d).editMetadata().addToLabels("edited", "by-someone").endMetadata().build());
    Workload read = new Workload(WorkloadKinds.DEPLOYMENT, stale);
    WorkloadPatcher patcher = new WorkloadPatcher(client);

    var e = catchThrowableOfType(KubernetesClientException.class,
        () -> patcher.patch(read, patcher.diff(read, read.template(), Map.of("x", "y"))));

    assertThat(e.getCode()).isIn(409, 422);
    Workload now = patcher.read(read);
    assertThat(now.annotations()).isEmpty();
    assertThat(now.labels()).containsEntry("edited", "by-someone");
    assertThat(Fixtures.NS).isEqualTo(now.namespace());
  }
}
