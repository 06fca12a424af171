package dev.rootlock.testing;

import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.testing.ClusterControllers.App;
import dev.rootlock.testing.ClusterControllers.Run;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The DaemonSet controller on {@link ClusterControllers#nodes} nodes: one pod per node, labelled
 * with the generation it was made from ({@code pod-template-generation}), replaced on a
 * RollingUpdate and left alone with OnDelete; no node at all means nothing to schedule.
 */
final class DaemonSetStandIn extends StandIn<DaemonSet> {
  static final String TEMPLATE_GENERATION = "pod-template-generation";

  DaemonSetStandIn(ClusterControllers cluster) {
    super(cluster, DaemonSet.class);
  }

  @Override
  Long observedGeneration(DaemonSet d) {
    return d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
  }

  @Override
  Object completeStatus(DaemonSet d) {
    int nodes = cluster.nodes();
    return status(d, nodes, onDelete(d) && d.getStatus() != null ? 0 : nodes, nodes);
  }

  @Override
  void rollOut(DaemonSet d, App app) {
    int nodes = cluster.nodes();
    if (onDelete(d) && d.getStatus() != null) {
      patchStatus(d, status(d, nodes, 0, nodes));
      return;
    }
    String namespace = d.getMetadata().getNamespace();
    cluster.kubelet().ownedBy(namespace, d.getMetadata().getUid())
        .forEach(p -> cluster.client().resource(p).withGracePeriod(0).delete());
    Run run = app.run(d.getSpec().getTemplate());
    List<Pod> created = new ArrayList<>();
    String generation = String.valueOf(generation(d));
    for (int node = 0; node < nodes; node++) {
      created.add(cluster.kubelet().create(namespace, d.getMetadata().getName() + "-" + cluster.seq(),
          d.getSpec().getTemplate(), Map.of(TEMPLATE_GENERATION, generation, "controller-revision-hash",
              RolloutRecord.digest(d.getSpec().getTemplate()).substring(0, 10)),
          KubeletStandIn.owner("apps/v1", "DaemonSet", d.getMetadata().getName(), d.getMetadata().getUid()), run));
    }
    String key = key(d);
    cluster.started(key, namespace);
    patchStatus(d, status(d, nodes, nodes, 0));
    long at = generation(d);
    if (run instanceof Run.Healthy h) {
      cluster.later(h.startup(), () -> {
        if (current(d, at)) {
          created.forEach(cluster.kubelet()::ready);
          patchStatus(d, status(d, nodes, nodes, nodes));
          cluster.finished(key);
        }
      });
    }
  }

  private static DaemonSetStatus status(DaemonSet d, int desired, int updated, int available) {
    return new DaemonSetStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withDesiredNumberScheduled(desired).withCurrentNumberScheduled(desired).withUpdatedNumberScheduled(updated)
        .withNumberReady(available).withNumberAvailable(available).withNumberUnavailable(desired - available)
        .withNumberMisscheduled(0).build();
  }

  private static boolean onDelete(DaemonSet d) {
    return d.getSpec().getUpdateStrategy() != null && "OnDelete".equals(d.getSpec().getUpdateStrategy().getType());
  }
}
