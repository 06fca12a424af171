package dev.rootlock.bench;

import dev.rootlock.api.Annotations;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.testing.Cluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process floor: the same patches the operator had to send (computed by the same engine,
 * pinned the same way), for a copy of the same Deployments in other namespaces, by a plain loop
 * with the same concurrency as the operator (one worker per namespace, in order within it),
 * unpaced, on the same server in the same run.
 */
final class InProcessFloor {
  private InProcessFloor() {}

  /**
   * Returns the time to send the patches, and the time until the (stand-in) Deployment controller
   * has reported each rollout they started complete: the operator's convergence includes that too.
   *
   * @param existing how many workloads the server holds already
   */
  static Duration[] run(Cluster cluster, PolicyRules rules, int n, int existing) throws Exception {
    KubernetesClient client = cluster.client();
    for (int i = 0; i < n; i++) {
      client.resource(BenchWorkloads.deployment(i, "floor-" + (i % BenchWorkloads.NAMESPACES), "app-" + i)).create();
    }
    cluster.controllers().awaitObserved(existing + n, Duration.ofMinutes(10));
    Map<String, List<Deployment>> byNamespace = new TreeMap<>();
    for (int ns = 0; ns < BenchWorkloads.NAMESPACES; ns++) {
      for (Deployment d : client.apps().deployments().inNamespace("floor-" + ns).list().getItems()) {
        if (!d.getMetadata().getAnnotations().containsKey(Annotations.EXCLUDE)) {
          byNamespace.computeIfAbsent(d.getMetadata().getNamespace(), k -> new ArrayList<>()).add(d);
        }
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(BenchWorkloads.NAMESPACES);
    AtomicLong sent = new AtomicLong();
    long rolledOutBefore = cluster.controllers().rolloutsCompleted();
    FloorPatches patches = new FloorPatches(rules);
    long t0 = System.nanoTime();
    List<Future<?>> work = new ArrayList<>();
    for (List<Deployment> ds : byNamespace.values()) {
      work.add(pool.submit(() -> {
        for (Deployment d : ds) {
          String patch = patches.patch(d);
          if (patch != null) {
            client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(d)
                .patch(PatchContext.of(PatchType.JSON), patch);
            sent.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : work) {
      f.get();
    }
    Duration sending = Duration.ofNanos(System.nanoTime() - t0);
    // Like the operator's convergence, the floor ends when the controller reports every rollout done.
    while (cluster.controllers().rolloutsCompleted() < rolledOutBefore + sent.get()) {
      Thread.sleep(5);
    }
    Duration rolledOut = Duration.ofNanos(System.nanoTime() - t0);
    pool.shutdown();
    return new Duration[] {sending, rolledOut};
  }
}
