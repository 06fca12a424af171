package dev.rootlock.rollout;

import dev.rootlock.diagnosis.Diagnosis;
import dev.rootlock.engine.JsonPatches;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Deployment's rollout, judged from what the Deployment controller and the kubelet report: the
 * Deployment's status, its new ReplicaSet and that ReplicaSet's pods.
 *
 * <p>Complete means what {@code kubectl rollout status} means: the controller has seen the
 * generation and reports the new ReplicaSet available with no old pods left. Failed means a new pod
 * crashed (CrashLoopBackOff, or a container that ended with an error), the controller gave up
 * (ProgressDeadlineExceeded), or the rollout outlived the policy's timeout.
 */
public final class DeploymentRollout implements RolloutReader<Deployment> {
  static final String POD_TEMPLATE_HASH = "pod-template-hash";
  static final String PROGRESSING = "Progressing";
  static final String PAUSED_NOTE = "; the Deployment is paused, so changes roll out when it is resumed";

  @Override
  public Uptake uptake(Deployment d) {
    return Boolean.TRUE.equals(d.getSpec().getPaused()) ? Uptake.deferred(PAUSED_NOTE) : Uptake.ROLL_OUT;
  }

  @Override
  public Verdict judge(Deployment d, Related related, Instant started, Instant now, Duration timeout) {
    DeploymentStatus status = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    boolean observed = isObserved(d);
    if (isComplete(d, started)) {
      return new Verdict.Complete();
    }
    // Progress shows in the status (each step moves the Progressing condition's lastUpdateTime);
    // the pods are looked at only once it stood still for a while, since a crash shows nowhere else.
    Instant since = Readings.later(started, condition(status, PROGRESSING).map(DeploymentCondition::getLastUpdateTime)
        .orElse(null));
    if (observed) {
      if (Readings.stalled(since, now, related.quiet())) {
        Optional<Verdict.Failed> crashed = crashedPod(d, related, started);
        if (crashed.isPresent()) {
          return crashed.get();
        }
      }
      Optional<DeploymentCondition> deadline = condition(status, PROGRESSING)
          .filter(c -> "False".equals(c.getStatus()) && "ProgressDeadlineExceeded".equals(c.getReason()))
          .filter(c -> isSince(c, started));
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
        && Readings.n(status.getUpdatedReplicas()) >= desired(d);
    if (!allUpdated && Readings.timedOut(started, now, timeout)) {
      return new Verdict.Failed("the rollout did not complete within " + Readings.format(timeout) + " ("
          + progress + ")", Diagnosis.NONE, null);
    }
    return new Verdict.InProgress(progress, observed ? Readings.nextLook(since, now, related.quiet()) : null);
  }

  /** True once the Deployment controller has seen the Deployment's current generation. */
  static boolean isObserved(Deployment d) {
    return d.getStatus() != null && Readings.observed(d, d.getStatus().getObservedGeneration());
  }

  /**
   * Complete as {@code kubectl rollout status} means it: the controller has seen the generation,
   * every desired pod runs the new template and no old pod is left, and the controller says the
   * new ReplicaSet is available (Progressing=True, NewReplicaSetAvailable). That condition stays
   * once reached, so a pod lost later does not reopen the rollout; one set before {@code started}
   * belongs to an earlier rollout (the Recreate strategy, for one, shows it while the old pods go),
   * and then, as without a Progressing condition (no progress deadline), the available count decides.
   */
  @Override
  public boolean isComplete(Deployment d, Instant started) {
    DeploymentStatus s = d.getStatus();
    if (s == null || !isObserved(d)) {
      return false;
    }
    int desired = desired(d);
    int updated = Readings.n(s.getUpdatedReplicas());
    if (updated < desired || Readings.n(s.getReplicas()) != updated) {
      return false;
    }
    Optional<DeploymentCondition> progressing = condition(s, PROGRESSING).filter(c -> isSince(c, started));
    if (progressing.isPresent()) {
      return "True".equals(progressing.get().getStatus())
          && "NewReplicaSetAvailable".equals(progressing.get().getReason());
    }
    // No condition, or one the controller has not rewritten since the change: it keeps a
    // condition, times included, while its status and reason stay the same, so a rollout quick
    // enough that no status write caught it in progress ends with the earlier rollout's
    // NewReplicaSetAvailable (seen on the real controller with a Recreate Deployment). The counts
    // decide, as kubectl rollout status decides.
    return Readings.n(s.getAvailableReplicas()) >= desired;
  }

  /** Whether the controller set the condition after {@code started} (a condition without a time counts). */
  static boolean isSince(DeploymentCondition c, Instant started) {
    return Readings.notBefore(c.getLastUpdateTime(), started);
  }

  /**
   * A crashed pod of the change: the pods first (one LIST), and the ReplicaSets (a second) only
   * when one created since the change crashed, to tell the new ReplicaSet's pods from an old one's.
   */
  private static Optional<Verdict.Failed> crashedPod(Deployment d, Related related, Instant started) {
    List<Pod> pods = related.list(Pod.class, d.getSpec().getSelector());
    if (pods == null || PodFailures.first(pods.stream(), d.getSpec().getTemplate(), started).isEmpty()) {
      return Optional.empty();
    }
    List<ReplicaSet> replicaSets = related.list(ReplicaSet.class, d.getSpec().getSelector());
    Optional<ReplicaSet> current = replicaSets == null ? Optional.empty() : newReplicaSet(d, replicaSets);
    if (current.isEmpty()) {
      return Optional.empty();
    }
    String rsUid = current.get().getMetadata().getUid();
    return PodFailures.first(pods.stream().filter(p -> PodFailures.ownedBy(p.getMetadata().getOwnerReferences(), rsUid)),
        d.getSpec().getTemplate(), started);
  }

  /**
   * The ReplicaSet whose template is the Deployment's, ignoring the pod-template-hash label the
   * controller adds: how the Deployment controller itself finds its new ReplicaSet.
   */
  static Optional<ReplicaSet> newReplicaSet(Deployment d, List<ReplicaSet> replicaSets) {
    var want = JsonPatches.tree(withoutHash(d.getSpec().getTemplate()));
    return replicaSets.stream()
        .filter(rs -> PodFailures.ownedBy(rs.getMetadata().getOwnerReferences(), d.getMetadata().getUid()))
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

  private static int desired(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  private static String progress(Deployment d) {
    DeploymentStatus s = d.getStatus();
    return Readings.n(s.getUpdatedReplicas()) + " of " + desired(d) + " pods updated, "
        + Readings.n(s.getAvailableReplicas()) + " available";
  }

  private static Optional<DeploymentCondition> condition(DeploymentStatus s, String type) {
    return s == null || s.getConditions() == null ? Optional.empty()
        : s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
