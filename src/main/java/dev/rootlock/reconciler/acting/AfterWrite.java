package dev.rootlock.reconciler.acting;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.events.EventRecorder;
import dev.rootlock.events.Gathering;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.sources.RequeueEventSource;
import dev.rootlock.reconciler.sources.WorkloadEventMapper;
import dev.rootlock.reconciler.sources.WorkloadInformers;
import dev.rootlock.workload.Workload;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
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
  /** What each policy hardened and reverted since it last told of them: "Deployment web". */
  private final Gathering hardened;
  private final Gathering reverted;

  public AfterWrite(WorkloadInformers caches, WorkloadEventMapper mapper, RequeueEventSource nudges,
      RootlockMetrics metrics, EventRecorder events, Clock clock) {
    this.hardened = new Gathering(clock);
    this.reverted = new Gathering(clock);
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
      String what = after.kind().kind() + " " + after.name();
      (action == RootlockMetrics.PatchAction.harden ? hardened : reverted)
          .add(writer, what + " (" + summary + ")", what);
    }
  }

  /**
   * After a round of {@code policy}: when due ({@link Gathering#takeIfDue}), one Normal Event on
   * it for what it hardened ({@code Hardened}) and one for what it reverted ({@code Reverted}),
   * naming the workloads (the first of each with what changed; the status has each one's message).
   *
   * @param settled no workload of the policy is rolling out or waiting for a slot
   */
  public void announce(ReadOnlyPolicy policy, boolean settled) {
    ResourceID id = ResourceID.fromResource(policy);
    List<String> h = hardened.takeIfDue(id, settled);
    if (!h.isEmpty()) {
      events.normal(policy, "Harden", "Hardened", "hardened " + Gathering.workloads(h) + ": " + String.join(", ", h));
    }
    List<String> r = reverted.takeIfDue(id, settled);
    if (!r.isEmpty()) {
      events.normal(policy, "Revert", "Reverted", "reverted the hardening of " + Gathering.workloads(r) + ": "
          + String.join(", ", r));
    }
  }

  @Override
  public void failed(ResourceID writer, Workload w, RootlockMetrics.PatchAction action,
      RootlockMetrics.PatchResult result) {
    metrics.patch(writer.getNamespace().orElseThrow(), writer.getName(), action, result);
  }
}
