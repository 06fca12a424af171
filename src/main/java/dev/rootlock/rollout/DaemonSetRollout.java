package dev.rootlock.rollout;

import dev.rootlock.diagnosis.Diagnosis;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A DaemonSet's rolling update, judged from its status and its pods: complete when every node that
 * should run it runs the new template and is available ({@code kubectl rollout status}). A
 * DaemonSet that should run nowhere (no node matches) has nothing to wait for. With {@code
 * OnDelete} no pod is replaced by itself, so nothing is followed.
 *
 * <p>Nothing in a DaemonSet's status keeps saying the rollout completed: a node that joins later
 * lowers the counts until its pod runs. So completion does not last: Rootlock remembers the pass
 * and stops following, and a node added an hour later is never taken for a stalled rollout.
 */
public final class DaemonSetRollout implements RolloutReader<DaemonSet> {
  /** The DaemonSet generation a pod was created from, set by the DaemonSet controller. */
  static final String TEMPLATE_GENERATION = "pod-template-generation";

  @Override
  public Uptake uptake(DaemonSet d) {
    var strategy = d.getSpec().getUpdateStrategy();
    return Uptake.onDeleteOr(strategy == null ? null : strategy.getType(), Uptake.ROLL_OUT);
  }

  @Override
  public boolean isComplete(DaemonSet d, Instant started) {
    DaemonSetStatus s = d.getStatus();
    if (s == null || !Readings.observed(d, s.getObservedGeneration())) {
      return false;
    }
    int desired = Readings.n(s.getDesiredNumberScheduled());
    return Readings.n(s.getUpdatedNumberScheduled()) >= desired && Readings.n(s.getNumberAvailable()) >= desired;
  }

  @Override
  public boolean completionLasts(DaemonSet d) {
    return false;
  }

  /**
   * Every node runs the change and some pod is available: a node that joined (its pod made from the
   * current template at once) or went down lowers only the available count, while a rolling update
   * that stalled stops replacing pods (at spec.updateStrategy.rollingUpdate.maxUnavailable) with
   * nodes still on the old template. Not with maxSurge: an old pod kept beside a new one counts as
   * available while the new one is not.
   */
  @Override
  public boolean couldHavePassed(DaemonSet d) {
    DaemonSetStatus s = d.getStatus();
    if (s == null || !Readings.observed(d, s.getObservedGeneration()) || surges(d)) {
      return false;
    }
    int desired = Readings.n(s.getDesiredNumberScheduled());
    return Readings.n(s.getUpdatedNumberScheduled()) >= desired
        && (desired == 0 || Readings.n(s.getNumberAvailable()) > 0);
  }

  @Override
  public boolean relatedKnown(DaemonSet d, Related related) {
    return related.list(Pod.class, d.getSpec().getSelector()) != null;
  }

  private static boolean surges(DaemonSet d) {
    var strategy = d.getSpec().getUpdateStrategy();
    var surge = strategy == null || strategy.getRollingUpdate() == null ? null
        : strategy.getRollingUpdate().getMaxSurge();
    if (surge == null) {
      return false;
    }
    String v = surge.getStrVal() != null ? surge.getStrVal() : String.valueOf(surge.getIntVal());
    return !v.equals("0") && !v.equals("0%") && !v.equals("null");
  }

  @Override
  public Verdict judge(DaemonSet d, Related related, Instant started, Instant now, Duration timeout) {
    if (isComplete(d, started)) {
      return new Verdict.Complete();
    }
    DaemonSetStatus s = d.getStatus();
    boolean observed = s != null && Readings.observed(d, s.getObservedGeneration());
    // No status field tells a crash from a slow start: the pods are looked at once the status
    // has stood still a while since the change (Related.quiet), and again at that pace.
    if (observed && Readings.stalled(started, now, related.quiet())) {
      List<Pod> pods = related.list(Pod.class, d.getSpec().getSelector());
      if (pods != null) {
        String generation = String.valueOf(Readings.generation(d));
        var crashed = PodFailures.first(pods.stream()
            .filter(p -> PodFailures.ownedBy(p.getMetadata().getOwnerReferences(), d.getMetadata().getUid()))
            // the controller labels each pod with the generation it was made from; one without the
            // label is judged by its creation time alone
            .filter(p -> {
              String from = Readings.label(p, TEMPLATE_GENERATION);
              return from == null || from.equals(generation);
            }), d.getSpec().getTemplate(), started);
        if (crashed.isPresent()) {
          return crashed.get();
        }
      }
    }
    String progress = observed ? Readings.n(s.getUpdatedNumberScheduled()) + " of "
        + Readings.n(s.getDesiredNumberScheduled()) + " nodes updated, " + Readings.n(s.getNumberAvailable())
        + " available" : "waiting for the DaemonSet controller to see the change";
    if (Readings.timedOut(started, now, timeout)) {
      return new Verdict.Failed("the rollout did not complete within " + Readings.format(timeout) + " ("
          + progress + ")", Diagnosis.NONE, null);
    }
    return new Verdict.InProgress(progress, observed ? Readings.nextLook(started, now, related.quiet()) : null);
  }
}
