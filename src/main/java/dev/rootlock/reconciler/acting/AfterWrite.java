package dev.rootlock.reconciler.acting;

import dev.rootlock.events.EventRecorder;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.sources.RequeueEventSource;
import dev.rootlock.reconciler.sources.WorkloadEventMapper;
import dev.rootlock.reconciler.sources.WorkloadInformers;
import dev.rootlock.workload.Workload;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import dev.rootlock.api.ReadOnlyPolicy;
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
  /** What each policy's current round hardened and reverted, in order: "Deployment web". */
  private final Map<ResourceID, Written> written = new ConcurrentHashMap<>();

  private record Written(List<String> hardened, List<String> reverted) {}

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
      Written w = written.computeIfAbsent(writer, k -> new Written(new ArrayList<>(), new ArrayList<>()));
      String what = after.kind().kind() + " " + after.name();
      (action == RootlockMetrics.PatchAction.harden ? w.hardened() : w.reverted())
          .add(w.hardened().isEmpty() && w.reverted().isEmpty() ? what + " (" + summary + ")" : what);
    }
  }

  /**
   * Ends {@code policy}'s round: one Normal Event on it for what the round hardened ({@code
   * Hardened}) and one for what it reverted ({@code Reverted}), naming the workloads (the first
   * with what changed; the status has each one's message).
   */
  public void announce(ReadOnlyPolicy policy) {
    Written w = written.remove(ResourceID.fromResource(policy));
    if (w == null) {
      return;
    }
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
