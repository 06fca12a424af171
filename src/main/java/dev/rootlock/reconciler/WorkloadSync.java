package dev.rootlock.reconciler;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.Mode;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one Deployment to what one policy wants: hardened, or released (reverted). Decides with
 * the {@link Hardener}, writes with the {@link DeploymentPatcher}, and turns the result into an
 * {@link Outcome}. On a write conflict it re-reads and decides again, a bounded number of times.
 */
final class WorkloadSync {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadSync.class);
  static final int MAX_ATTEMPTS = 3;

  private final Hardener hardener = new Hardener();
  private final DeploymentPatcher patcher;
  private final BiConsumer<Deployment, Deployment> onWritten;

  /** @param onWritten told (before, after) about every Deployment written, so caches can catch up */
  WorkloadSync(DeploymentPatcher patcher, BiConsumer<Deployment, Deployment> onWritten) {
    this.patcher = patcher;
    this.onWritten = onWritten;
  }

  /** Hardens a Deployment that {@code policy} owns. */
  Outcome harden(String policy, PolicyRules rules, Deployment read) {
    Deployment d = read;
    for (int attempt = 1; ; attempt++) {
      String name = d.getMetadata().getName();
      RevertRecord prior;
      try {
        prior = RevertRecord.parse(annotation(d, Annotations.REVERT));
      } catch (RevertRecord.InvalidRevertRecordException e) {
        return invalidRecord(name, e);
      }
      Hardening h = hardener.harden(d.getSpec().getTemplate(), rules, prior);
      Deployment desired = withResult(d, h, policy);
      ArrayNode ops = patcher.diff(d, desired);
      if (ops.isEmpty()) {
        return Outcome.of(name, WorkloadState.Compliant, "Compliant", Messages.compliant(h));
      }
      if (rules.mode() == Mode.Audit) {
        String what = h.changed() ? "would change: " + h.changeSummary() : "revert record needs an update";
        return Outcome.of(name, WorkloadState.NonCompliant, "NonCompliant",
            what + " (Audit mode: nothing written; set mode: Enforce to apply)");
      }
      Write w = write(d, ops, attempt);
      if (w.retryWith() != null) {
        d = w.retryWith();
        continue;
      }
      if (w.failure() != null) {
        return w.failure();
      }
      LOG.info("hardened namespace={} policy={} workload={} changes={}", d.getMetadata().getNamespace(),
          policy, name, ops.size());
      // The same message the next reconcile will compute, so the status settles in one write.
      return Outcome.of(name, WorkloadState.Compliant, "Compliant", Messages.compliant(h))
          .withAction(h.changed() ? Outcome.Action.HARDENED : Outcome.Action.NONE);
    }
  }

  /**
   * Undoes what the revert record says was done and drops Rootlock's annotations. Used when a
   * workload is excluded, no longer selected, or its policy is deleted.
   */
  Outcome release(String policy, Deployment read, WorkloadState state, String why) {
    Deployment d = read;
    for (int attempt = 1; ; attempt++) {
      String name = d.getMetadata().getName();
      RevertRecord prior;
      try {
        prior = RevertRecord.parse(annotation(d, Annotations.REVERT));
      } catch (RevertRecord.InvalidRevertRecordException e) {
        return invalidRecord(name, e);
      }
      Hardening h = hardener.revert(d.getSpec().getTemplate(), prior);
      Deployment desired = withResult(d, h, null);
      ArrayNode ops = patcher.diff(d, desired);
      if (ops.isEmpty()) {
        return Outcome.of(name, state, state.name(), why);
      }
      Write w = write(d, ops, attempt);
      if (w.retryWith() != null) {
        d = w.retryWith();
        continue;
      }
      if (w.failure() != null) {
        return w.failure();
      }
      String leftAlone = Messages.join(h.findings(Finding.Kind.CHANGED_BY_OTHERS));
      LOG.info("reverted namespace={} policy={} workload={} reason=\"{}\"{}", d.getMetadata().getNamespace(),
          policy, name, why, leftAlone.isEmpty() ? "" : " kept=\"" + leftAlone + "\"");
      return Outcome.of(name, state, state.name(), why).withAction(Outcome.Action.REVERTED);
    }
  }

  private record Write(Deployment retryWith, Outcome failure) {}

  private Write write(Deployment d, ArrayNode ops, int attempt) {
    String name = d.getMetadata().getName();
    try {
      onWritten.accept(d, patcher.patch(d, ops));
      return new Write(null, null);
    } catch (KubernetesClientException e) {
      int code = e.getCode();
      if (code == 409 || code == 422) {
        // 409: the resourceVersion pin failed; 422: a real API server reports a failed `test` op so.
        Deployment fresh = patcher.read(d.getMetadata().getNamespace(), name);
        if (fresh == null) {
          return new Write(null, Outcome.of(name, WorkloadState.Failed, "NotFound", "deleted while being updated"));
        }
        boolean moved = !fresh.getMetadata().getResourceVersion().equals(d.getMetadata().getResourceVersion());
        if (moved && attempt < MAX_ATTEMPTS) {
          LOG.debug("conflict namespace={} workload={} attempt={}; re-reading", d.getMetadata().getNamespace(), name, attempt);
          return new Write(fresh, null);
        }
        if (moved) {
          return new Write(null, new Outcome(name, WorkloadState.Failed, "WriteConflict",
              "changed by another writer " + MAX_ATTEMPTS + " times in a row; will retry", Outcome.Action.NONE, true));
        }
      }
      boolean transientFailure = code == 0 || code == 429 || code >= 500;
      String message = e.getStatus() != null && e.getStatus().getMessage() != null
          ? e.getStatus().getMessage() : e.getMessage();
      LOG.warn("patch refused namespace={} workload={} code={} message=\"{}\"", d.getMetadata().getNamespace(),
          name, code, message);
      return new Write(null, new Outcome(name, WorkloadState.Failed, transientFailure ? "ApiError" : "PatchRejected",
          "the API server refused the patch (HTTP " + code + "): " + message
              + (transientFailure ? "; will retry" : "; fix the Deployment or exclude it"),
          Outcome.Action.NONE, transientFailure));
    }
  }

  private static Outcome invalidRecord(String name, RevertRecord.InvalidRevertRecordException e) {
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

  /** Short human messages from findings. */
  static final class Messages {
    private Messages() {}

    static String compliant(Hardening h) {
      String notes = h.notes();
      return "read-only root filesystem with writable paths in place" + (notes.isEmpty() ? "" : "; " + notes);
    }

    static String join(List<Finding> findings) {
      return String.join(", ", findings.stream().map(Finding::describe).toList());
    }
  }
}
