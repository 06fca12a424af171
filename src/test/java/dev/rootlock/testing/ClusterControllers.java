package dev.rootlock.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands in for the controllers and the kubelet, which the mock API server lacks: the Deployment,
 * StatefulSet, DaemonSet and CronJob controllers. When a workload's generation moves past what
 * its controller observed, it rolls it out and writes what the real ones would report.
 *
 * <p>By default every rollout succeeds at once and only the status is written (cheap enough for
 * thousands of Deployments), and a CronJob starts no Job (its schedule never comes in a test). A
 * workload given an {@link App} gets the full picture: pods whose container statuses say how that
 * app runs with that template, and the status a crash, a slow start, a stuck rollout or a success
 * produce; for a CronJob, a Job and its pod appear shortly after each change, and crash or succeed.
 *
 * <p>Its requests carry {@link #USER_AGENT}, so request counts in tests leave them out.
 */
public final class ClusterControllers implements AutoCloseable {
  public static final String USER_AGENT = "rootlock-test-controllers";
  /** How long after a change a CronJob with an app starts its Job, unless told otherwise. */
  static final Duration JOB_DELAY = Duration.ofMillis(300);

  /** How an app's pods run with a given pod template. */
  public sealed interface Run {
    /** Ready after {@code startup} (a Job's pod: done after it). */
    record Healthy(Duration startup) implements Run {}

    /** The container exits with {@code log} as its last lines, and the kubelet backs off. */
    record Crash(String container, String log) implements Run {}

    /** Pods never start; after {@code deadline} the Deployment controller reports ProgressDeadlineExceeded. */
    record Stuck(Duration deadline) implements Run {}

    /** Pods never start and nothing is ever reported (for the rollout timeout). */
    record Silent() implements Run {}
  }

  /** What an app does with a pod template. */
  @FunctionalInterface
  public interface App {
    Run run(PodTemplateSpec template);

    /**
     * An app that writes below each of {@code paths}, in order, and crashes with the message its
     * runtime prints for the first one its read-only root filesystem does not let it write.
     *
     * @param paths directory → the log line printed when writing below it fails
     */
    static App writing(String container, Map<String, String> paths) {
      return template -> {
        Container c = template.getSpec().getContainers().stream()
            .filter(x -> x.getName().equals(container)).findFirst().orElseThrow();
        boolean readOnly = c.getSecurityContext() != null
            && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem());
        for (var e : paths.entrySet()) {
          if (readOnly && !writable(c, e.getKey())) {
            return new Run.Crash(container, "starting\n" + e.getValue());
          }
        }
        return new Run.Healthy(Duration.ZERO);
      };
    }

    private static boolean writable(Container c, String dir) {
      List<VolumeMount> mounts = c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts();
      return mounts.stream().anyMatch(m -> !Boolean.TRUE.equals(m.getReadOnly())
          && (dir.equals(m.getMountPath()) || dir.startsWith(m.getMountPath() + "/")));
    }
  }

  private final KubernetesClient client;
  private final KubeletStandIn kubelet;
  private final Map<String, App> apps = new ConcurrentHashMap<>();
  private final Map<String, Duration> jobDelays = new ConcurrentHashMap<>();
  private volatile int nodes = 1;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "test-controllers");
    t.setDaemon(true);
    return t;
  });
  /** Plain rollouts, five at a time like kube-controller-manager's --concurrent-deployment-syncs. */
  private final ExecutorService plain = Executors.newFixedThreadPool(5, r -> {
    Thread t = new Thread(r, "test-deployment-controller");
    t.setDaemon(true);
    return t;
  });
  private final List<Watch> watches;
  private final Map<String, Boolean> observedNow = new ConcurrentHashMap<>();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong podSeq = new AtomicLong();
  private volatile long lastCompletion;
  private final Queue<Long> completions = new ConcurrentLinkedQueue<>();
  private final QueueAndWrite plainWaits = new QueueAndWrite();

  /** Sums of queueing and writing times of plain rollouts, and their count. */
  private static final class QueueAndWrite {
    private long queued;
    private long writing;
    private long count;

    synchronized void add(long queuedNanos, long writingNanos) {
      queued += queuedNanos;
      writing += writingNanos;
      count++;
    }

    synchronized double[] take() {
      double[] means = {queued / 1e6 / Math.max(1, count), writing / 1e6 / Math.max(1, count)};
      queued = 0;
      writing = 0;
      count = 0;
      return means;
    }
  }
  /** Rollouts in progress now, and the most there ever were at once, per namespace. */
  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> mostInProgress = new ConcurrentHashMap<>();

  public ClusterControllers(MockApiServer api) {
    this.client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(api.client().getConfiguration()).withUserAgent(USER_AGENT).build()).build();
    this.kubelet = new KubeletStandIn(client);
    this.watches = List.of(new DeploymentStandIn(this).watch(), new StatefulSetStandIn(this).watch(),
        new DaemonSetStandIn(this).watch(), new CronJobStandIn(this).watch());
  }

  /** From now on, the workload named {@code name} (any kind, any namespace) runs as {@code app}. */
  public ClusterControllers app(String name, App app) {
    apps.put(name, app);
    return this;
  }

  /** A CronJob with an app starts its Job this long after each change (default 300 ms). */
  public ClusterControllers jobAfter(String cronJob, Duration delay) {
    jobDelays.put(cronJob, delay);
    return this;
  }

  /** Nodes every DaemonSet runs on (default 1; 0: no node matches). */
  public ClusterControllers nodes(int n) {
    nodes = n;
    return this;
  }

  /** System.nanoTime() of every plain rollout reported complete, for timelines. */
  public List<Long> completionTimes() {
    return List.copyOf(completions);
  }

  /** System.nanoTime() of the last plain rollout reported complete. */
  public long lastCompletionNanos() {
    return lastCompletion;
  }

  /**
   * How long plain rollouts waited for one of the five workers, and how long their one status write
   * took, in milliseconds on average since the last call (then counted afresh): when the API
   * server is slow to answer, the five workers are the limit on how fast rollouts complete.
   */
  public double[] takePlainRolloutTimes() {
    return plainWaits.take();
  }

  /** Plain rollouts (no app) reported complete so far. */
  public long rolloutsCompleted() {
    return completed.get();
  }

  /** The most rollouts of apps in progress at the same time in {@code namespace} since the last reset. */
  public int mostInProgressAtOnce(String namespace) {
    return mostInProgress.getOrDefault(namespace, 0);
  }

  /** Waits for every rollout under way to finish, then starts counting {@link #mostInProgressAtOnce} afresh. */
  public void awaitIdleAndResetCounts(Duration atMost) {
    awaitObserved(atMost);
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!inProgress.isEmpty() && System.nanoTime() < deadline) {
      pause();
    }
    if (!inProgress.isEmpty()) {
      throw new IllegalStateException("rollouts still in progress: " + inProgress);
    }
    mostInProgress.clear();
  }

  /** Waits until every workload's change has been seen by its controller. */
  public void awaitObserved(Duration atMost) {
    int all = client.apps().deployments().inAnyNamespace().list().getItems().size()
        + client.apps().statefulSets().inAnyNamespace().list().getItems().size()
        + client.apps().daemonSets().inAnyNamespace().list().getItems().size()
        + client.batch().v1().cronjobs().inAnyNamespace().list().getItems().size();
    awaitObserved(all, atMost);
  }

  /** The same, for {@code expected} workloads in all, without listing them (benchmark set-up). */
  public void awaitObserved(int expected, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      if (observedNow.size() >= expected && !observedNow.containsValue(false)) {
        return;
      }
      pause();
    }
    throw new IllegalStateException("test controllers did not catch up within " + atMost);
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // --- for the stand-ins -------------------------------------------------------------------

  KubernetesClient client() {
    return client;
  }

  KubeletStandIn kubelet() {
    return kubelet;
  }

  App app(String name) {
    return apps.get(name);
  }

  Duration jobDelay(String cronJob) {
    return jobDelays.getOrDefault(cronJob, JOB_DELAY);
  }

  int nodes() {
    return nodes;
  }

  /** A number for a new pod's name. */
  long seq() {
    return podSeq.incrementAndGet();
  }

  void observed(String key, boolean observed) {
    observedNow.put(key, observed);
  }

  void forget(String key) {
    inProgress.remove(key);
    observedNow.remove(key);
  }

  void completedOne() {
    completed.incrementAndGet();
    lastCompletion = System.nanoTime();
    completions.add(lastCompletion);
  }

  /** A rollout of an app started; counts it towards {@link #mostInProgressAtOnce}. */
  void started(String key, String namespace) {
    if (inProgress.add(key)) {
      int now = (int) inProgress.stream().filter(k -> k.contains("/" + namespace + "/")).count();
      mostInProgress.merge(namespace, now, Math::max);
    }
  }

  void finished(String key) {
    inProgress.remove(key);
  }

  void plain(Runnable r) {
    long queued = System.nanoTime();
    plain.execute(() -> {
      long started = System.nanoTime();
      guarded(r);
      plainWaits.add(started - queued, System.nanoTime() - started);
    });
  }

  void work(Runnable r) {
    worker.execute(() -> guarded(r));
  }

  void later(Duration delay, Runnable r) {
    worker.schedule(() -> guarded(r), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void guarded(Runnable r) {
    if (worker.isShutdown()) {
      return;
    }
    try {
      r.run();
    } catch (RuntimeException e) {
      if (!worker.isShutdown()) {
        System.err.println("test-controllers: " + e);
      }
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    plain.shutdownNow();
    watches.forEach(Watch::close);
    client.close();
  }
}
