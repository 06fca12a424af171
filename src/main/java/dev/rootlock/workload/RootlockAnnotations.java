package dev.rootlock.workload;

import dev.rootlock.api.Annotations;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.rollout.RolloutRecord;
import java.util.HashMap;
import java.util.Map;

/** The annotations Rootlock keeps on a workload: the owner, the revert record and the rollout record. */
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
}
