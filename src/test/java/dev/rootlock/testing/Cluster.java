package dev.rootlock.testing;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fabric8 mock API server (CRUD mode) with Rootlock's CRD installed, plus helpers to run the
 * real operator against it and to count the requests it makes.
 */
public final class Cluster implements AutoCloseable {
  public static final Path GENERATED_CRD =
      Path.of("target/classes/META-INF/fabric8/readonlypolicies.rootlock.dev-v1.yml");

  private final MockApiServer api;
  private final KubernetesClient client;
  private final ClusterControllers controllers;
  private RootlockOperator operator;

  public Cluster() {
    this.api = new MockApiServer();
    this.client = api.client();
    try {
      // The mock honours the status subresource only for CRDs it knows.
      client.resource(Manifests.parse(Files.readString(GENERATED_CRD), CustomResourceDefinition.class)).create();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("run the build first: " + GENERATED_CRD + " is generated", e);
    }
    this.controllers = new ClusterControllers(api);
  }

  /** The stand-in controllers and kubelet: every rollout succeeds unless an app says otherwise. */
  public ClusterControllers controllers() {
    return controllers;
  }

  /**
   * Writes a kubeconfig for this mock server (no TLS check, a dummy token) with {@code namespace}
   * as the context's namespace, for a process started outside this JVM; returns {@code file}.
   */
  public Path writeKubeconfig(Path file, String namespace) throws java.io.IOException {
    return Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: mock, context: {cluster: mock, user: u, namespace: %s}}]
        current-context: mock
        """.formatted(client().getConfiguration().getMasterUrl(), namespace));
  }

  public KubernetesClient client() {
    return client;
  }

  public KubernetesMockServer server() {
    return api.server();
  }

  public MockApiServer api() {
    return api;
  }

  @Override
  public void close() {
    stopOperator();
    controllers.close();
    api.close();
  }

  public RootlockOperator startOperator() {
    return startOperator(Settings.defaults());
  }

  /**
   * How long a followed rollout stands still before the operator lists its pods, in this cluster:
   * the stand-ins' pods start or crash within a second or two, so the product's default
   * ({@link Settings#DEFAULT_POD_LOOK_AFTER}) would only make every crash test wait for it.
   */
  public static final Duration POD_LOOK_AFTER = Duration.ofMillis(700);

  /** Starts the operator with {@code settings}; the default pod look is shortened ({@link #POD_LOOK_AFTER}). */
  public RootlockOperator startOperator(Settings settings) {
    Settings here = settings.podLookAfter().equals(Settings.DEFAULT_POD_LOOK_AFTER)
        ? settings.withPodLookAfter(POD_LOOK_AFTER) : settings;
    operator = RootlockOperator.create(client.getConfiguration(), here);
    operator.start();
    return operator;
  }

  public void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  public Deployment create(Deployment d) {
    return client.resource(d).create();
  }

  /**
   * Edits a Deployment as a user would (kubectl edit): on a 409, because the stand-in controllers
   * or the operator wrote it meanwhile, it reads again and reapplies the change.
   */
  public Deployment edit(String namespace, String name, java.util.function.UnaryOperator<Deployment> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.apps().deployments().inNamespace(namespace).withName(name).edit(change);
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  /**
   * Edits a policy as a user would (kubectl edit): on a 409, because the operator wrote its status
   * meanwhile, it reads again and reapplies the change.
   */
  public ReadOnlyPolicy editPolicy(String namespace, String name, java.util.function.Consumer<ReadOnlyPolicy> change) {
    return editTyped(ReadOnlyPolicy.class, namespace, name, o -> change.accept((ReadOnlyPolicy) o));
  }

  /** Creates any workload (or other object) as given. */
  public <T extends io.fabric8.kubernetes.api.model.HasMetadata> T create(T o) {
    return client.resource(o).create();
  }

  /** The workload of {@code kind} named {@code name}, as the API server has it now; null when gone. */
  public io.fabric8.kubernetes.api.model.HasMetadata get(TestKind kind, String namespace, String name) {
    return client.resources(kind.model().type()).inNamespace(namespace).withName(name).get();
  }

  /** Its pod template, as the API server has it now. */
  public io.fabric8.kubernetes.api.model.PodTemplateSpec template(TestKind kind, String namespace, String name) {
    return kind.model().template(get(kind, namespace, name));
  }

  /** {@link #edit(String, String, java.util.function.UnaryOperator)} for a workload of any kind. */
  public io.fabric8.kubernetes.api.model.HasMetadata edit(TestKind kind, String namespace, String name,
      java.util.function.Consumer<io.fabric8.kubernetes.api.model.HasMetadata> change) {
    return editTyped(kind.model().type(), namespace, name, change);
  }

  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T editTyped(Class<T> type, String namespace,
      String name, java.util.function.Consumer<io.fabric8.kubernetes.api.model.HasMetadata> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.resources(type).inNamespace(namespace).withName(name).edit(o -> {
          change.accept(o);
          return o;
        });
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  public ReadOnlyPolicy create(ReadOnlyPolicy p) {
    return client.resource(p).create();
  }

  public Deployment deployment(String namespace, String name) {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  public ReadOnlyPolicy policy(String namespace, String name) {
    return client.resources(ReadOnlyPolicy.class).inNamespace(namespace).withName(name).get();
  }

  /** The status of a policy, which must exist and have one. */
  public dev.rootlock.api.ReadOnlyPolicyStatus status(String namespace, String policy) {
    ReadOnlyPolicy p = policy(namespace, policy);
    org.assertj.core.api.Assertions.assertThat(p).as("policy " + policy).isNotNull();
    org.assertj.core.api.Assertions.assertThat(p.getStatus()).as("status of " + policy).isNotNull();
    return p.getStatus();
  }

  /** One workload's entry in a policy's status. */
  public dev.rootlock.api.WorkloadStatus workload(String namespace, String policy, String name) {
    return status(namespace, policy).getWorkloads().stream().filter(w -> w.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in status of " + policy));
  }

  /** Every request the server received since the previous call, except the stand-in controllers'. */
  public List<RecordedRequest> takeRequests() {
    List<RecordedRequest> out = new ArrayList<>();
    try {
      RecordedRequest r;
      while ((r = api.server().takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
        if (!ClusterControllers.USER_AGENT.equals(r.getHeader("User-Agent"))) {
          out.add(r);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /** Writes (anything but GET) to Deployments among {@code requests}. */
  public static List<RecordedRequest> deploymentWrites(List<RecordedRequest> requests) {
    return requests.stream()
        .filter(r -> !"GET".equals(r.getMethod()))
        .filter(r -> r.getPath().contains("/deployments"))
        .toList();
  }

  /** Writes (anything but GET) to workloads of any kind Rootlock hardens among {@code requests}. */
  public static List<RecordedRequest> workloadWrites(List<RecordedRequest> requests) {
    return requests.stream()
        .filter(r -> !"GET".equals(r.getMethod()))
        .filter(r -> dev.rootlock.workload.WorkloadKinds.HARDENED.stream()
            .anyMatch(k -> r.getPath().contains("/" + k.plural() + "/") || r.getPath().endsWith("/" + k.plural())))
        .toList();
  }

  /** Waits a little so that any write the operator would make has been made. */
  public static void settle(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
