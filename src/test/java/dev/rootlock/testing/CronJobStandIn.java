package dev.rootlock.testing;

import dev.rootlock.testing.ClusterControllers.App;
import dev.rootlock.testing.ClusterControllers.Run;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CronJob and Job controllers: a template change starts nothing, but for a CronJob with an app
 * the schedule comes {@link ClusterControllers#jobAfter a moment} after each change: a Job (owned
 * by the CronJob, selecting its pods by {@code job-name}) and its pod appear, the CronJob's status
 * shows the run, and the pod crashes (restartPolicy Never: the container terminates with its log)
 * or succeeds, and the Job with it. A CronJob without an app never runs (its schedule never comes
 * in a test).
 */
final class CronJobStandIn extends StandIn<CronJob> {
  private final Map<String, Long> seen = new ConcurrentHashMap<>();

  CronJobStandIn(ClusterControllers cluster) {
    super(cluster, CronJob.class);
  }

  /** A CronJob's status says nothing of generations: what this stand-in has seen stands for it. */
  @Override
  Long observedGeneration(CronJob c) {
    return seen.get(key(c));
  }

  /** A run after each change of the template (or any spec change); none for the creation itself. */
  @Override
  void changed(CronJob c) {
    long generation = generation(c);
    Long last = seen.get(key(c));
    seen.merge(key(c), generation, Math::max);
    cluster.observed(key(c), true);
    App app = cluster.app(c.getMetadata().getName());
    if (last == null || generation <= last || app == null) {
      return;
    }
    cluster.later(cluster.jobDelay(c.getMetadata().getName()), () -> run(c, generation, app));
  }

  private void run(CronJob c, long generation, App app) {
    CronJob now = get(c);
    if (now == null || generation(now) != generation) {
      return; // a newer change has its own run
    }
    String namespace = c.getMetadata().getNamespace();
    String jobName = c.getMetadata().getName() + "-" + cluster.seq();
    PodTemplateSpec template = now.getSpec().getJobTemplate().getSpec().getTemplate();
    Job job = cluster.client().resource(new JobBuilder()
        .withNewMetadata().withName(jobName).withNamespace(namespace)
        .withOwnerReferences(
            KubeletStandIn.owner("batch/v1", "CronJob", c.getMetadata().getName(), now.getMetadata().getUid()))
        .endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("job-name", jobName).endSelector().withTemplate(template)
        .endSpec().build()).create();
    Instant scheduled = Instant.now();
    patchStatus(now, cronStatus(scheduled, job, null));
    Run run = app.run(template);
    Pod pod = cluster.kubelet().create(namespace, jobName + "-" + cluster.seq(), template,
        Map.of("job-name", jobName), KubeletStandIn.owner("batch/v1", "Job", jobName, job.getMetadata().getUid()), run);
    if (run instanceof Run.Crash) {
      jobStatus(job, new JobStatusBuilder().withFailed(1).withConditions(new JobConditionBuilder().withType("Failed")
          .withStatus("True").withReason("BackoffLimitExceeded").build()).build());
      patchStatus(now, cronStatus(scheduled, null, null));
    } else if (run instanceof Run.Healthy h) {
      cluster.later(h.startup(), () -> {
        cluster.kubelet().succeeded(pod);
        jobStatus(job, new JobStatusBuilder().withSucceeded(1).withCompletionTime(Instant.now().toString())
            .withConditions(new JobConditionBuilder().withType("Complete").withStatus("True").build()).build());
        patchStatus(now, cronStatus(scheduled, null, Instant.now()));
      });
    }
  }

  /** What the CronJob controller reports: when it last scheduled, what runs, when one last succeeded. */
  private static CronJobStatus cronStatus(Instant scheduled, Job active, Instant succeeded) {
    return new CronJobStatusBuilder()
        // milliseconds, not whole seconds: a test's change and its run can fall in one second,
        // where a real schedule tick is whole minutes after the change
        .withLastScheduleTime(scheduled.toString())
        .withActive(active == null ? List.of() : List.of(new ObjectReferenceBuilder().withApiVersion("batch/v1")
            .withKind("Job").withName(active.getMetadata().getName()).withNamespace(active.getMetadata().getNamespace())
            .withUid(active.getMetadata().getUid()).build()))
        .withLastSuccessfulTime(succeeded == null ? null : succeeded.toString())
        .build();
  }

  private void jobStatus(Job job, JobStatus status) {
    cluster.client().batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName()).editStatus(x -> {
          x.setStatus(status);
          return x;
        });
  }

  @Override
  Object completeStatus(CronJob c) {
    throw new UnsupportedOperationException("a CronJob has no rollout");
  }

  @Override
  void rollOut(CronJob fresh, App app) {
    throw new UnsupportedOperationException("a CronJob has no rollout");
  }
}
