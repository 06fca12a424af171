package dev.rootlock.rollout;

import dev.rootlock.diagnosis.Context;
import dev.rootlock.diagnosis.Diagnosis;
import dev.rootlock.diagnosis.ReadOnlyFilesystemErrors;
import dev.rootlock.engine.JsonPatches;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Judges one rollout from what the Deployment controller and the kubelet report: the Deployment's
 * status, its new ReplicaSet and that ReplicaSet's pods. Pure: objects in, verdict out.
 *
 * <p>Complete means what {@code kubectl rollout status} means: the controller has seen the
 * generation and reports the new ReplicaSet available with no old pods left. Failed means a new pod
 * crashed (CrashLoopBackOff, or a container that ended with an error), the controller gave up
 * (ProgressDeadlineExceeded), or the rollout outlived the policy's timeout.
 */
public final class RolloutVerdict {
  static final String POD_TEMPLATE_HASH = "pod-template-hash";
  static final String PROGRESSING = "Progressing";

  private RolloutVerdict() {}

  /** The outcome of one look at a rollout. */
  public sealed interface Verdict {
    record Complete() implements Verdict {}

    /** @param detail progress in words, for the workload message */
    record InProgress(String detail) implements Verdict {}

    /**
     * @param evidence what failed, in words
     * @param diagnosis the read-only-filesystem error found in a crash message, if any
     * @param container the container it concerns, when a container failed
     */
    record Failed(String evidence, Diagnosis diagnosis, String container) implements Verdict {

      /** The evidence, preceded by what to do when the crash says which paths were needed. */
      public String message() {
        return diagnosis.isEmpty() || container == null ? evidence
            : diagnosis.message(container) + " (" + evidence + ")";
      }
    }
  }

  /**
   * @param replicaSets the Deployment's ReplicaSets as watched, or null when not known yet
   * @param pods the pods its selector matches as watched, or null when not known yet
   * @param started when Rootlock wrote the change: conditions and pods older than that are not
   *     this rollout's
   */
  public static Verdict judge(Deployment d, List<ReplicaSet> replicaSets, List<Pod> pods, Instant started,
      Instant now, Duration timeout) {
    DeploymentStatus status = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    boolean observed = isObserved(d);
    if (isComplete(d, started)) {
      return new Verdict.Complete();
    }
    if (observed) {
      Optional<DeploymentCondition> deadline = condition(status, PROGRESSING)
          .filter(c -> "False".equals(c.getStatus()) && "ProgressDeadlineExceeded".equals(c.getReason()))
          .filter(c -> isSince(c, started));
      Optional<Verdict.Failed> crashed = crashedPod(d, replicaSets, pods, started);
      if (crashed.isPresent()) {
        return crashed.get();
      }
      if (deadline.isPresent()) {
        return new Verdict.Failed("the Deployment controller reports ProgressDeadlineExceeded: "
            + deadline.get().getMessage(), Diagnosis.NONE, null);
      }
    }
    String progress = observed ? progress(d) : "waiting for the Deployment controller to see the change";
    // Without a progress deadline the controller keeps no Progressing condition, so "complete"
    // rests on the counts alone, which a drained node can lower long after the rollout: once every
    // pod runs the new template, only a crash counts as failure, never the clock.
    boolean allUpdated = observed && condition(status, PROGRESSING).isEmpty()
        && n(status.getUpdatedReplicas()) >= desired(d);
    if (started != null && !allUpdated && Duration.between(started, now).compareTo(timeout) > 0) {
      return new Verdict.Failed("the rollout did not complete within " + format(timeout) + " (" + progress + ")",
          Diagnosis.NONE, null);
    }
    return new Verdict.InProgress(progress);
  }

  /** True once the Deployment controller has seen the Deployment's current generation. */
  public static boolean isObserved(Deployment d) {
    long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
    return d.getStatus() != null && d.getStatus().getObservedGeneration() != null
        && d.getStatus().getObservedGeneration() >= generation;
  }

  /** When a rollout still in progress times out, for scheduling the next look. */
  public static Duration remaining(Instant started, Instant now, Duration timeout) {
    Duration left = timeout.minus(Duration.between(started, now));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * Complete as {@code kubectl rollout status} means it: the controller has seen the generation,
   * every desired pod runs the new template and no old pod is left, and the controller says the
   * new ReplicaSet is available (Progressing=True, NewReplicaSetAvailable). That condition stays
   * once reached, so a pod lost later does not reopen the rollout; one set before {@code started}
   * belongs to an earlier rollout (the Recreate strategy, for one, shows it while the old pods go).
   * Without a Progressing condition (no progress deadline) the available count decides.
   *
   * @param started when Rootlock wrote the change, or null when unknown
   */
  public static boolean isComplete(Deployment d, Instant started) {
    DeploymentStatus s = d.getStatus();
    if (s == null || !isObserved(d)) {
      return false;
    }
    int desired = desired(d);
    int updated = n(s.getUpdatedReplicas());
    if (updated < desired || n(s.getReplicas()) != updated) {
      return false;
    }
    Optional<DeploymentCondition> progressing = condition(s, PROGRESSING);
    if (progressing.isPresent()) {
      return "True".equals(progressing.get().getStatus())
          && "NewReplicaSetAvailable".equals(progressing.get().getReason())
          && isSince(progressing.get(), started);
    }
    return n(s.getAvailableReplicas()) >= desired;
  }

  /**
   * Whether the controller set the condition after {@code started}. Conditions carry whole
   * seconds and the controller's clock; two seconds of leeway cover both. A condition without a
   * time, or an unknown start, is taken as current.
   */
  static boolean isSince(DeploymentCondition c, Instant started) {
    return notBefore(c.getLastUpdateTime(), started);
  }

  /** A Kubernetes timestamp at or after {@code started}, less two seconds; unknown counts as after. */
  private static boolean notBefore(String timestamp, Instant started) {
    if (started == null || timestamp == null) {
      return true;
    }
    try {
      return !Instant.parse(timestamp).isBefore(started.minusSeconds(2));
    } catch (RuntimeException unparsable) {
      return true;
    }
  }

  private static Optional<Verdict.Failed> crashedPod(Deployment d, List<ReplicaSet> replicaSets, List<Pod> pods,
      Instant started) {
    if (replicaSets == null || pods == null) {
      return Optional.empty();
    }
    Optional<ReplicaSet> current = newReplicaSet(d, replicaSets);
    if (current.isEmpty()) {
      return Optional.empty();
    }
    String rsUid = current.get().getMetadata().getUid();
    return pods.stream()
        .filter(p -> ownedBy(p.getMetadata().getOwnerReferences(), rsUid))
        // a reused ReplicaSet (a template that came back) may still hold pods of its earlier life
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && createdSince(p, started))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(p -> crash(p, d.getSpec().getTemplate()))
        .flatMap(Optional::stream)
        .findFirst();
  }

