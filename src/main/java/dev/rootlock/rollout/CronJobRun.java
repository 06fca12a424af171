package dev.rootlock.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.engine.JsonPatches;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A CronJob starts nothing when its template changes: the first Job it starts afterwards is the
 * test. Until that Job exists there is nothing to watch and nothing to time out (the schedule may
 * be weekly); once it does, its pods are followed. A pod that fails with a read-only-filesystem
 * error fails the change; a Job that fails for anything else does not (batch work fails for its own
 * reasons, and rolling back would not help), nor does one that succeeds.
 *
 * <p>Nothing on the CronJob remembers that its test passed (its Jobs go, by its history limits),
 * so completion does not last: Rootlock remembers the pass and stops following. (Nothing here
 * times out, so a restart only means following its first remaining Job again.)
 */
public final class CronJobRun implements RolloutReader<CronJob> {
  static final String WAITING = "its next Job is the test of this change (none has started yet)";
  private static final List<String> JOB_LABELS = List.of("controller-uid", "job-name",
      "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name");

  @Override
  public Uptake uptake(CronJob c) {
    return Uptake.nextRun("; " + WAITING);
  }

  @Override
  public boolean isComplete(CronJob c, Instant started) {
    return false;
  }

  @Override
  public boolean completionLasts(CronJob c) {
    return false;
  }

  /** A CronJob's status does not report its Jobs' pods: they are watched while a run is followed. */
  @Override
  public boolean watchesRelated() {
    return true;
  }

  @Override
  public Verdict judge(CronJob c, Related related, Instant started, Instant now, Duration timeout) {
    if (!scheduledSince(c, started)) {
      return new Verdict.InProgress(WAITING); // no watch until the CronJob controller says it started one
    }
    // A CronJob's Jobs carry no label of its own: every Job of the namespace, by owner.
    List<Job> jobs = related.list(Job.class, null);
    JsonNode template = withoutJobLabels(c.getSpec().getJobTemplate().getSpec().getTemplate());
    Optional<Job> test = jobs == null ? Optional.empty() : jobs.stream()
        .filter(j -> PodFailures.ownedBy(j.getMetadata().getOwnerReferences(), c.getMetadata().getUid()))
        .filter(j -> Readings.created(j, started))
        // Timestamps have whole seconds: a Job of the template before this change (the one a
        // learn retry follows up on) can look as recent as the change. Its template tells them apart.
        .filter(j -> j.getSpec() != null && template.equals(withoutJobLabels(j.getSpec().getTemplate())))
        .min(Comparator.comparing((Job j) -> String.valueOf(j.getMetadata().getCreationTimestamp()))
            .thenComparing(j -> j.getMetadata().getName()));
    if (test.isEmpty()) {
      return new Verdict.InProgress(WAITING);
    }
    Job job = test.get();
    String following = "following Job " + job.getMetadata().getName() + ", its first since this change";
    List<Pod> pods = related.list(Pod.class, podSelector(job));
    if (pods == null) {
      return new Verdict.InProgress(following);
    }
    List<Verdict.Failed> failures = pods.stream()
        .filter(p -> PodFailures.ownedBy(p.getMetadata().getOwnerReferences(), job.getMetadata().getUid()))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(p -> PodFailures.crash(p, c.getSpec().getJobTemplate().getSpec().getTemplate()))
        .flatMap(Optional::stream)
        .toList();
    Optional<Verdict.Failed> readOnly = failures.stream().filter(f -> !f.diagnosis().isEmpty()).findFirst();
    if (readOnly.isPresent()) {
      Verdict.Failed f = readOnly.get();
      return new Verdict.Failed("Job " + job.getMetadata().getName() + ", " + f.evidence(), f.diagnosis(),
          f.container());
    }
    // The Job's status and its pods come on separate watches: a failed Job is judged only once
    // as many failed pods are seen as it counts, or the evidence could still be on its way.
    int failed = job.getStatus() == null || job.getStatus().getFailed() == null ? 0 : job.getStatus().getFailed();
    if (finished(job) && failures.size() >= failed) {
      return new Verdict.Complete();
    }
    return new Verdict.InProgress(following);
  }

  /** The CronJob controller scheduled a Job after Rootlock's write (its status says so). */
  private static boolean scheduledSince(CronJob c, Instant started) {
    String last = c.getStatus() == null ? null : c.getStatus().getLastScheduleTime();
    if (last == null) {
      return false;
    }
    try {
      return started == null || Instant.parse(last).isAfter(started);
    } catch (RuntimeException unparsable) {
      return true;
    }
  }

  /** Complete or Failed: a Job that runs no more pods. */
  public static boolean finished(Job job) {
    return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions()
        .stream().anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
            && "True".equals(c.getStatus()));
  }

  /**
   * A pod template as a tree without the labels the Job API adds to a Job's template (its uid and
   * name), which the CronJob's own template never has.
   */
  private static JsonNode withoutJobLabels(PodTemplateSpec t) {
    JsonNode tree = JsonPatches.tree(t).deepCopy();
    if (tree.path("metadata").path("labels") instanceof ObjectNode labels) {
      JOB_LABELS.forEach(labels::remove);
      if (labels.isEmpty()) {
        ((ObjectNode) tree.get("metadata")).remove("labels");
      }
    }
    return tree;
  }

  /** The Job's own selector (the API server sets it); by name for one without. */
  private static LabelSelector podSelector(Job job) {
    LabelSelector s = job.getSpec() == null ? null : job.getSpec().getSelector();
    return s != null ? s : new LabelSelectorBuilder().addToMatchLabels("job-name", job.getMetadata().getName()).build();
  }
}
