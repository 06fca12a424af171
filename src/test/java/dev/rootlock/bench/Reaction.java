package dev.rootlock.bench;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Reaction latency: a new matching Deployment, created, until Rootlock has hardened it. */
final class Reaction {
  private Reaction() {}

  /** New Deployments ("late-0", ...), one at a time, in random namespaces; milliseconds each, sorted. */
  static List<Long> latencies(KubernetesClient client, int samples) throws InterruptedException {
    List<Long> latencies = new ArrayList<>();
    Random random = new Random(7);
    for (int s = 0; s < samples; s++) {
      String ns = BenchWorkloads.namespace(random.nextInt(BenchWorkloads.NAMESPACES));
      long start = System.nanoTime();
      client.resource(BenchWorkloads.deployment(0, ns, "late-" + s)).create();
      while (!hardened(client.apps().deployments().inNamespace(ns).withName("late-" + s).get())) {
        Thread.sleep(2);
      }
      latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
    Collections.sort(latencies);
    return latencies;
  }

  private static boolean hardened(Deployment d) {
    return d != null && d.getSpec().getTemplate().getSpec().getContainers().stream()
        .allMatch(c -> c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem()));
  }

  static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
