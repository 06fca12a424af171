package dev.rootlock.testing;

import dev.rootlock.testing.ClusterControllers.Run;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays the kubelet for the stand-in controllers: creates a controller's pods with the container
 * statuses a given {@link Run} produces, and later marks them ready or finished.
 */
final class KubeletStandIn {
  private final KubernetesClient client;

  KubeletStandIn(KubernetesClient client) {
    this.client = client;
  }

  static OwnerReference owner(String apiVersion, String kind, String name, String uid) {
    return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid(uid)
        .withController(true).build();
  }

  /**
   * Creates a pod from {@code template} with extra labels, owned by {@code owner}, as {@code run}
   * says it runs: a crash is a CrashLoopBackOff for pods that restart, a terminated container for a
   * Job's (restartPolicy Never); anything else is still starting.
   */
  Pod create(String namespace, String name, PodTemplateSpec template, Map<String, String> labels,
      OwnerReference owner, Run run) {
    Map<String, String> all = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
        ? Map.of() : template.getMetadata().getLabels());
    all.putAll(labels);
    boolean restarts = !"Never".equals(template.getSpec().getRestartPolicy());
    List<ContainerStatus> statuses = template.getSpec().getContainers().stream()
        .map(c -> status(c.getName(), run, restarts)).toList();
    boolean crashed = run instanceof Run.Crash;
    Pod pod = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(all).withOwnerReferences(owner)
        .endMetadata()
        .withSpec(template.getSpec())
        .withNewStatus().withPhase(crashed ? (restarts ? "Running" : "Failed") : "Pending")
        .withContainerStatuses(statuses).endStatus()
        .build();
    return client.resource(pod).create();
  }

  private static ContainerStatus status(String container, Run run, boolean restarts) {
    ContainerStatusBuilder b = new ContainerStatusBuilder().withName(container).withReady(false);
    if (run instanceof Run.Crash crash && crash.container().equals(container)) {
      if (!restarts) {
        return b.withRestartCount(0).withNewState().withNewTerminated().withExitCode(1).withReason("Error")
            .withMessage(crash.log()).endTerminated().endState().build();
      }
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

  /** Every container running and ready. */
  void ready(Pod p) {
    client.pods().resource(p).editStatus(x -> new PodBuilder(x).editStatus().withPhase("Running")
        .withContainerStatuses(p.getSpec().getContainers().stream()
            .map(c -> new ContainerStatusBuilder().withName(c.getName()).withReady(true).withRestartCount(0)
                .withNewState().withNewRunning().endRunning().endState().build()).toList())
        .endStatus().build());
  }

  /** Every container done with exit code 0 (a Job's pod). */
  void succeeded(Pod p) {
    client.pods().resource(p).editStatus(x -> new PodBuilder(x).editStatus().withPhase("Succeeded")
        .withContainerStatuses(p.getSpec().getContainers().stream()
            .map(c -> new ContainerStatusBuilder().withName(c.getName()).withReady(false).withRestartCount(0)
                .withNewState().withNewTerminated().withExitCode(0).withReason("Completed").endTerminated()
                .endState().build()).toList())
        .endStatus().build());
  }

  /** The pods {@code owner} made, as they are now. */
  List<Pod> ownedBy(String namespace, String ownerUid) {
    return client.pods().inNamespace(namespace).list().getItems().stream()
        .filter(p -> p.getMetadata().getOwnerReferences() != null && p.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> ownerUid.equals(r.getUid())))
        .toList();
  }
}
