package dev.rootlock.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import dev.rootlock.engine.JsonPatches;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import dev.rootlock.rollout.RolloutRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for the Deployment controller and the kubelet, which the mock API server lacks: when a
 * Deployment's generation moves past its observedGeneration, it rolls it out and writes what the
 * real ones would report.
 *
 * <p>By default every rollout succeeds at once and only the Deployment status is written (cheap
 * enough for thousands of Deployments). A Deployment given an {@link App} gets the full picture: a
 * ReplicaSet per pod template (reused when a template comes back, as in a rollback), pods whose
 * container statuses say how that app runs with that template, and the status a crash, a slow
 * start, a stuck rollout or a success produce.
 *
 * <p>Its requests carry {@link #USER_AGENT}, so request counts in tests leave them out.
 */
public final class ClusterControllers implements AutoCloseable {
  public static final String USER_AGENT = "rootlock-test-controllers";

  /** How an app's pods run with a given pod template. */
  public sealed interface Run {
    /** Ready after {@code startup}. */
    record Healthy(Duration startup) implements Run {}

    /** The container exits with {@code log} as its last lines, and the kubelet backs off. */
    record Crash(String container, String log) implements Run {}

    /** Pods never start; after {@code deadline} the controller reports ProgressDeadlineExceeded. */
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
  private final Map<String, App> apps = new ConcurrentHashMap<>();
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "test-controllers");
    t.setDaemon(true);
    return t;
  });
  /** Plain rollouts, five at a time like kube-controller-manager's --concurrent-deployment-syncs. */
  private final java.util.concurrent.ExecutorService plain = Executors.newFixedThreadPool(5, r -> {
    Thread t = new Thread(r, "test-deployment-controller");
    t.setDaemon(true);
    return t;
  });
  private final Watch watch;
  private final Map<String, Boolean> observedNow = new ConcurrentHashMap<>();
  private final AtomicInteger podSeq = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong();
  /** Rollouts in progress now, and the most there ever were at once, per namespace. */
  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> mostInProgress = new ConcurrentHashMap<>();

  public ClusterControllers(MockApiServer api) {
    this.client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(api.client().getConfiguration()).withUserAgent(USER_AGENT).build()).build();
    // A plain watch, not an informer: no cache of every Deployment (at 20,000 that would double
    // the heap a benchmark measures); only whether each one's latest generation was observed.
    this.watch = client.apps().deployments().inAnyNamespace().watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Deployment d) {
        if (action == Action.DELETED) {
          inProgress.remove(key(d));
          observedNow.remove(key(d));
          return;
        }
        if (action == Action.ADDED || action == Action.MODIFIED) {
          observedNow.put(key(d), isObserved(d));
          changed(d);
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        // the client reconnects by itself; nothing to clean up
      }
    });
  }

  /** From now on, {@code deployment} (name in any namespace) runs as {@code app}. */
  public ClusterControllers app(String deployment, App app) {
    apps.put(deployment, app);
    return this;
  }

  private volatile long lastCompletion;
  private final java.util.Queue<Long> completions = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** System.nanoTime() of every plain rollout reported complete, for timelines. */
  public List<Long> completionTimes() {
    return List.copyOf(completions);
  }

  /** System.nanoTime() of the last plain rollout reported complete. */
  public long lastCompletionNanos() {
    return lastCompletion;
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

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until every Deployment's rollout has been seen (statuses written). */
  public void awaitObserved(Duration atMost) {
    awaitObserved(client.apps().deployments().inAnyNamespace().list().getItems().size(), atMost);
  }

  /** The same, for {@code expected} Deployments in all, without listing them (benchmark set-up). */
  public void awaitObserved(int expected, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = observedNow.size() >= expected && !observedNow.containsValue(false);
      if (all) {
        return;
      }
      pause();
    }
    throw new IllegalStateException("test controllers did not catch up within " + atMost);
  }

  private static boolean isObserved(Deployment d) {
    return d.getStatus() != null && d.getStatus().getObservedGeneration() != null
        && d.getStatus().getObservedGeneration() >= d.getMetadata().getGeneration();
  }

  private void changed(Deployment d) {
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    Long observed = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
    if (observed != null && observed >= generation) {
      return;
    }
    App app = apps.get(d.getMetadata().getName());
    if (app == null) {
      // Rolled out at once: one status write, conditional on the generation seen (a newer one
      // brings its own event).
      plain.execute(() -> guarded(() -> {
        if (!worker.isShutdown()) {
          client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName())
              .subresource("status").patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"add\",\"path\":\"/status\","
                  + "\"value\":" + JsonPatches.SERIALIZATION.asJson(complete(d)) + "}]");
          completed.incrementAndGet();
          lastCompletion = System.nanoTime();
          completions.add(lastCompletion);
        }
      }));
      return;
    }
    worker.execute(() -> guarded(() -> {
      Deployment fresh = client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
          .withName(d.getMetadata().getName()).get();
      if (fresh != null && fresh.getMetadata().getGeneration().equals(generation)) {
        rollOut(fresh, app);
      }
    }));
  }

  private void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      if (!worker.isShutdown()) {
        System.err.println("test-controllers: " + e);
      }
    }
  }

  private void rollOut(Deployment d, App app) {
    String key = key(d);
    Run run = app.run(d.getSpec().getTemplate());
    ReplicaSet rs = replicaSetFor(d);
    int replicas = replicas(d);
    String hash = rs.getMetadata().getLabels().get("pod-template-hash");
    // The old pods go and the new ones come (a Recreate rollout, which is all the tests need).
    client.pods().inNamespace(d.getMetadata().getNamespace()).list().getItems().stream()
        .filter(p -> d.getMetadata().getName().equals(p.getMetadata().getLabels().get("app")))
        .filter(p -> !hash.equals(p.getMetadata().getLabels().get("pod-template-hash")))
        .forEach(p -> client.resource(p).delete());
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      pods.add(client.resource(pod(rs, run)).create());
    }
    boolean started = inProgress.add(key);
    if (started) {
      mostInProgress.merge(d.getMetadata().getNamespace(), count(d.getMetadata().getNamespace()), Math::max);
    }
    long generation = d.getMetadata().getGeneration();
    // Every run starts the same way: the new ReplicaSet scaled up, nothing available yet.
    writeStatus(d, progressing(d, replicas, 0, "ReplicaSetUpdated", "True"));
    if (run instanceof Run.Healthy h) {
      worker.schedule(() -> finish(d, generation, pods), h.startup().toMillis(), TimeUnit.MILLISECONDS);
    } else if (run instanceof Run.Stuck s) {
      worker.schedule(() -> {
        if (current(d, generation)) {
          writeStatus(d, progressing(d, replicas, 0, "ProgressDeadlineExceeded", "False"));
        }
      }, s.deadline().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void finish(Deployment d, long generation, List<Pod> pods) {
    if (!current(d, generation)) {
      return;
    }
    for (Pod p : pods) {
      Pod ready = new PodBuilder(p).editStatus().withPhase("Running")
          .withContainerStatuses(p.getSpec().getContainers().stream()
              .map(c -> new ContainerStatusBuilder().withName(c.getName()).withReady(true).withRestartCount(0)
                  .withNewState().withNewRunning().endRunning().endState().build()).toList())
          .endStatus().build();
      client.pods().resource(p).editStatus(x -> ready);
    }
    writeStatus(d, complete(d));
    inProgress.remove(key(d));
  }

  private boolean current(Deployment d, long generation) {
    Deployment now = client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
        .withName(d.getMetadata().getName()).get();
    return now != null && now.getMetadata().getGeneration() == generation;
  }

  private ReplicaSet replicaSetFor(Deployment d) {
    PodTemplateSpec template = d.getSpec().getTemplate();
    String hash = RolloutRecord.digest(template).substring(0, 10);
    String name = d.getMetadata().getName() + "-" + hash;
    ReplicaSet existing = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).withName(name).get();
    if (existing != null) {
      return existing;
    }
    PodTemplateSpec withHash = new PodTemplateSpecBuilder(template).editOrNewMetadata()
        .addToLabels("pod-template-hash", hash).endMetadata().build();
    Map<String, String> labels = new HashMap<>(withHash.getMetadata().getLabels());
    return client.resource(new ReplicaSetBuilder()
        .withNewMetadata().withName(name).withNamespace(d.getMetadata().getNamespace()).withLabels(labels)
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
            .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid()).withController(true).build())
        .endMetadata()
        .withNewSpec().withReplicas(replicas(d)).withNewSelector().withMatchLabels(labels).endSelector()
        .withTemplate(withHash).endSpec()
        .build()).create();
  }

  private Pod pod(ReplicaSet rs, Run run) {
    List<ContainerStatus> statuses = rs.getSpec().getTemplate().getSpec().getContainers().stream()
        .map(c -> status(c.getName(), run)).toList();
    return new PodBuilder()
        .withNewMetadata().withName(rs.getMetadata().getName() + "-" + podSeq.incrementAndGet())
        .withNamespace(rs.getMetadata().getNamespace()).withLabels(rs.getSpec().getTemplate().getMetadata().getLabels())
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
            .withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid()).withController(true).build())
        .endMetadata()
        .withSpec(rs.getSpec().getTemplate().getSpec())
        .withNewStatus().withPhase(run instanceof Run.Crash ? "Running" : "Pending").withContainerStatuses(statuses)
        .endStatus()
        .build();
  }

  private static ContainerStatus status(String container, Run run) {
    ContainerStatusBuilder b = new ContainerStatusBuilder().withName(container).withReady(false);
    if (run instanceof Run.Crash crash && crash.container().equals(container)) {
      return b.withRestartCount(3)
          .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
          .withMessage("back-off 40s restarting failed container").endWaiting().endState()
          .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").withMessage(crash.log())
          .endTerminated().endLastState()
          .build();
    }
    return b.withRestartCount(0).withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting()
        .endState().build();
  }

  private DeploymentStatus complete(Deployment d) {
    int r = replicas(d);
    return new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(r).withUpdatedReplicas(r).withReadyReplicas(r).withAvailableReplicas(r)
        .withConditions(condition("Available", "True", "MinimumReplicasAvailable"),
            condition("Progressing", "True", "NewReplicaSetAvailable"))
        .build();
  }

  private DeploymentStatus progressing(Deployment d, int updated, int available, String reason, String status) {
    int r = replicas(d);
    return new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(r).withUpdatedReplicas(updated).withReadyReplicas(available).withAvailableReplicas(available)
        .withUnavailableReplicas(r - available)
        .withConditions(condition("Available", available > 0 ? "True" : "False", "MinimumReplicasAvailable"),
            condition("Progressing", status, reason))
        .build();
  }

  private static DeploymentCondition condition(String type, String status, String reason) {
    return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withLastUpdateTime(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
        .withMessage(reason.equals("ProgressDeadlineExceeded") ? "ReplicaSet has timed out progressing." : reason)
        .build();
  }

  private void writeStatus(Deployment d, DeploymentStatus status) {
    client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName())
        .editStatus(x -> {
          x.setStatus(status);
          return x;
        });
  }

  private int count(String namespace) {
    return (int) inProgress.stream().filter(k -> k.startsWith(namespace + "/")).count();
  }

  private static int replicas(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  private static String key(Deployment d) {
    return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
  }

  @Override
  public void close() {
    worker.shutdownNow();
    plain.shutdownNow();
    watch.close();
    client.close();
  }
}
