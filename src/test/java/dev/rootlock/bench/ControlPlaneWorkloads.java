package dev.rootlock.bench;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.testing.Manifests;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The control-plane benchmark's workloads, set up through the API server as its admin: workload
 * {@code i} is {@link BenchWorkloads#deployment} {@code app-i} in namespace {@code
 * bench-team-(i % namespaces)}, one replica; one policy {@code web} per namespace.
 *
 * <p>Every run starts from Deployments created afresh ({@link #reset}): deleted with everything
 * they own, then created again from the same manifests and rolled out. Reverting instead (deleting
 * the policies while the operator runs, or patching the templates back) would start later runs
 * from a later generation, a bumped revision and a second ReplicaSet per Deployment (the hardened
 * one, which the next hardening scales up instead of creating), so the first run would differ
 * from the rest, and the floor's runs could not be reverted by anyone but the operator.
 */
final class ControlPlaneWorkloads {
  static final String PREFIX = "bench-team-";
  /** On the benchmark's policies, so that it watches only those on a cluster that has others. */
  static final Map<String, String> POLICY_LABEL = Map.of("rootlock.dev/bench", "control-plane");
  private static final String KWOK_NODE = "kwok.x-k8s.io/node";

  private final KubernetesClient admin;
  private final int n;
  private final List<String> namespaces;
  private final FloorPatches floorPatches = new FloorPatches(Manifests.rules(ScaleBenchmark.POLICY));

  ControlPlaneWorkloads(KubernetesClient admin, int n, int namespaces) {
    this.admin = admin;
    this.n = n;
    this.namespaces = IntStream.range(0, namespaces).mapToObj(k -> PREFIX + k).toList();
  }

  List<String> namespaces() {
    return namespaces;
  }

  /** The namespaces, and enough KWOK node capacity for every pod plus each namespace's paced surge. */
  void prepare() {
    for (String ns : namespaces) {
      if (admin.namespaces().withName(ns).get() == null) {
        admin.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      }
    }
    // pods are admitted only once the namespace has its default ServiceAccount
    await("default ServiceAccounts", Duration.ofSeconds(60), () -> namespaces.stream()
        .allMatch(ns -> admin.serviceAccounts().inNamespace(ns).withName("default").get() != null));
    ensureCapacity(n + namespaces.size() * ScaleBenchmark.MAX_IN_PROGRESS + 50);
  }

  /**
   * Adds KWOK nodes shaped like the first fake one until the fake nodes admit {@code pods} pods
   * (the local control plane starts 3 of 250 pods each; 1,000 Deployments rolling out need more).
   */
  private void ensureCapacity(int pods) {
    List<Node> fake = admin.nodes().list().getItems().stream()
        .filter(x -> "fake".equals(x.getMetadata().getAnnotations().get(KWOK_NODE))).toList();
    if (fake.isEmpty()) {
      throw new IllegalStateException("no KWOK node (annotated " + KWOK_NODE + "=fake): this benchmark runs on the "
          + "local control plane of src/test/cluster/cluster");
    }
    Node model = fake.get(0);
    int perNode = model.getStatus().getAllocatable().get("pods").getNumericalAmount().intValue();
    int capacity = fake.stream().mapToInt(x -> x.getStatus().getAllocatable().get("pods").getNumericalAmount()
        .intValue()).sum();
    List<String> added = new ArrayList<>();
    for (int k = 0; capacity < pods; k++) {
      String name = "bench-kwok-node-" + k;
      if (admin.nodes().withName(name).get() != null) {
        continue;
      }
      Map<String, String> labels = new java.util.HashMap<>(model.getMetadata().getLabels());
      labels.put("kubernetes.io/hostname", name);
      Map<String, Quantity> resources = model.getStatus().getAllocatable();
      admin.resource(new NodeBuilder().withNewMetadata().withName(name).withLabels(labels)
          .withAnnotations(model.getMetadata().getAnnotations()).endMetadata().withNewStatus()
          .withAllocatable(resources).withCapacity(resources).withNodeInfo(model.getStatus().getNodeInfo())
          .endStatus().build()).create();
      added.add(name);
      capacity += perNode;
    }
    if (!added.isEmpty()) {
      await(added + " Ready", Duration.ofSeconds(60), () -> added.stream().allMatch(this::isReady));
      System.out.println("added KWOK nodes " + added + " for " + pods + " pods");
    }
  }

  private boolean isReady(String node) {
    Node x = admin.nodes().withName(node).get();
    return x != null && x.getStatus().getConditions() != null && x.getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  /**
   * Back to the start: no policy (finalizers dropped, no operator runs now), no Deployment,
   * ReplicaSet, Pod or Event left in the namespaces, then the N Deployments created and rolled out,
   * and their resourceVersions still for two seconds (the floor's patches are pinned to them).
   */
  void reset() {
    for (String ns : namespaces) {
      dropPolicies(ns);
      admin.apps().deployments().inNamespace(ns).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      admin.v1().events().inNamespace(ns).delete();
      admin.events().v1().events().inNamespace(ns).delete();
    }
    await("no Deployment, ReplicaSet or Pod left", Duration.ofMinutes(10), () -> namespaces.stream().allMatch(ns ->
        admin.apps().deployments().inNamespace(ns).list().getItems().isEmpty()
            && admin.apps().replicaSets().inNamespace(ns).list().getItems().isEmpty()
            && admin.pods().inNamespace(ns).list().getItems().isEmpty()));
    for (int i = 0; i < n; i++) {
      admin.resource(BenchWorkloads.deployment(i, namespace(i), "app-" + i)).create();
    }
    await(n + " Deployments rolled out", Duration.ofMinutes(20), () -> deployments().stream()
        .allMatch(PacedFloorClient::isRolledOut) && deployments().size() == n);
    String before;
    String now = resourceVersions();
    do {
      sleep(Duration.ofSeconds(2));
      before = now;
      now = resourceVersions();
    } while (!now.equals(before));
  }

  /** Deletes the namespace's policies, their revert-on-delete finalizer dropped first: no operator runs now. */
  private void dropPolicies(String ns) {
    var policies = admin.resources(ReadOnlyPolicy.class).inNamespace(ns);
    policies.list().getItems().forEach(p -> policies.withName(p.getMetadata().getName())
        .edit(q -> { q.getMetadata().setFinalizers(List.of()); return q; }));
    policies.delete();
  }

  String namespace(int i) {
    return namespaces.get(i % namespaces.size());
  }

  /** One policy {@code web} per namespace: the policy of every benchmark, default pacing. */
  void createPolicies() {
    for (String ns : namespaces) {
      admin.resource(Manifests.parse("""
          apiVersion: rootlock.dev/v1alpha1
          kind: ReadOnlyPolicy
          metadata: {name: web, namespace: %s, labels: {rootlock.dev/bench: control-plane}}
          spec: %s
          """.formatted(ns, ScaleBenchmark.POLICY), ReadOnlyPolicy.class)).create();
    }
  }

  /**
   * The floor's patches for the Deployments as they are now (one line each: namespace, name,
   * patch; by namespace, then name), written to {@code file}; returns how many.
   */
  int writeFloorPatches(Path file) throws java.io.IOException {
    List<String> lines = deployments().stream()
        .sorted(Comparator.comparing((Deployment d) -> d.getMetadata().getNamespace())
            .thenComparing(d -> d.getMetadata().getName()))
        .map(d -> {
          String patch = floorPatches.patch(d);
          return patch == null ? null : d.getMetadata().getNamespace() + "\t" + d.getMetadata().getName() + "\t" + patch;
        })
        .filter(java.util.Objects::nonNull).toList();
    Files.write(file, lines);
    return lines.size();
  }

  private List<Deployment> deployments() {
    return namespaces.stream().flatMap(ns -> admin.apps().deployments().inNamespace(ns).list().getItems().stream())
        .toList();
  }

  private String resourceVersions() {
    return deployments().stream().map(d -> d.getMetadata().getResourceVersion()).sorted()
        .collect(Collectors.joining(","));
  }

  /** Removes what the benchmark made in the cluster's namespaces (the KWOK nodes it added stay). */
  void remove() {
    namespaces.forEach(ns -> {
      dropPolicies(ns);
      admin.namespaces().withName(ns).delete();
    });
  }

  private static void await(String what, Duration atMost, BooleanSupplier done) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + ": not within " + atMost);
      }
      sleep(Duration.ofSeconds(1));
    }
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
