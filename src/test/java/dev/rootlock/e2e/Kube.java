package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the end-to-end tests do to and read from the cluster, as a user would: apply YAML through
 * the API server (server-side, as kubectl does), read workloads back as the API server stored them
 * (after its defaulting) and read a policy's status.
 */
final class Kube {
  private final E2ECluster cluster;
  private final String namespace;

  Kube(E2ECluster cluster, String namespace) {
    this.cluster = cluster;
    this.namespace = namespace;
  }

  KubernetesClient admin() {
    return cluster.admin();
  }

  String namespace() {
    return namespace;
  }

  /** Applies one or more YAML documents in the namespace with kubectl, server-side. */
  void apply(String yaml) {
    apply(yaml, "e2e-user");
  }

  /** As {@link #apply(String)}, as field manager {@code manager} (taking over conflicting fields). */
  void apply(String yaml, String manager) {
    E2ECluster.Result r = cluster.kubectlWithInput(yaml, "-n", namespace, "apply", "--server-side",
        "--force-conflicts", "--field-manager=" + manager, "-f", "-");
    assertThat(r.exitCode()).as("kubectl apply:\n" + yaml + "\n" + r.output()).isZero();
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  /** apiVersion and where the pod template is, per kind: the API's contract, not Rootlock's code. */
  private static final Map<String, String[]> KINDS = Map.of(
      "Deployment", new String[] {"apps/v1", "/spec/template"},
      "StatefulSet", new String[] {"apps/v1", "/spec/template"},
      "DaemonSet", new String[] {"apps/v1", "/spec/template"},
      "CronJob", new String[] {"batch/v1", "/spec/jobTemplate/spec/template"},
      "Job", new String[] {"batch/v1", "/spec/template"});

  /** The workload as stored (null when absent), by kind ({@code Deployment}) and name, as JSON. */
  JsonNode workload(String kind, String name) {
    GenericKubernetesResource r = admin().genericKubernetesResources(KINDS.get(kind)[0], kind)
        .inNamespace(namespace).withName(name).get();
    return r == null ? null : JSON.valueToTree(r);
  }

  /** The workload's pod template as the API server stores it (after its defaulting). */
  JsonNode template(String kind, String name) {
    JsonNode w = workload(kind, name);
    assertThat(w).as(kind + " " + name).isNotNull();
    return w.at(KINDS.get(kind)[1]);
  }

  /** The workload's annotations. */
  Map<String, String> annotations(String kind, String name) {
    JsonNode a = workload(kind, name).at("/metadata/annotations");
    Map<String, String> out = new java.util.TreeMap<>();
    a.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  ReadOnlyPolicy policy(String name) {
    return admin().resources(ReadOnlyPolicy.class).inNamespace(namespace).withName(name).get();
  }

  /** The policy's entry for the workload, if its status has one. */
  Optional<WorkloadStatus> entry(String policy, String kind, String name) {
    ReadOnlyPolicy p = policy(policy);
    if (p == null || p.getStatus() == null) {
      return Optional.empty();
    }
    return p.getStatus().getWorkloads().stream()
        .filter(w -> w.getName().equals(name) && (w.getKind() == null || w.getKind().equals(kind))).findFirst();
  }

  /** Waits until the policy reports {@code state} for the workload; returns its entry. */
  WorkloadStatus awaitState(String policy, String kind, String name, WorkloadState state, Duration within) {
    // untilAsserted: a timeout shows the entry last seen (state and message), not only "not fulfilled"
    await(policy + ": " + kind + " " + name + " " + state).atMost(within).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(entry(policy, kind, name)).get()
            .extracting(WorkloadStatus::getState).as("%s", entry(policy, kind, name)).isEqualTo(state));
    return entry(policy, kind, name).orElseThrow();
  }

  /** The names of the containers of a template that run with a read-only root. */
  static List<String> readOnlyContainers(JsonNode template) {
    return stream(template.at("/spec/containers"))
        .filter(c -> c.at("/securityContext/readOnlyRootFilesystem").asBoolean(false))
        .map(c -> c.path("name").asText()).toList();
  }

  /** The mount paths of a template's container. */
  static List<String> mounts(JsonNode template, String container) {
    return stream(template.at("/spec/containers"))
        .filter(c -> c.path("name").asText().equals(container))
        .flatMap(c -> stream(c.path("volumeMounts"))).map(m -> m.path("mountPath").asText()).toList();
  }

  private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
    return array.isArray() ? java.util.stream.StreamSupport.stream(array.spliterator(), false)
        : java.util.stream.Stream.empty();
  }

  /**
   * Waits until {@code kubectl rollout status} says the workload's rollout is done; for an
   * {@code OnDelete} StatefulSet, which it does not follow, until every replica is ready.
   */
  void awaitRolledOut(String kind, String name) {
    if (workload(kind, name).at("/spec/updateStrategy/type").asText().equals("OnDelete")) {
      await(kind + " " + name + " ready").atMost(Duration.ofMinutes(2)).until(() -> {
        JsonNode w = workload(kind, name);
        return w.at("/status/readyReplicas").asInt() == w.at("/spec/replicas").asInt();
      });
      return;
    }
    cluster.kubectlOk("-n", namespace, "rollout", "status", kind.toLowerCase() + "/" + name, "--timeout=120s");
  }


  /** Lets time pass where a test must show that nothing happens in it. */
  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
