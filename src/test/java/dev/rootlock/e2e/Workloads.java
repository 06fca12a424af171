package dev.rootlock.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;

/**
 * Workloads and policies for the end-to-end suite, written as YAML as a user writes them. Their
 * one container is {@code app}; its image is never pulled (KWOK runs no container).
 */
final class Workloads {
  private Workloads() {}

  /** The pod spec's containers, in YAML flow style so it fits any indentation. */
  static final String CONTAINERS = "containers: [{name: app, image: registry.example/app:1, "
      + "resources: {limits: {memory: 512Mi}}}]";

  static String deployment(String name, int replicas, String strategy) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %1$s, labels: {tier: e2e}}
        spec:
          replicas: %2$d
          strategy: {type: %3$s}
          selector: {matchLabels: {app: %1$s}}
          template:
            metadata: {labels: {app: %1$s}}
            spec: {%4$s}
        """.formatted(name, replicas, strategy, CONTAINERS);
  }

  static String statefulSet(String name, int replicas, String updateStrategy) {
    return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: %1$s, labels: {tier: e2e}}
        spec:
          replicas: %2$d
          serviceName: %1$s
          updateStrategy: %3$s
          selector: {matchLabels: {app: %1$s}}
          template:
            metadata: {labels: {app: %1$s}}
            spec: {%4$s}
        """.formatted(name, replicas, updateStrategy, CONTAINERS);
  }

  static String daemonSet(String name) {
    return """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: %1$s, labels: {tier: e2e}}
        spec:
          selector: {matchLabels: {app: %1$s}}
          template:
            metadata: {labels: {app: %1$s}}
            spec: {%2$s}
        """.formatted(name, CONTAINERS);
  }

  static String cronJob(String name, String schedule) {
    return """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: %1$s, labels: {tier: e2e}}
        spec:
          schedule: "%2$s"
          successfulJobsHistoryLimit: 1
          jobTemplate:
            spec:
              template:
                metadata: {labels: {app: %1$s}}
                spec: {restartPolicy: Never, %3$s}
        """.formatted(name, schedule, CONTAINERS);
  }

  static String policy(String name, String spec) {
    return """
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata: {name: %s}
        spec: %s
        """.formatted(name, spec);
  }

  /** How many live, ready pods with these labels run their app container read-only. */
  static long podsRunningHardened(Kube kube, String labels) {
    return pods(kube, labels).stream().filter(Workloads::isReady).filter(p -> hardened(p.getSpec().getContainers()))
        .count();
  }

  /** The names of the live pods with these labels whose app container runs read-only. */
  static List<String> hardenedPodNames(Kube kube, String labels) {
    return pods(kube, labels).stream().filter(p -> hardened(p.getSpec().getContainers()))
        .map(p -> p.getMetadata().getName()).toList();
  }

  /** How many Jobs of the CronJob ran its hardened template to success. */
  static long jobsRunHardened(Kube kube, String cronJob) {
    return kube.admin().batch().v1().jobs().inNamespace(kube.namespace()).list().getItems().stream()
        .filter(j -> j.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getName().equals(cronJob)))
        .filter(j -> hardened(j.getSpec().getTemplate().getSpec().getContainers()))
        .filter(Workloads::succeeded).count();
  }

  private static List<Pod> pods(Kube kube, String labels) {
    String[] kv = labels.split("=", 2);
    return kube.admin().pods().inNamespace(kube.namespace()).withLabel(kv[0], kv[1]).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
  }

  private static boolean hardened(List<Container> containers) {
    return containers.stream().filter(c -> c.getName().equals("app")).anyMatch(c -> c.getSecurityContext() != null
        && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem()));
  }

  private static boolean isReady(Pod p) {
    return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  private static boolean succeeded(Job j) {
    return j.getStatus() != null && j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() > 0;
  }
}
