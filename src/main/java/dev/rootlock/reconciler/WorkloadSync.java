package dev.rootlock.reconciler;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.metrics.RootlockMetrics;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one Deployment, as read, to what one policy wants: hardened, evaluated (Audit), or
 * released (reverted). Decides with the {@link Hardener}, writes with the {@link DeploymentPatcher}.
 * A write that loses a race returns {@link Step.Retry} with a fresh read, so the caller decides
 * everything again (exclusion, ownership, selection) before trying once more.
 */
final class WorkloadSync {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadSync.class);

  private final Hardener hardener = new Hardener();
  private final DeploymentPatcher patcher;
  private final Listener listener;

  /** Told about every write attempt, so caches, metrics and events can follow. */
  interface Listener {
    /** @param summary what changed in the pod template, or null when only annotations changed */
    void written(Deployment before, Deployment after, RootlockMetrics.Action action, String summary);

    void failed(Deployment d, RootlockMetrics.Action action, RootlockMetrics.Result result);
  }

  /** What one attempt came to. */
  sealed interface Step {
    record Done(Outcome outcome) implements Step {}

    record Retry(Deployment fresh) implements Step {}
  }

  WorkloadSync(DeploymentPatcher patcher, Listener listener) {
    this.patcher = patcher;
    this.listener = listener;
  }

  /** Hardens a Deployment {@code policy} owns, continuing from its revert record. */
  Step harden(String policy, PolicyRules rules, Deployment d) {
    String name = d.getMetadata().getName();
    RevertRecord prior;
    try {
      prior = RevertRecord.parse(annotation(d, Annotations.REVERT));
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return new Step.Done(invalidRecord(name, e));
    }
    Hardening h = hardener.harden(d.getSpec().getTemplate(), rules, prior);
    ArrayNode ops = patcher.diff(d, withResult(d, h, policy));
    if (ops.isEmpty()) {
      return new Step.Done(Outcome.of(name, WorkloadState.Compliant, "Compliant", compliantMessage(h)));
    }
    Step failed = write(d, ops, RootlockMetrics.Action.harden, h.changed() ? h.changeSummary() : null);
    if (failed != null) {
      return failed;
    }
    LOG.info("hardened namespace={} policy={} workload={} changes=\"{}\"", d.getMetadata().getNamespace(),
        policy, name, h.changed() ? h.changeSummary() : "revert record");
    // The same message the next reconcile will compute, so the status settles in one write.
    return new Step.Done(Outcome.of(name, WorkloadState.Compliant, "Compliant", compliantMessage(h))
        .withAction(h.changed() ? Outcome.Action.HARDENED : Outcome.Action.NONE));
  }

  /** Audit: what hardening would do, written nowhere. {@code prior} is this policy's own record or empty. */
  Outcome evaluate(PolicyRules rules, Deployment d, boolean ownRecord) {
    String name = d.getMetadata().getName();
    RevertRecord prior = RevertRecord.EMPTY;
    if (ownRecord) {
      try {
        prior = RevertRecord.parse(annotation(d, Annotations.REVERT));
      } catch (RevertRecord.InvalidRevertRecordException e) {
        return invalidRecord(name, e);
      }
    }
    Hardening h = hardener.harden(d.getSpec().getTemplate(), rules, prior);
    if (!h.changed()) {
      return Outcome.of(name, WorkloadState.Compliant, "Compliant", compliantMessage(h));
    }
    return Outcome.of(name, WorkloadState.NonCompliant, "NonCompliant", "would change: " + h.changeSummary()
        + " (Audit mode: nothing written; set mode: Enforce to apply)");
  }

  /**
   * Undoes what the revert record says was done and drops Rootlock's annotations. Used when a
   * workload is excluded, no longer selected, or its policy is deleted.
   */
  Step release(String policy, Deployment d, WorkloadState state, String why) {
    String name = d.getMetadata().getName();
    RevertRecord prior;
    try {
      prior = RevertRecord.parse(annotation(d, Annotations.REVERT));
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return new Step.Done(invalidRecord(name, e));
    }
    Hardening h = hardener.revert(d.getSpec().getTemplate(), prior);
    ArrayNode ops = patcher.diff(d, withResult(d, h, null));
    if (ops.isEmpty()) {
      return new Step.Done(Outcome.of(name, state, state.name(), why));
    }
    Step failed = write(d, ops, RootlockMetrics.Action.revert, h.changed() ? why : null);
    if (failed != null) {
      return failed;
    }
    String leftAlone = String.join(", ", h.findings(Finding.Kind.CHANGED_BY_OTHERS).stream()
        .map(Finding::describe).toList());
    LOG.info("reverted namespace={} policy={} workload={} reason=\"{}\"{}", d.getMetadata().getNamespace(),
        policy, name, why, leftAlone.isEmpty() ? "" : " kept=\"" + leftAlone + "\"");
    return new Step.Done(Outcome.of(name, state, state.name(), why).withAction(Outcome.Action.REVERTED));
  }

  /** Null when written; otherwise a retry after a lost race, or the failure to report. */
  private Step write(Deployment d, ArrayNode ops, RootlockMetrics.Action action, String summary) {
    String namespace = d.getMetadata().getNamespace();
    String name = d.getMetadata().getName();
    try {
      listener.written(d, patcher.patch(d, ops), action, summary);
      return null;
    } catch (KubernetesClientException e) {
      int code = e.getCode();
      if (code == 409 || code == 422) {
        // 409: the resourceVersion pin failed. 422 can also mean a list moved under an index op.
        Deployment fresh = patcher.read(namespace, name);
        if (fresh == null) {
          listener.failed(d, action, RootlockMetrics.Result.conflict);
          return new Step.Done(Outcome.of(name, WorkloadState.Failed, "NotFound", "deleted while being updated"));
        }
        if (!fresh.getMetadata().getResourceVersion().equals(d.getMetadata().getResourceVersion())) {
          LOG.debug("conflict namespace={} workload={}; re-reading", namespace, name);
          listener.failed(d, action, RootlockMetrics.Result.conflict);
          return new Step.Retry(fresh);
        }
      }
      listener.failed(d, action, RootlockMetrics.Result.error);
      // A 409 whose object did not move is the server's own contention: try again later.
      boolean transientFailure = code == 0 || code == 409 || code == 429 || code >= 500;
      String message = e.getStatus() != null && e.getStatus().getMessage() != null
          ? e.getStatus().getMessage() : e.getMessage();
      LOG.warn("patch refused namespace={} workload={} code={} message=\"{}\"", namespace, name, code, message);
      return new Step.Done(new Outcome(name, WorkloadState.Failed, transientFailure ? "ApiError" : "PatchRejected",
          "the API server refused the patch (HTTP " + code + "): " + message
              + (transientFailure ? "; will retry" : "; fix the Deployment or exclude it"),
          Outcome.Action.NONE, transientFailure));
    }
  }

  static Outcome invalidRecord(String name, RevertRecord.InvalidRevertRecordException e) {
    return Outcome.of(name, WorkloadState.Failed, "RevertRecordInvalid",
        "annotation " + Annotations.REVERT + " cannot be trusted (" + e.getMessage()
            + "); Rootlock leaves this Deployment alone. Restore the annotation, or remove it and the "
            + Annotations.OWNER + " annotation after checking the pod template by hand");
  }

  /** The Deployment with the hardener's template and Rootlock's annotations set (or removed). */
  private static Deployment withResult(Deployment d, Hardening h, String owner) {
    Deployment desired = new DeploymentBuilder(d).build();
    desired.getSpec().setTemplate(h.template());
    Map<String, String> annotations = new HashMap<>(
        d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations());
    if (owner == null || h.record().isEmpty()) {
      annotations.remove(Annotations.OWNER);
      annotations.remove(Annotations.REVERT);
    } else {
      annotations.put(Annotations.OWNER, owner);
      annotations.put(Annotations.REVERT, h.record().toJson());
    }
    desired.getMetadata().setAnnotations(annotations);
    return desired;
  }

  static String annotation(Deployment d, String key) {
    Map<String, String> a = d.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  private static String compliantMessage(Hardening h) {
    String notes = h.notes();
    if (!h.findings(Finding.Kind.NOTHING_TO_HARDEN).isEmpty()) {
      return notes;
    }
    return "read-only root filesystem with writable paths in place" + (notes.isEmpty() ? "" : "; " + notes);
  }
}
