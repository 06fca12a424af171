package dev.rootlock.reconciler;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class DeploymentPatcherTest {
  KubernetesClient client;
  io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;

  @Test
  void patchChangesExactlyTheDiffedFields() {
    Deployment read = client.resource(web("web")).create();
    Deployment desired = new DeploymentBuilder(read).editSpec().editTemplate().editSpec().editFirstContainer()
        .withNewSecurityContext().withReadOnlyRootFilesystem(true).endSecurityContext()
        .endContainer().endSpec().endTemplate().endSpec().build();
    DeploymentPatcher patcher = new DeploymentPatcher(client);

    var ops = patcher.diff(read, desired);
    Deployment written = patcher.patch(read, ops);

    assertThat(ops).hasSize(1);
    assertThat(ops.get(0).get("path").asText()).isEqualTo("/spec/template/spec/containers/0/securityContext");
    assertThat(written.getSpec().getTemplate().getSpec().getContainers().get(0)
        .getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(written.getMetadata().getResourceVersion()).isNotEqualTo(read.getMetadata().getResourceVersion());
  }

  @Test
  void aPatchIsOneRequestWithoutAReadFirst() throws InterruptedException {
    Deployment read = client.resource(web("web")).create();
    Deployment desired = new DeploymentBuilder(read).editSpec().withReplicas(3).endSpec().build();
    DeploymentPatcher patcher = new DeploymentPatcher(client);
    int before = server.getRequestCount();

    patcher.patch(read, patcher.diff(read, desired));

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
    Deployment desired = new DeploymentBuilder(stale).editSpec().withReplicas(7).endSpec().build();
    DeploymentPatcher patcher = new DeploymentPatcher(client);

    var e = catchThrowableOfType(KubernetesClientException.class,
        () -> patcher.patch(stale, patcher.diff(stale, desired)));

    assertThat(e.getCode()).isIn(409, 422);
    Deployment now = patcher.read(NS, "web");
    assertThat(now.getSpec().getReplicas()).isEqualTo(1);
    assertThat(now.getMetadata().getLabels()).containsEntry("edited", "by-someone");
  }
}
