package dev.rootlock.testing;

import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.testing.ClusterControllers.App;
import dev.rootlock.testing.ClusterControllers.Run;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The StatefulSet controller: pods named by ordinal and labelled with the revision they run
 * ({@code controller-revision-hash}). A RollingUpdate replaces the ordinals from {@code partition}
 * up, the ones below keep the old revision; the revisions in the status move as the real
 * controller moves them (currentRevision becomes updateRevision only once every replica is updated
 * and ready). OnDelete replaces nothing: the status names the new revision, the pods keep theirs.
 */
final class StatefulSetStandIn extends StandIn<StatefulSet> {
  static final String REVISION = "controller-revision-hash";

  StatefulSetStandIn(ClusterControllers cluster) {
    super(cluster, StatefulSet.class);
  }

  @Override
  Long observedGeneration(StatefulSet s) {
    return s.getStatus() == null ? null : s.getStatus().getObservedGeneration();
  }

  @Override
  Object completeStatus(StatefulSet s) {
    int r = replicas(s);
    String revision = revision(s);
    String current = s.getStatus() == null || s.getStatus().getCurrentRevision() == null ? revision
        : s.getStatus().getCurrentRevision();
    if (onDelete(s)) {
      return status(s, current, revision, 0, r);
    }
    int updated = Math.max(0, r - partition(s));
    return status(s, updated == r ? revision : current, revision, updated, r);
  }

  @Override
  void rollOut(StatefulSet s, App app) {
    String namespace = s.getMetadata().getNamespace();
    String revision = revision(s);
    String previous = s.getStatus() == null || s.getStatus().getCurrentRevision() == null ? null
        : s.getStatus().getCurrentRevision();
    int r = replicas(s);
    if (onDelete(s)) {
      patchStatus(s, status(s, previous == null ? revision : previous, revision, 0, r));
      return;
    }
    // A new StatefulSet creates every ordinal at its revision; an update replaces those from the partition up.
    int from = previous == null ? 0 : Math.min(partition(s), r);
    Run run = app.run(s.getSpec().getTemplate());
    List<Pod> created = new ArrayList<>();
    for (int i = from; i < r; i++) {
      String name = s.getMetadata().getName() + "-" + i;
      Pod old = cluster.client().pods().inNamespace(namespace).withName(name).get();
      if (old != null) {
        cluster.client().resource(old).withGracePeriod(0).delete();
      }
      created.add(cluster.kubelet().create(namespace, name, s.getSpec().getTemplate(), Map.of(REVISION, revision,
          "statefulset.kubernetes.io/pod-name", name), KubeletStandIn.owner("apps/v1", "StatefulSet",
          s.getMetadata().getName(), s.getMetadata().getUid()), run));
    }
    String key = key(s);
    cluster.started(key, namespace);
    String current = previous == null ? revision : previous;
    patchStatus(s, status(s, current, revision, created.size(), from));
    long generation = generation(s);
    if (run instanceof Run.Healthy h) {
      cluster.later(h.startup(), () -> {
        if (current(s, generation)) {
          created.forEach(cluster.kubelet()::ready);
          patchStatus(s, status(s, from == 0 ? revision : current, revision, created.size(), r));
          cluster.finished(key);
        }
      });
    }
  }

  private static StatefulSetStatus status(StatefulSet s, String current, String update, int updated, int ready) {
    int r = replicas(s);
    return new StatefulSetStatusBuilder().withObservedGeneration(s.getMetadata().getGeneration())
        .withReplicas(r).withReadyReplicas(ready).withAvailableReplicas(ready).withUpdatedReplicas(updated)
        .withCurrentReplicas(current.equals(update) ? r : r - updated)
        .withCurrentRevision(current).withUpdateRevision(update).build();
  }

  /** The revision name the controller derives from the template. */
  private static String revision(StatefulSet s) {
    return s.getMetadata().getName() + "-" + RolloutRecord.digest(s.getSpec().getTemplate()).substring(0, 10);
  }

  private static boolean onDelete(StatefulSet s) {
    return s.getSpec().getUpdateStrategy() != null && "OnDelete".equals(s.getSpec().getUpdateStrategy().getType());
  }

  private static int partition(StatefulSet s) {
    var strategy = s.getSpec().getUpdateStrategy();
    return strategy == null || strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getPartition() == null
        ? 0 : strategy.getRollingUpdate().getPartition();
  }

  private static int replicas(StatefulSet s) {
    return s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
  }
}
