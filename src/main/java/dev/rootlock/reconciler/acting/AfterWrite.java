package dev.rootlock.reconciler.acting;

import dev.rootlock.events.EventRecorder;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.sources.RequeueEventSource;
import dev.rootlock.reconciler.sources.WorkloadEventMapper;
import dev.rootlock.reconciler.sources.WorkloadInformers;
import dev.rootlock.workload.Workload;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import dev.rootlock.api.ReadOnlyPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/**
 * What follows each write of a policy: the informer caches the written version at once (so no
 * reconcile computes the same patch from a stale copy), every other policy concerned hears about
 * it (JOSDK recognises the write as Rootlock's own and sends no event for it), and the metrics and
 * Events record it.
 */
public final class AfterWrite implements WorkloadWriter.Listener {
  private final WorkloadInformers caches;
  private final WorkloadEventMapper mapper;
  private final RequeueEventSource nudges;
  private final RootlockMetrics metrics;
  private final EventRecorder events;
  /**
   * How long hardenings wait to be announced while the policy's rollouts go on: a wave paced by
   * spec.rollout.maxInProgress can take many rounds, and a long one still reports as it goes.
   */
  static final Duration ANNOUNCE_WITHIN = Duration.ofMinutes(1);

  /** What each policy hardened and reverted since its last announcement, in order: "Deployment web". */
  private final Map<ResourceID, Written> written = new ConcurrentHashMap<>();
  private final Clock clock;

  private record Written(Instant since, List<String> hardened, List<String> reverted) {}

  public AfterWrite(WorkloadInformers caches, WorkloadEventMapper mapper, RequeueEventSource nudges,
      RootlockMetrics metrics, EventRecorder events, Clock clock) {
    this.clock = clock;
    this.caches = caches;
    this.mapper = mapper;
    this.nudges = nudges;
    this.metrics = metrics;
    this.events = events;
  }

  @Override
  public void written(ResourceID writer, Workload before, Workload after, RootlockMetrics.PatchAction action,
      String summary) {
    caches.written(before, after);
    Set<ResourceID> others = new HashSet<>(mapper.toPrimaryResourceIDs(after));
    others.remove(writer);
    nudges.nudge(others);
    String namespace = writer.getNamespace().orElseThrow();
    String policy = writer.getName();
    metrics.patch(namespace, policy, action, RootlockMetrics.PatchResult.success);
    if (action == RootlockMetrics.PatchAction.rollback) {
      metrics.rolledBack(namespace, policy);
      events.warning(after.object(), "Rollback", "RolledBack", "policy " + policy + ": " + summary);
    } else if (summary != null) {
      Written w = written.computeIfAbsent(writer, k -> new Written(clock.instant(), new ArrayList<>(),
          new ArrayList<>()));
      String what = after.kind().kind() + " " + after.name();
      (action == RootlockMetrics.PatchAction.harden ? w.hardened() : w.reverted())
          .add(w.hardened().isEmpty() && w.reverted().isEmpty() ? what + " (" + summary + ")" : what);
    }
  }

  /**
   * After a round of {@code policy}: once its rollouts have settled (or {@link #ANNOUNCE_WITHIN}
   * after the first unannounced write), one Normal Event on it for what it hardened ({@code
   * Hardened}) and one for what it reverted ({@code Reverted}), naming the workloads (the first
   * with what changed; the status has each one's message).
   *
   * @param settled no workload of the policy is rolling out or waiting for a slot
   */
  public void announce(ReadOnlyPolicy policy, boolean settled) {
    ResourceID id = ResourceID.fromResource(policy);
    Written w = written.get(id);
    if (w == null || !settled && clock.instant().isBefore(w.since().plus(ANNOUNCE_WITHIN))) {
      return;
    }
    written.remove(id);
    if (!w.hardened().isEmpty()) {
      events.normal(policy, "Harden", "Hardened", "hardened " + count(w.hardened()) + ": " + String.join(", ", w.hardened()));
    }
    if (!w.reverted().isEmpty()) {
      events.normal(policy, "Revert", "Reverted", "reverted the hardening of " + count(w.reverted()) + ": "
          + String.join(", ", w.reverted()));
    }
  }

  private static String count(List<String> workloads) {
    return workloads.size() == 1 ? "1 workload" : workloads.size() + " workloads";
  }

  @Override
  public void failed(ResourceID writer, Workload w, RootlockMetrics.PatchAction action,
      RootlockMetrics.PatchResult result) {
    metrics.patch(writer.getNamespace().orElseThrow(), writer.getName(), action, result);
  }
}
