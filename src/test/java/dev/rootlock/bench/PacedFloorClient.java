package dev.rootlock.bench;

import dev.rootlock.api.Annotations;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cold-process floor: a plain client, run as its own JVM like the operator, that sends the
 * patches the operator sends (precomputed by the benchmark with the same engine, one per line:
 * namespace, name, patch) with the operator's pacing — at most {@code maxInProgress} rollouts in
 * progress per namespace, the next patch sent as soon as one completes — and waits for every
 * rollout to complete, as seen on one watch of Deployments. Nothing else: no cache, no judging,
 * no status, no Events. Prints when it sent its first and last patch and saw the last rollout
 * complete (System.currentTimeMillis, comparable with the benchmark's clock), its CPU and peak
 * RSS from /proc, then exits. Used by both the mock's cold-process benchmark and the real control
 * plane's ({@link ControlPlaneBenchmark}).
 *
 * <pre>java -cp rootlock-operator.jar:test-classes dev.rootlock.bench.PacedFloorClient PATCHES MAX</pre>
 */
public final class PacedFloorClient {
  public static final String USER_AGENT = "rootlock-floor";

  private final KubernetesClient client;
  private final int maxInProgress;
  private final ExecutorService senders = Executors.newFixedThreadPool(BenchWorkloads.NAMESPACES);
  /** Per namespace: the patches not sent yet, and how many of its rollouts are in progress. */
  private final Map<String, Queue<String[]>> waiting = new LinkedHashMap<>();
  private final Map<String, Integer> inProgress = new ConcurrentHashMap<>();
  private final Set<String> done = ConcurrentHashMap.newKeySet();
  private final CountDownLatch all;
  private final AtomicLong firstPatch = new AtomicLong();
  private final AtomicLong lastPatch = new AtomicLong();

  private PacedFloorClient(KubernetesClient client, int maxInProgress, Iterable<String> lines, int count) {
    this.client = client;
    this.maxInProgress = maxInProgress;
    this.all = new CountDownLatch(count);
    for (String line : lines) {
      String[] f = line.split("\t", 3);
      waiting.computeIfAbsent(f[0], k -> new ArrayDeque<>()).add(f);
    }
  }

  public static void main(String[] args) throws Exception {
    var lines = Files.readAllLines(Path.of(args[0]));
    int max = Integer.parseInt(args[1]);
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder().withUserAgent(USER_AGENT).build()).build()) {
      PacedFloorClient floor = new PacedFloorClient(client, max, lines, lines.size());
      floor.run();
      long complete = System.currentTimeMillis();
      var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean();
      ProcFigures proc = ProcFigures.read(Path.of("/proc/self"));
      System.out.printf("floor sent=%d firstPatch=%d lastPatch=%d complete=%d cpuMillis=%d procCpuMillis=%d "
          + "peakRssKb=%d%n", lines.size(), floor.firstPatch.get(), floor.lastPatch.get(), complete,
          os.getProcessCpuTime() / 1_000_000, Math.round(proc.cpuSeconds() * 1000), proc.peakRssKb());
    }
    System.exit(0);
  }

  private void run() throws InterruptedException {
    var watch = client.apps().deployments().inAnyNamespace().watch(new Watcher<Deployment>() {
      @Override
      public void eventReceived(Action action, Deployment d) {
        if (action == Action.MODIFIED && isHardenedAndRolledOut(d)
            && done.add(d.getMetadata().getNamespace() + "/" + d.getMetadata().getName())) {
          all.countDown();
          String ns = d.getMetadata().getNamespace();
          inProgress.merge(ns, -1, Integer::sum);
          sendWhileSlotsFree(ns);
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        // the client reconnects by itself
      }
    });
    waiting.keySet().forEach(this::sendWhileSlotsFree);
    all.await();
    watch.close();
    senders.shutdown();
  }

  /**
   * Complete as {@code kubectl rollout status} says it: the patched generation observed, every
   * replica updated and available, no old one left. The real Deployment controller observes the
   * generation at once and counts the new pods as they become available; the mock's stand-in writes
   * all of it at once.
   */
  private static boolean isHardenedAndRolledOut(Deployment d) {
    return d.getMetadata().getAnnotations() != null && d.getMetadata().getAnnotations().containsKey(Annotations.OWNER)
        && isRolledOut(d);
  }

  /** The rollout of the Deployment's current generation is complete (see above). */
  static boolean isRolledOut(Deployment d) {
    var s = d.getStatus();
    if (s == null || s.getObservedGeneration() == null || s.getObservedGeneration() < d.getMetadata().getGeneration()) {
      return false;
    }
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return n(s.getUpdatedReplicas()) >= desired && n(s.getReplicas()) <= n(s.getUpdatedReplicas())
        && n(s.getAvailableReplicas()) >= n(s.getUpdatedReplicas());
  }

  private static int n(Integer count) {
    return count == null ? 0 : count;
  }

  private void sendWhileSlotsFree(String namespace) {
    while (true) {
      String[] next;
      synchronized (waiting) {
        Queue<String[]> queue = waiting.get(namespace);
        if (queue == null || queue.isEmpty() || inProgress.getOrDefault(namespace, 0) >= maxInProgress) {
          return;
        }
        next = queue.remove();
        inProgress.merge(namespace, 1, Integer::sum);
      }
      senders.execute(() -> send(next[0], next[1], next[2]));
    }
  }

  private void send(String namespace, String name, String patch) {
    firstPatch.compareAndSet(0, System.currentTimeMillis());
    // resource(...), not withName(...): fabric8 would GET the object first to address the patch
    Deployment target = new DeploymentBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .build();
    try {
      client.apps().deployments().inNamespace(namespace).resource(target).patch(PatchContext.of(PatchType.JSON), patch);
    } catch (RuntimeException e) {
      // a refused patch (a 409 when something moved the pinned resourceVersion) would leave a rollout
      // that never completes: the run is void, and says why instead of waiting forever
      System.out.println("floor patch of " + namespace + "/" + name + " failed: " + e.getMessage());
      System.exit(3);
    }
    lastPatch.set(System.currentTimeMillis());
  }
}
