package dev.rootlock.e2e;

import static org.awaitility.Awaitility.await;

import dev.rootlock.api.ReadOnlyPolicy;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;

/**
 * A namespace of the suite's own, created for a test class and deleted after it (the real
 * namespace controller then removes everything in it: the workloads, their pods, Events).
 */
final class TestNamespace implements AutoCloseable {
  private final KubernetesClient admin;
  private final String name;

  private TestNamespace(KubernetesClient admin, String name) {
    this.admin = admin;
    this.name = name;
  }

  /**
   * Creates {@code e2e-<name>}, waiting first for an earlier one of that name to be gone. An earlier
   * run killed before its teardown leaves policies whose revert-on-delete finalizer no operator
   * will remove any more: those finalizers are dropped so that the namespace can go.
   */
  static TestNamespace create(E2ECluster cluster, String name) {
    String full = "e2e-" + name;
    KubernetesClient admin = cluster.admin();
    if (admin.namespaces().withName(full).get() != null) {
      admin.namespaces().withName(full).delete();
      admin.resources(ReadOnlyPolicy.class).inNamespace(full).list().getItems().forEach(p ->
          admin.resources(ReadOnlyPolicy.class).inNamespace(full).withName(p.getMetadata().getName())
              .edit(q -> { q.getMetadata().setFinalizers(List.of()); return q; }));
    }
    await("namespace " + full + " from an earlier run gone").atMost(Duration.ofMinutes(2))
        .until(() -> admin.namespaces().withName(full).get() == null);
    admin.resource(new NamespaceBuilder().withNewMetadata().withName(full).addToLabels("rootlock.dev/e2e", "true")
        .endMetadata().build()).create();
    await("default ServiceAccount in " + full).atMost(Duration.ofSeconds(30))
        .until(() -> admin.serviceAccounts().inNamespace(full).withName("default").get() != null);
    return new TestNamespace(admin, full);
  }

  String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }

  /** Deletes the namespace and waits until it is gone: call it while the operator still runs (its finalizers). */
  @Override
  public void close() {
    admin.namespaces().withName(name).delete();
    await("namespace " + name + " gone").atMost(Duration.ofMinutes(2))
        .until(() -> admin.namespaces().withName(name).get() == null);
  }
}
