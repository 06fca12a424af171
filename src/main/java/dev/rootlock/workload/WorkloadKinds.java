package dev.rootlock.workload;

import dev.rootlock.api.ControllerKind;
import dev.rootlock.rollout.CronJobRun;
import dev.rootlock.rollout.DaemonSetRollout;
import dev.rootlock.rollout.DeploymentRollout;
import dev.rootlock.rollout.StatefulSetRollout;
import dev.rootlock.workload.WorkloadKind.Role;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every kind Rootlock knows, in one table. Where each keeps its pod template is what every policy
 * tool that maps pod controllers agrees on (Kyverno's autogen, for one): {@code spec.template} for
 * Deployments, StatefulSets, DaemonSets and Jobs, {@code spec.jobTemplate.spec.template} for
 * CronJobs.
 */
public final class WorkloadKinds {
  public static final WorkloadKind<Deployment> DEPLOYMENT = new WorkloadKind<>("Deployment", "apps", "v1",
      "deployments", Deployment.class, "/spec/template", d -> d.getSpec() == null ? null : d.getSpec().getTemplate(),
      Role.HARDENED, ControllerKind.Deployment, false, d -> true, new DeploymentRollout());

  public static final WorkloadKind<StatefulSet> STATEFUL_SET = new WorkloadKind<>("StatefulSet", "apps", "v1",
      "statefulsets", StatefulSet.class, "/spec/template", s -> s.getSpec() == null ? null : s.getSpec().getTemplate(),
      Role.HARDENED, ControllerKind.StatefulSet, false, s -> true, new StatefulSetRollout());

  public static final WorkloadKind<DaemonSet> DAEMON_SET = new WorkloadKind<>("DaemonSet", "apps", "v1",
      "daemonsets", DaemonSet.class, "/spec/template", d -> d.getSpec() == null ? null : d.getSpec().getTemplate(),
      Role.HARDENED, ControllerKind.DaemonSet, false, d -> true, new DaemonSetRollout());

  public static final WorkloadKind<CronJob> CRON_JOB = new WorkloadKind<>("CronJob", "batch", "v1",
      "cronjobs", CronJob.class, "/spec/jobTemplate/spec/template", WorkloadKinds::template,
      Role.HARDENED, ControllerKind.CronJob, false, c -> true, new CronJobRun());

  /**
   * A Job's template cannot change once created: the operator reports a standalone one while it
   * runs and never writes it; a Job a CronJob started is covered by that CronJob.
   */
  public static final WorkloadKind<Job> JOB = new WorkloadKind<>("Job", "batch", "v1",
      "jobs", Job.class, "/spec/template", j -> j.getSpec() == null ? null : j.getSpec().getTemplate(),
      Role.REPORTED, ControllerKind.CronJob, true, j -> !CronJobRun.finished(j), null);

  /** A Pod is its own template: its metadata and spec. */
  public static final WorkloadKind<Pod> POD = new WorkloadKind<>("Pod", "", "v1",
      "pods", Pod.class, "", p -> p.getSpec() == null ? null : new PodTemplateSpec(p.getMetadata(), p.getSpec()),
      Role.PLANNED, null, true, p -> true, null);

  /** The kinds the operator hardens, in the order status entries of one name are listed. */
  public static final List<WorkloadKind<?>> HARDENED = List.of(DEPLOYMENT, STATEFUL_SET, DAEMON_SET, CRON_JOB);

  /** The kinds the operator caches: those it hardens, and Jobs, which it reports. */
  public static final List<WorkloadKind<?>> WATCHED = Stream.concat(HARDENED.stream(), Stream.of(JOB)).toList();

  /** The kinds {@code plan} hardens in manifests. */
  public static final List<WorkloadKind<?>> PLANNED = Stream.concat(WATCHED.stream(), Stream.of(POD)).toList();

  private WorkloadKinds() {}

  /**
   * The kind a manifest with this apiVersion and kind is, if Rootlock knows it. Any version of the
   * group counts (apps/v1beta2, batch/v1beta1): older versions keep the template in the same place.
   */
  public static Optional<WorkloadKind<?>> of(String apiVersion, String kind) {
    int slash = apiVersion == null ? -1 : apiVersion.indexOf('/');
    String group = apiVersion == null ? null : slash < 0 ? "" : apiVersion.substring(0, slash);
    return PLANNED.stream().filter(k -> k.kind().equals(kind) && k.group().equals(group)).findFirst();
  }

  public static WorkloadKind<?> named(String kind) {
    return PLANNED.stream().filter(k -> k.kind().equals(kind)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown workload kind " + kind));
  }

  private static PodTemplateSpec template(CronJob c) {
    return c.getSpec() == null || c.getSpec().getJobTemplate() == null || c.getSpec().getJobTemplate().getSpec() == null
        ? null : c.getSpec().getJobTemplate().getSpec().getTemplate();
  }
}
