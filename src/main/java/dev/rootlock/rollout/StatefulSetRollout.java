package dev.rootlock.rollout;

import dev.rootlock.diagnosis.Diagnosis;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A StatefulSet's rolling update, judged from its status and its pods. The StatefulSet controller
 * updates pods one ordinal at a time from the highest down to {@code partition}; pods below the
 * partition keep the old revision. With {@code OnDelete} it updates none: a pod picks the change up
 * when someone deletes it, so there is nothing to follow and nothing to roll back.
 */
public final class StatefulSetRollout implements RolloutReader<StatefulSet> {
  /** The revision a StatefulSet (or DaemonSet) pod was created from. */
  static final String REVISION = "controller-revision-hash";

  @Override
  public Uptake uptake(StatefulSet s) {
    int partition = partition(s);
    Uptake rollingUpdate = partition > 0 && partition >= replicas(s)
        ? Uptake.deferred("; its rollingUpdate partition (" + partition + ") is not below its replicas ("
            + replicas(s) + "), so no pod picks the change up until the partition is lowered")
        : Uptake.ROLL_OUT;
    var strategy = s.getSpec().getUpdateStrategy();
    return Uptake.onDeleteOr(strategy == null ? null : strategy.getType(), rollingUpdate);
  }

  /**
   * Without a partition: the controller sets currentRevision to updateRevision only once every
   * replica runs the update and is ready (kube-controller-manager's completeRollingUpdate), and
   * leaves it there, so a pod lost an hour later does not reopen the rollout. With a partition the
   * pods below it keep the old revision for good: complete once every ordinal at or above it is
   * updated and every replica is ready, as {@code kubectl rollout status} reads it; that reading
   * does not last (a pod lost later lowers it), so Rootlock remembers the pass and stops following.
   */
  @Override
  public boolean isComplete(StatefulSet s, Instant started) {
    StatefulSetStatus st = s.getStatus();
    if (st == null || !Readings.observed(s, st.getObservedGeneration()) || st.getUpdateRevision() == null) {
      return false;
    }
    if (partition(s) == 0) {
      return st.getUpdateRevision().equals(st.getCurrentRevision());
    }
    return allUpdated(s) && Readings.n(st.getReadyReplicas()) >= replicas(s);
  }

  @Override
  public boolean completionLasts(StatefulSet s) {
    return partition(s) == 0;
  }

  /**
   * With a partition (without one the revisions keep saying "complete"): every ordinal from the
   * partition up runs the change and more pods are ready than the old ones below the partition, so
   * at least one updated pod is. A pod lost later lowers only the ready count; a rolling update that
   * stalled stops at the first ordinal whose new pod never gets ready.
   */
  @Override
  public boolean couldHavePassed(StatefulSet s) {
    StatefulSetStatus st = s.getStatus();
    return partition(s) > 0 && st != null && Readings.observed(s, st.getObservedGeneration())
        && allUpdated(s) && Readings.n(st.getReadyReplicas()) > replicas(s) - Readings.n(st.getUpdatedReplicas());
  }

  @Override
  public boolean relatedKnown(StatefulSet s, Related related) {
    return related.list(Pod.class, s.getSpec().getSelector()) != null;
  }

  @Override
  public Verdict judge(StatefulSet s, Related related, Instant started, Instant now, Duration timeout) {
    if (isComplete(s, started)) {
      return new Verdict.Complete();
    }
    StatefulSetStatus st = s.getStatus();
    boolean observed = st != null && Readings.observed(s, st.getObservedGeneration()) && st.getUpdateRevision() != null;
    // No status field tells a crash from a slow start: the pods are looked at once the status
    // has stood still a while since the change (Related.quiet), and again at that pace.
    if (observed && Readings.stalled(started, now, related.quiet())) {
      List<Pod> pods = related.list(Pod.class, s.getSpec().getSelector());
      if (pods != null) {
        var crashed = PodFailures.first(pods.stream()
            .filter(p -> PodFailures.ownedBy(p.getMetadata().getOwnerReferences(), s.getMetadata().getUid()))
            .filter(p -> st.getUpdateRevision().equals(Readings.label(p, REVISION))), s.getSpec().getTemplate(), started);
        if (crashed.isPresent()) {
          return crashed.get();
        }
      }
    }
    String progress = observed ? progress(s) : "waiting for the StatefulSet controller to see the change";
    if (Readings.timedOut(started, now, timeout)) {
      return new Verdict.Failed("the rollout did not complete within " + Readings.format(timeout) + " ("
          + progress + ")", Diagnosis.NONE, null);
    }
    return new Verdict.InProgress(progress, observed ? Readings.nextLook(started, now, related.quiet()) : null);
  }

  private static boolean allUpdated(StatefulSet s) {
    return Readings.n(s.getStatus().getUpdatedReplicas()) >= Math.max(0, replicas(s) - partition(s));
  }

  private static String progress(StatefulSet s) {
    StatefulSetStatus st = s.getStatus();
    int partition = partition(s);
    return Readings.n(st.getUpdatedReplicas()) + " of " + Math.max(0, replicas(s) - partition) + " pods updated"
        + (partition > 0 ? " (ordinals from " + partition + " up; spec.updateStrategy.rollingUpdate.partition)" : "")
        + ", " + Readings.n(st.getReadyReplicas()) + " of " + replicas(s) + " ready";
  }

  static int partition(StatefulSet s) {
    var strategy = s.getSpec().getUpdateStrategy();
    return strategy == null || strategy.getRollingUpdate() == null ? 0
        : Readings.n(strategy.getRollingUpdate().getPartition());
  }

  private static int replicas(StatefulSet s) {
    return s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
  }
}
