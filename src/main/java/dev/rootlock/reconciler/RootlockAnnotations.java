package dev.rootlock.reconciler;

import dev.rootlock.api.Annotations;
import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.workload.Workload;
import java.util.HashMap;
import java.util.Map;

/** The annotations Rootlock keeps on a workload, and the words it reports about them. */
public final class RootlockAnnotations {
  private RootlockAnnotations() {}

  /**
   * The workload's annotations with Rootlock's own set (or removed). The owner stays while there
   * is a revert record or a rollout record (a rolled-back workload is still its policy's: no other
   * policy should harden it into the same crash).
   *
   * @param owner the policy, or null when Rootlock lets go of the workload
   */
  public static Map<String, String> desired(Workload w, RevertRecord record, String owner, RolloutRecord rollout) {
    Map<String, String> annotations = new HashMap<>(w.annotations());
    boolean hasRollout = owner != null && rollout != null && !rollout.isEmpty();
    if (owner == null || (record.isEmpty() && !hasRollout)) {
      annotations.remove(Annotations.OWNER);
    } else {
      annotations.put(Annotations.OWNER, owner);
    }
    if (owner == null || record.isEmpty()) {
      annotations.remove(Annotations.REVERT);
    } else {
      annotations.put(Annotations.REVERT, record.toJson());
    }
    if (hasRollout) {
      annotations.put(Annotations.ROLLOUT, rollout.toJson());
    } else {
      annotations.remove(Annotations.ROLLOUT);
    }
    return annotations;
  }

  static Outcome invalidRecord(Workload w, RevertRecord.InvalidRevertRecordException e) {
    return Outcome.failed(w, "RevertRecordInvalid", "annotation " + Annotations.REVERT + " cannot be trusted ("
        + e.getMessage() + "); Rootlock leaves this " + w.kind() + " alone. Restore the annotation, or remove it "
        + "and the " + Annotations.OWNER + " annotation after checking the pod template by hand", false);
  }

  /** "read-only root filesystem with writable paths in place", with what a person should know. */
  static String compliant(Hardening h) {
    String notes = h.notes();
    if (!h.findings(Finding.Kind.NOTHING_TO_HARDEN).isEmpty()) {
      return notes;
    }
    return "read-only root filesystem with writable paths in place" + (notes.isEmpty() ? "" : "; " + notes);
  }

  /** Why a rolled-back workload is left as it is. */
  static String notRetried(Workload w) {
    return "; not retried until the policy spec or the " + w.kind() + "'s pod template changes";
  }
}
