package dev.rootlock.reconciler.round;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.workload.Workload;
import java.time.Duration;
import java.util.List;

/**
 * What happened to one workload in one reconcile.
 *
 * @param kind the workload's kind ("StatefulSet")
 * @param reason CamelCase word for the state, also used for condition reasons
 * @param transientFailure true when a retry later may succeed (5xx, 429, timeouts)
 * @param following true while Rootlock follows what its change started (the watches of it stay open)
 * @param warnings memory risks of the hardening ("tmpfs may use up to 192Mi of app's 256Mi limit")
 */
public record WorkloadOutcome(String kind, String name, WorkloadState state, String reason, String message,
    Action action, boolean transientFailure, List<String> learned, Duration recheckIn, boolean following,
    List<String> warnings) {

  public WorkloadOutcome {
    learned = List.copyOf(learned);
    warnings = List.copyOf(warnings);
  }

  public enum Action {
    NONE,
    HARDENED,
    REVERTED,
    ROLLED_BACK
  }

  public static final String ROLLOUT_FAILED = "RolloutFailed";

  public static WorkloadOutcome of(Workload w, WorkloadState state, String reason, String message) {
    return of(w.kind().kind(), w.name(), state, reason, message);
  }

  public static WorkloadOutcome of(String kind, String name, WorkloadState state, String reason, String message) {
    return new WorkloadOutcome(kind, name, state, reason, message, Action.NONE, false, List.of(), null, false,
        List.of());
  }

  /** A Failed outcome; {@code transientFailure} when trying again later may succeed. */
  public static WorkloadOutcome failed(Workload w, String reason, String message, boolean transientFailure) {
    return new WorkloadOutcome(w.kind().kind(), w.name(), WorkloadState.Failed, reason, message, Action.NONE,
        transientFailure, List.of(), null, false, List.of());
  }

  /** Reason of {@link #gone}. */
  public static final String GONE = "NotFound";

  /**
   * The workload was deleted while Rootlock wrote to it (HTTP 404, or a conflict whose fresh read
   * found nothing): nothing is left to harden or revert, and nothing about it needs fixing.
   */
  public static WorkloadOutcome gone(Workload w) {
    return failed(w, GONE, "deleted while being updated; nothing left to write", false);
  }

  /** True for {@link #gone}: the workload no longer exists. */
  public boolean isGone() {
    return GONE.equals(reason) && state == WorkloadState.Failed;
  }

  public WorkloadOutcome withAction(Action a) {
    return new WorkloadOutcome(kind, name, state, reason, message, a, transientFailure, learned, recheckIn, following,
        warnings);
  }

  /** Directories learned for this workload, for its status entry. */
  public WorkloadOutcome withLearned(List<String> paths) {
    return new WorkloadOutcome(kind, name, state, reason, message, action, transientFailure, paths, recheckIn,
        following, warnings);
  }

  /** Look again after {@code d} even if nothing happens (a rollout timeout). */
  public WorkloadOutcome withRecheck(Duration d) {
    return new WorkloadOutcome(kind, name, state, reason, message, action, transientFailure, learned, d, following,
        warnings);
  }

  /** Rootlock keeps following what its change started: a rollout, a failure it keeps, a CronJob's next Job. */
  public WorkloadOutcome followed() {
    return new WorkloadOutcome(kind, name, state, reason, message, action, transientFailure, learned, recheckIn, true,
        warnings);
  }

  /** The hardening's memory risks, for the status message, the Event and the metric. */
  public WorkloadOutcome withWarnings(List<String> w) {
    return new WorkloadOutcome(kind, name, state, reason, message, action, transientFailure, learned, recheckIn,
        following, w);
  }

  public static WorkloadOutcome invalidRecord(Workload w, RevertRecord.InvalidRevertRecordException e) {
    return failed(w, "RevertRecordInvalid", "annotation " + Annotations.REVERT + " cannot be trusted ("
        + e.getMessage() + "); Rootlock leaves this " + w.kind() + " alone. Restore the annotation, or remove it "
        + "and the " + Annotations.OWNER + " annotation after checking the pod template by hand", false);
  }

  /** "read-only root filesystem with writable paths in place", with what a person should know. */
  public static String compliant(Hardening h) {
    String notes = h.notes();
    if (!h.findings(Finding.Kind.NOTHING_TO_HARDEN).isEmpty()) {
      return notes;
    }
    return "read-only root filesystem with writable paths in place" + (notes.isEmpty() ? "" : "; " + notes);
  }

  /** Why a rolled-back workload is left as it is. */
  public static String notRetried(Workload w) {
    return "; not retried until the policy spec or the " + w.kind() + "'s pod template changes";
  }

  /** No workload rolling out or waiting for a slot: the policy's wave of rollouts has settled. */
  public static boolean settled(List<WorkloadOutcome> outcomes) {
    return outcomes.stream().noneMatch(o -> o.state() == WorkloadState.RollingOut
        || o.state() == WorkloadState.Pending);
  }
}