  /**
   * The ReplicaSet whose template is the Deployment's, ignoring the pod-template-hash label the
   * controller adds: how the Deployment controller itself finds its new ReplicaSet.
   */
  static Optional<ReplicaSet> newReplicaSet(Deployment d, List<ReplicaSet> replicaSets) {
    var want = JsonPatches.tree(withoutHash(d.getSpec().getTemplate()));
    return replicaSets.stream()
        .filter(rs -> ownedBy(rs.getMetadata().getOwnerReferences(), d.getMetadata().getUid()))
        .filter(rs -> rs.getSpec() != null && JsonPatches.tree(withoutHash(rs.getSpec().getTemplate())).equals(want))
        .min(Comparator.comparing(rs -> rs.getMetadata().getCreationTimestamp() == null ? ""
            : rs.getMetadata().getCreationTimestamp()));
  }

  private static PodTemplateSpec withoutHash(PodTemplateSpec t) {
    PodTemplateSpec copy = new PodTemplateSpecBuilder(t).build();
    if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
      Map<String, String> labels = new HashMap<>(copy.getMetadata().getLabels());
      labels.remove(POD_TEMPLATE_HASH);
      copy.getMetadata().setLabels(labels.isEmpty() ? null : labels);
    }
    return copy;
  }

  /** The first container of the pod that crashed, with what its termination message says. */
  private static Optional<Verdict.Failed> crash(Pod pod, PodTemplateSpec template) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getContainerStatuses());
    }
    for (ContainerStatus cs : statuses) {
      ContainerStateTerminated now = cs.getState() == null ? null : cs.getState().getTerminated();
      ContainerStateTerminated last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
      boolean backOff = cs.getState() != null && cs.getState().getWaiting() != null
          && "CrashLoopBackOff".equals(cs.getState().getWaiting().getReason());
      ContainerStateTerminated failed = isError(now) ? now : isError(last) ? last : null;
      if (!backOff && failed == null) {
        continue;
      }
      String how = backOff ? "is in CrashLoopBackOff" : "terminated with an error";
      String exit = failed == null ? "" : " (exit code " + failed.getExitCode()
          + (failed.getReason() == null ? "" : ", " + failed.getReason()) + ")";
      String evidence = "pod " + pod.getMetadata().getName() + ": container " + cs.getName() + " " + how + exit;
      Diagnosis diagnosis = failed == null ? Diagnosis.NONE
          : ReadOnlyFilesystemErrors.diagnose(failed.getMessage(), context(template, cs.getName()));
      return Optional.of(new Verdict.Failed(evidence, diagnosis, cs.getName()));
    }
    return Optional.empty();
  }

  /**
   * Where the container's relative paths and temp files go, as its template says: workingDir and
   * a literal TMPDIR. The image's own working directory is not known here, so a relative path in
   * a container without workingDir stays unresolved (and is never learned).
   */
  static Context context(PodTemplateSpec template, String container) {
    if (template == null || template.getSpec() == null) {
      return Context.UNKNOWN;
    }
    return Stream.concat(stream(template.getSpec().getInitContainers()), stream(template.getSpec().getContainers()))
        .filter(c -> container.equals(c.getName()))
        .findFirst()
        .map(c -> new Context(c.getWorkingDir(), stream(c.getEnv())
            .filter(e -> "TMPDIR".equals(e.getName()) && e.getValueFrom() == null)
            .map(EnvVar::getValue).findFirst().orElse(null)))
        .orElse(Context.UNKNOWN);
  }

  private static <T> Stream<T> stream(List<T> list) {
    return list == null ? Stream.empty() : list.stream();
  }

  private static boolean createdSince(Pod p, Instant started) {
    return notBefore(p.getMetadata().getCreationTimestamp(), started);
  }

  private static int desired(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  private static boolean isError(ContainerStateTerminated t) {
    return t != null && t.getExitCode() != null && t.getExitCode() != 0;
  }

  private static String progress(Deployment d) {
    DeploymentStatus s = d.getStatus();
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    return n(s.getUpdatedReplicas()) + " of " + desired + " pods updated, " + n(s.getAvailableReplicas())
        + " available";
  }

  private static Optional<DeploymentCondition> condition(DeploymentStatus s, String type) {
    return s == null || s.getConditions() == null ? Optional.empty()
        : s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static boolean ownedBy(List<OwnerReference> refs, String uid) {
    return uid != null && refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()));
  }

  private static int n(Integer i) {
    return i == null ? 0 : i;
  }

  static String format(Duration d) {
    return d.toSeconds() % 60 == 0 && d.toMinutes() > 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
  }
}
