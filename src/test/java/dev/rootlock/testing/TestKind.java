package dev.rootlock.testing;

import dev.rootlock.workload.WorkloadKind;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

/**
 * The kinds the operator hardens, as tests build them: every integration scenario runs once per
 * kind with the same pod spec, in a manifest a user would write for that kind.
 */
public enum TestKind {
  DEPLOYMENT(WorkloadKinds.DEPLOYMENT, """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: %1$s, namespace: %2$s, labels: %3$s}
      spec:
        replicas: 1
        selector: {matchLabels: {app: %1$s}}
        template:
          metadata: {labels: {app: %1$s}}
      """),
  STATEFUL_SET(WorkloadKinds.STATEFUL_SET, """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: %1$s, namespace: %2$s, labels: %3$s}
      spec:
        replicas: 1
        serviceName: %1$s
        selector: {matchLabels: {app: %1$s}}
        template:
          metadata: {labels: {app: %1$s}}
      """),
  DAEMON_SET(WorkloadKinds.DAEMON_SET, """
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: %1$s, namespace: %2$s, labels: %3$s}
      spec:
        selector: {matchLabels: {app: %1$s}}
        template:
          metadata: {labels: {app: %1$s}}
      """),
  CRON_JOB(WorkloadKinds.CRON_JOB, """
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: %1$s, namespace: %2$s, labels: %3$s}
      spec:
        schedule: "*/5 * * * *"
        jobTemplate:
          spec:
            template:
              metadata: {labels: {app: %1$s}}
      """);

  private final WorkloadKind<?> model;
  private final String manifest;

  TestKind(WorkloadKind<?> model, String manifest) {
    this.model = model;
    this.manifest = manifest;
  }

  public WorkloadKind<?> model() {
    return model;
  }

  public String kind() {
    return model.kind();
  }

  /** A workload of this kind in {@link Fixtures#NS} with these labels and this pod spec (YAML). */
  public HasMetadata build(String name, String labels, String podSpec) {
    HasMetadata o = Manifests.parse(manifest.formatted(name, Fixtures.NS, labels), model.type());
    PodTemplateSpec template = model.template(o);
    template.setSpec(Manifests.parse(podSpec, PodSpec.class));
    if (this == CRON_JOB && template.getSpec().getRestartPolicy() == null) {
      template.getSpec().setRestartPolicy("Never"); // a Job's pods may not restart Always
    }
    return o;
  }

  /** A web workload labelled tier=web with a single nginx container and nothing hardened. */
  public HasMetadata web(String name) {
    return build(name, "{tier: web}", "{containers: [{name: app, image: nginx}]}");
  }

  @Override
  public String toString() {
    return kind();
  }
}
