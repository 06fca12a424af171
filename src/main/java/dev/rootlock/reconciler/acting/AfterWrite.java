package dev.rootlock.reconciler.acting;

import dev.rootlock.events.EventRecorder;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.sources.RequeueEventSource;
import dev.rootlock.reconciler.sources.WorkloadEventMapper;
import dev.rootlock.reconciler.sources.WorkloadInformers;
import dev.rootlock.workload.Workload;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashSet;
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

  public AfterWrite(WorkloadInformers caches, WorkloadEventMapper mapper, RequeueEventSource nudges,
      RootlockMetrics metrics, EventRecorder events) {
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
      boolean harden = action == RootlockMetrics.PatchAction.harden;
      events.normal(after.object(), harden ? "Harden" : "Revert", harden ? "Hardened" : "Reverted",
          (harden ? "policy " + policy + ": " : "policy " + policy + " reverted its hardening: ") + summary);
    }
  }

  @Override
  public void failed(ResourceID writer, Workload w, RootlockMetrics.PatchAction action,
      RootlockMetrics.PatchResult result) {
    metrics.patch(writer.getNamespace().orElseThrow(), writer.getName(), action, result);
  }
}
