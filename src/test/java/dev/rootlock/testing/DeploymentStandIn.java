package dev.rootlock.testing;

import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.testing.ClusterControllers.App;
import dev.rootlock.testing.ClusterControllers.Run;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Deployment controller: a ReplicaSet per pod template (reused when a template comes back, as
 * in a rollback) with pod-template-hash and owner references, old pods replaced by new ones (a
 * Recreate rollout, which is all the tests need), and the status with its Progressing condition.
 */
final class DeploymentStandIn extends StandIn<Deployment> {
  DeploymentStandIn(ClusterControllers cluster) {
    super(cluster, Deployment.class);
  }

  @Override
  Long observedGeneration(Deployment d) {
    return d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
  }

  @Override
  Object completeStatus(Deployment d) {
    int r = replicas(d);
    return new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
        .withReplicas(r).withUpdatedReplicas(r).withReadyReplicas(r).withAvailableReplicas(r)
        .withConditions(condition("Available", "True", "MinimumReplicasAvailable"),
            condition("Progressing", "True", "NewReplicaSetAvailable"))
        .build();
  }

  @Override
  void rollOut(Deployment d, App app) {
    String key = key(d);
    Run run = app.run(d.getSpec().getTemplate());
    ReplicaSet rs = replicaSetFor(d);
    int replicas = replicas(d);
    String hash = rs.getMetadata().getLabels().get("pod-template-hash");
    cluster.client().pods().inNamespace(d.getMetadata().getNamespace()).list().getItems().stream()
        .filter(p -> d.getMetadata().getName().equals(p.getMetadata().getLabels().get("app")))
        .filter(p -> !hash.equals(p.getMetadata().getLabels().get("pod-template-hash")))
        .forEach(p -> cluster.client().resource(p).delete());
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      pods.add(cluster.kubelet().create(d.getMetadata().getNamespace(), rs.getMetadata().getName() + "-" + cluster.seq(),
          rs.getSpec().getTemplate(), Map.of(), KubeletStandIn.owner("apps/v1", "ReplicaSet", rs.getMetadata().getName(),
              rs.getMetadata().getUid()), run));
    }
    cluster.started(key, d.getMetadata().getNamespace());
    long generation = d.getMetadata().getGeneration();
    // Every run starts the same way: the new ReplicaSet scaled up, nothing available yet.
    writeStatus(d, progressing(d, replicas, 0, "ReplicaSetUpdated", "True"));
    if (run instanceof Run.Healthy h) {
      cluster.later(h.startup(), () -> {
        if (current(d, generation)) {
          pods.forEach(cluster.kubelet()::ready);
          writeStatus(d, (DeploymentStatus) completeStatus(d));
          cluster.finished(key);
        }
      });
    } else if (run instanceof Run.Stuck s) {
      cluster.later(s.deadline(), () -> {
        if (current(d, generation)) {
          writeStatus(d, progressing(d, replicas, 0, "ProgressDeadlineExceeded", "False"));
        }
      });
    }
  }

  private ReplicaSet replicaSetFor(Deployment d) {
    PodTemplateSpec template = d.getSpec().getTemplate();
    String hash = RolloutRecord.digest(template).substring(0, 10);
    String name = d.getMetadata().getName() + "-" + hash;
    ReplicaSet existing = cluster.client().apps().replicaSets().inNamespace(d.getMetadata().getNamespace())
        .withName(name).get();
    if (existing != null) {
      return existing;
    }
    PodTemplateSpec withHash = new PodTemplateSpecBuilder(template).editOrNewMetadata()
        .addToLabels("pod-template-hash", hash).endMetadata().build();
    Map<String, String> labels = new HashMap<>(withHash.getMetadata().getLabels());
    return cluster.client().resource(new ReplicaSetBuilder()
        .withNewMetadata().withName(name).withNamespace(d.getMetadata().getNamespace()).withLabels(labels)
        .withOwnerReferences(KubeletStandIn.owner("apps/v1", "Deployment", d.getMetadata().getName(),
            d.getMetadata().getUid()))
        .endMetadata()
        .withNewSpec().withReplicas(replicas(d)).withNewSelector().withMatchLabels(labels).endSelector()
        .withTemplate(withHash).endSpec()
        .build()).create();
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

  static DeploymentCondition condition(String type, String status, String reason) {
    return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withLastUpdateTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
        .withMessage(reason.equals("ProgressDeadlineExceeded") ? "ReplicaSet has timed out progressing." : reason)
        .build();
  }

  private void writeStatus(Deployment d, DeploymentStatus status) {
    cluster.client().apps().deployments().inNamespace(d.getMetadata().getNamespace())
        .withName(d.getMetadata().getName()).editStatus(x -> {
          x.setStatus(status);
          return x;
        });
  }

  private static int replicas(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }
}
