package dev.rootlock.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.metrics.RootlockMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@EnableKubernetesMockClient(crud = true)
class RequestTimerTest {
  KubernetesClient mockClient;
  io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;

  @Test
  void everyRequestButWatchesIsTimedByMethodAndResource() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (KubernetesClient client = client(registry)) {
      ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace("a").endMetadata()
          .addToData("k", "v").build();
      client.resource(cm).create();
      // resource(...).patch, not withName(...).patch: that one GETs the object first
      client.resource(cm).patch(PatchContext.of(PatchType.JSON),
          "[{\"op\":\"add\",\"path\":\"/data/k\",\"value\":\"w\"}]");
      client.configMaps().inNamespace("a").withName("c").get();
      try (var watch = client.configMaps().inNamespace("a").watch(new Watcher<>() {
        @Override
        public void eventReceived(Action action, ConfigMap resource) {}

        @Override
        public void onClose(WatcherException cause) {}
      })) {
        client.configMaps().inNamespace("a").list();
      }
      client.apps().deployments().inNamespace("a").withName("missing").get(); // 404: timed too

      assertThat(timer(registry, "POST", "configmaps").count()).isEqualTo(1);
      assertThat(timer(registry, "PATCH", "configmaps").count()).isEqualTo(1);
      assertThat(timer(registry, "GET", "configmaps").count()).as("the get and the list; not the watch").isEqualTo(2);
      assertThat(timer(registry, "GET", "deployments").count()).isEqualTo(1);
      assertThat(timer(registry, "PATCH", "configmaps").totalTime(TimeUnit.NANOSECONDS)).isPositive();
      assertThat(registry.find(RootlockMetrics.API_REQUEST).timers()).hasSize(4);
    }
  }

  @Test
  void theFieldManagerIsStillAddedBesideTheTimer() throws InterruptedException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (KubernetesClient client = client(registry)) {
      Deployment d = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata().withName("d")
          .withNamespace("a").endMetadata().build();
      client.resource(d).create();
      assertThat(server.getLastRequest().getPath()).endsWith("?fieldManager=rootlock");
      assertThat(timer(registry, "POST", "deployments").count()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @CsvSource({
      "/apis/apps/v1/namespaces/team-a/deployments/web, deployments",
      "/apis/apps/v1/namespaces/team-a/deployments, deployments",
      "/apis/apps/v1/deployments, deployments",
      "/apis/rootlock.dev/v1alpha1/namespaces/a/readonlypolicies/web/status, readonlypolicies/status",
      "/api/v1/namespaces/a/pods/p/log, pods/log",
      "/api/v1/namespaces/a, namespaces",
      "/api/v1/namespaces, namespaces",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.rootlock.dev, customresourcedefinitions",
      "/api/v1/nodes/n1/status, nodes/status",
      "/version, other",
      "/apis, other",
      "/apis/apps/v1, other"
  })
  void aPathIsNamedByItsResourceNeverByNameOrNamespace(String path, String resource) {
    assertThat(RequestTimer.resource(path)).isEqualTo(resource);
  }

  /** The operator's client, against the mock server, timing into {@code registry}. */
  private KubernetesClient client(SimpleMeterRegistry registry) {
    return ApiServerClient.build(mockClient.getConfiguration(), new RootlockMetrics(registry));
  }

  private static Timer timer(SimpleMeterRegistry registry, String method, String resource) {
    Timer t = registry.find(RootlockMetrics.API_REQUEST).tags("method", method, "resource", resource).timer();
    assertThat(t).as(method + " " + resource).isNotNull();
    return t;
  }
}
