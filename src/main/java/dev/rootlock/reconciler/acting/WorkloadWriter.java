package dev.rootlock.reconciler.acting;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.reconciler.round.WorkloadStep;
import dev.rootlock.workload.Workload;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one write and turns what the API server answers into what to do next: the workload as
 * written, a fresh read to decide again from (a lost race), or a Failed outcome that says why.
 */
public final class WorkloadWriter {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadWriter.class);

  private final WorkloadPatcher patcher;
  private final Listener listener;

  /** Told about every write attempt, so caches, metrics and events can follow. */
  interface Listener {
    /**
     * @param policy the policy that wrote
     * @param summary what changed in the pod template, or null when only annotations changed
     */
    void written(ResourceID policy, Workload before, Workload after, RootlockMetrics.PatchAction action,
        String summary);

    void failed(ResourceID policy, Workload w, RootlockMetrics.PatchAction action, RootlockMetrics.PatchResult result);
  }

  /** Either the workload as written, or the step to take instead (a retry, a failure to report). */
  public record Attempt(Workload written, WorkloadStep failed) {}

  public WorkloadWriter(WorkloadPatcher patcher, Listener listener) {
    this.patcher = patcher;
    this.listener = listener;
  }

  public WorkloadPatcher patcher() {
    return patcher;
  }

  /**
   * Sends {@code ops} (a JSON Patch pinned to {@code w}'s resourceVersion) for {@code policy}.
   *
   * @param summary what changes in the pod template, for the Event; null when only annotations change
   */
  public Attempt write(ResourceID policy, Workload w, ArrayNode ops, RootlockMetrics.PatchAction action,
      String summary) {
    try {
      Workload after = patcher.patch(w, ops);
      listener.written(policy, w, after, action, summary);
      return new Attempt(after, null);
    } catch (KubernetesClientException e) {
      return new Attempt(null, refused(policy, w, e, action));
    }
  }

  private WorkloadStep refused(ResourceID policy, Workload w, KubernetesClientException e,
      RootlockMetrics.PatchAction action) {
    int code = e.getCode();
    if (code == 409 || code == 422) {
      // 409: the resourceVersion pin failed. 422 can also mean a list moved under an index op.
      Workload fresh = patcher.read(w);
      if (fresh == null) {
        listener.failed(policy, w, action, RootlockMetrics.PatchResult.conflict);
        return WorkloadStep.done(WorkloadOutcome.gone(w));
      }
      if (!fresh.resourceVersion().equals(w.resourceVersion())) {
        LOG.debug("conflict namespace={} workload={}; re-reading", w.namespace(), w.name());
        listener.failed(policy, w, action, RootlockMetrics.PatchResult.conflict);
        return new WorkloadStep.Retry(fresh);
      }
    }
    if (code == 404) {
      // deleted since it was read (its namespace going, say): not the workload's fault, nothing to fix
      listener.failed(policy, w, action, RootlockMetrics.PatchResult.conflict);
      return WorkloadStep.done(WorkloadOutcome.gone(w));
    }
    listener.failed(policy, w, action, RootlockMetrics.PatchResult.error);
    // A 409 whose object did not move is the server's own contention: try again later.
    boolean transientFailure = code == 0 || code == 409 || code == 429 || code >= 500;
    String message = e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage() : e.getMessage();
    LOG.warn("patch refused namespace={} kind={} workload={} code={} message=\"{}\"", w.namespace(),
        w.kind(), w.name(), code, message);
    return WorkloadStep.done(WorkloadOutcome.failed(w, transientFailure ? "ApiError" : "PatchRejected",
        "the API server refused the patch (HTTP " + code + "): " + message
            + (transientFailure ? "; will retry" : "; fix the " + w.kind() + " or exclude it"), transientFailure));
  }
}
