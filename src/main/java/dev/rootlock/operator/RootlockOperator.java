package dev.rootlock.operator;

import dev.rootlock.reconciler.ReadOnlyPolicyReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;

/** Builds the JOSDK Operator with Rootlock's one controller; used by the CLI and by the tests. */
public final class RootlockOperator {
  private RootlockOperator() {}

  public static Operator create(KubernetesClient client, Settings settings) {
    Operator operator = new Operator(o -> o
        .withKubernetesClient(client)
        // JSON Patch instead of server-side apply for finalizer and status writes: accepted by
        // every API server, and exactly reproducible in tests.
        .withUseSSAToPatchPrimaryResource(false)
        .withCloseClientOnStop(false)
        .withStopOnInformerErrorDuringStartup(true));
    operator.register(new ReadOnlyPolicyReconciler(), c -> {
      c.withReconciliationMaxInterval(settings.resync());
      if (settings.namespaces().isEmpty()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(settings.namespaces());
      }
    });
    return operator;
  }
}
