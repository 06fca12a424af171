package dev.rootlock.operator;

import dev.rootlock.api.Annotations;
import dev.rootlock.reconciler.ReadOnlyPolicyReconciler;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;

/** Builds the JOSDK Operator with Rootlock's one controller; used by the CLI and by the tests. */
public final class RootlockOperator {
  private RootlockOperator() {}

  /** A client for {@code config} whose every write carries the {@code rootlock} field manager. */
  public static KubernetesClient client(Config config) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(FieldManagerInterceptor.NAME,
            new FieldManagerInterceptor(Annotations.FIELD_MANAGER)))
        .build();
  }

  /** The operator, owning a client built for {@code config}; stopping it closes the client. */
  public static Operator create(Config config, Settings settings) {
    KubernetesClient client = client(config);
    Operator operator = new Operator(o -> o
        .withKubernetesClient(client)
        // JSON Patch instead of server-side apply for finalizer and status writes: accepted by
        // every API server, and exactly reproducible in tests.
        .withUseSSAToPatchPrimaryResource(false)
        .withCloseClientOnStop(true)
        .withStopOnInformerErrorDuringStartup(true));
    operator.register(new ReadOnlyPolicyReconciler(), c -> {
      c.withReconciliationMaxInterval(settings.resync());
      c.withFieldManager(Annotations.FIELD_MANAGER);
      if (settings.namespaces().isEmpty()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(settings.namespaces());
      }
    });
    return operator;
  }
}
