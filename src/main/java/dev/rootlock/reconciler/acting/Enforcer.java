package dev.rootlock.reconciler.acting;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.decision.Decision;
import dev.rootlock.decision.DecisionLadder;
import dev.rootlock.decision.EngineAnswer;
import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.observing.DriftFights;
import dev.rootlock.reconciler.observing.RolloutFollower;
import dev.rootlock.reconciler.round.EngineAnswerCache;
import dev.rootlock.reconciler.round.Reconcile;
import dev.rootlock.reconciler.round.RolloutSlots;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.reconciler.round.WorkloadStep;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.rollout.Uptake;
import dev.rootlock.workload.RootlockAnnotations;
import dev.rootlock.workload.Workload;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one workload, as read, to what one policy wants: hardened, evaluated (Audit, and the
 * kinds Rootlock only reports), or released (reverted). Decides with the {@link Hardener}, writes
 * with the {@link WorkloadWriter}, and leaves following what a change starts to the
 * {@link RolloutFollower}. A write that loses a race returns {@link WorkloadStep.Retry} with a fresh read,
 * so the caller decides everything again (exclusion, ownership, selection) before trying once more.
 */
public final class Enforcer {
  private static final Logger LOG = LoggerFactory.getLogger(Enforcer.class);

  private final Hardener hardener;
  private final WorkloadWriter writer;
  private final RolloutFollower follower;
  private final Clock clock;
  private final DriftFights fights;
  static final String AUDIT_ADVICE = " (Audit mode: nothing written; set mode: Enforce to apply)";
  /** For the kinds Rootlock only reports: a Job's template cannot change once it exists. */
  static final String REPORTED_ADVICE = "; a Job's pod template cannot change once it is created, so Rootlock "
      + "only reports it: harden its manifest with rootlock plan, or start it from a CronJob the policy selects";

  /** Built once for the operator; everything about one reconcile comes with each call as a {@link Reconcile}. */
  public Enforcer(Hardener hardener, WorkloadWriter writer, RolloutFollower follower, Clock clock,
      DriftFights fights) {
    this.hardener = hardener;
    this.writer = writer;
    this.follower = follower;
    this.clock = clock;
    this.fights = fights;
  }

  /**
   * Hardens a workload the policy of {@code r} owns, continuing from its revert record, and follows what the
   * hardening starts, as the kind's {@link Uptake} says: a rollout (paced), nothing (OnDelete, a
   * paused Deployment), or a CronJob's next Job.
   */
  public WorkloadStep harden(Reconcile r, Workload w) {
    EngineAnswerCache memo = r.answers();
    String revert = w.annotation(Annotations.REVERT);
    RevertRecord prior;
    try {
      prior = memo.revert(revert);
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return WorkloadStep.done(WorkloadOutcome.invalidRecord(w, e));
    }
    RolloutRecord rollout = memo.rollout(w);
    RolloutRecord.RolledBack rb = rollout.rolledBack();
    if (rb != null && rb.holds(r.name(), r.generation(), w.object().getMetadata().getGeneration(),
        w.template())) {
      // Same spec, same app: hardening would fail the same way. Wait for either to change.
      return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.RolledBack, "RolledBack", rb.message()
          + WorkloadOutcome.notRetried(w)).withLearned(rollout.learned()));
    }
    if (w.uptake().takesSlot() && r.slots().isFull()) {
      EngineAnswerCache.Due due = memo.pendingChange(w, r.rules(), rollout.learned(), revert);
      if (due != null) {
        // still waiting for a slot, with nothing changed since: no need to harden it again
        return WorkloadStep.done(pending(w, due.change(), r.slots(), rollout).withWarnings(due.warnings()));
      }
    }
    Hardening h = memo.harden(w, r.rules(), rollout.learned(), rollout.seeded(), prior, revert);
    Decision answer = DecisionLadder.answer(new Decision.Harden(), EngineAnswer.of(h));
    if (answer instanceof Decision.SkippedForMemoryRisk skip) {
      return skip.undo() ? withWarnings(release(r, w, WorkloadState.NonCompliant, skip.message()), h)
          : WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.NonCompliant, "MemoryRisk", skip.message())
              .withWarnings(h.warnings()));
    }
    return withWarnings(harden(r, w, h, answer instanceof Decision.Change, prior, rollout), h);
  }

  /** @param change whether the ladder says the engine's change is to be written (else: compliant as it is) */
  private WorkloadStep harden(Reconcile r, Workload w, Hardening h, boolean change, RevertRecord prior,
      RolloutRecord rollout) {
    RolloutRecord.RolledBack rb = rollout.rolledBack();
    Uptake uptake = w.uptake();
    if (change) {
      if (DriftFights.isCorrection(h, prior)) {
        // someone reverted what Rootlock did: correct it, unless this has become a fight
        DriftFights.CorrectOrStop d = fights.decide(w, rollout, r.generation());
        if (d instanceof DriftFights.CorrectOrStop.Stop stop) {
          return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.Conflict, DriftFights.REASON, stop.message())
              .withLearned(rollout.learned()));
        }
        rollout = ((DriftFights.CorrectOrStop.Correct) d).record();
      }
      if (uptake.takesSlot() && !r.slots().tryStart()) {
        r.answers().rememberPending(w, rollout.learned(), w.annotation(Annotations.REVERT), h);
        return WorkloadStep.done(pending(w, h.changeSummary(), r.slots(), rollout));
      }
      // A new hardening (first, after a spec or template change, after drift): learning starts over.
      RolloutRecord next = uptake.isFollowed()
          ? rollout.started(w.generation() + 1, clock.instant(), 0, rollout.learned())
          : new RolloutRecord(null, null, 0, rollout.learned(), null, rollout.corrections());
      WorkloadStep step = follower.start(r, w, h, next, h.changeSummary(), uptake);
      boolean started = step instanceof WorkloadStep.Done done && done.outcome().state() == WorkloadState.RollingOut;
      if (uptake.takesSlot() && !started) {
        r.slots().release(); // the write failed or lost a race: no rollout started
      }
      return step;
    }
    Workload current = w;
    RolloutRecord keep = rb == null ? rollout : rollout.rolledBack(null);
    // The template is as wanted, so only annotations can differ: compare those, cheaply, before
    // diffing (this runs for every selected workload on every reconcile).
    Map<String, String> wanted = RootlockAnnotations.desired(w, h.record(), r.name(), keep);
    if (!wanted.equals(w.annotations())) {
      var ops = writer.patcher().diff(w, h.template(), wanted);
      if (!ops.isEmpty()) {
        // Only annotations differ (a record lost or edited, a stale rollback): metadata, so no rollout.
        WorkloadWriter.Attempt a = writer.write(r.policy(), w, ops, RootlockMetrics.PatchAction.harden, null);
        if (a.failed() != null) {
          return a.failed();
        }
        current = a.written();
      }
    }
    String deferred = uptake.isFollowed() ? "" : uptake.note();
    WorkloadOutcome compliant = WorkloadOutcome.of(w, WorkloadState.Compliant, "Compliant", WorkloadOutcome.compliant(h)
        + deferred).withLearned(rollout.learned());
    if (!uptake.isFollowed() || !rollout.follows(current.object().getMetadata().getGeneration())) {
      return WorkloadStep.done(compliant);
    }
    return follower.follow(r, current, prior, rollout, compliant, uptake);
  }

  private static WorkloadOutcome pending(Workload w, String change, RolloutSlots slots, RolloutRecord rollout) {
    return WorkloadOutcome.of(w, WorkloadState.Pending, "Pending", "hardening due (" + change
        + "); waiting for a rollout slot: " + slots.describe()).withLearned(rollout.learned());
  }

  /**
   * What hardening would do, written nowhere: Audit, and kinds Rootlock only reports.
   *
   * @param asked the ladder's {@link Decision.Audit} (whose own revert record counts) or
   *     {@link Decision.ReportOnly} (another policy's record is none of its business)
   */
  public WorkloadOutcome evaluate(Reconcile r, Workload w, Decision asked) {
    EngineAnswerCache memo = r.answers();
    boolean ownRecord = asked instanceof Decision.Audit audit && audit.ownRecord();
    String revert = ownRecord ? w.annotation(Annotations.REVERT) : null;
    RevertRecord prior;
    try {
      prior = memo.revert(revert);
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return WorkloadOutcome.invalidRecord(w, e);
    }
    Hardening h = memo.harden(w, r.rules(), List.of(), List.of(), prior, revert);
    Decision answer = DecisionLadder.answer(asked, EngineAnswer.of(h));
    WorkloadOutcome o;
    if (answer instanceof Decision.SkippedForMemoryRisk skip) {
      o = WorkloadOutcome.of(w, WorkloadState.NonCompliant, "MemoryRisk", skip.message());
    } else if (answer instanceof Decision.WouldChange would) {
      o = WorkloadOutcome.of(w, WorkloadState.NonCompliant, "NonCompliant", "would change: " + h.changeSummary()
          + (would.reportOnly() ? REPORTED_ADVICE : AUDIT_ADVICE));
    } else {
      o = WorkloadOutcome.of(w, WorkloadState.Compliant, "Compliant", WorkloadOutcome.compliant(h));
    }
    return o.withWarnings(h.warnings());
  }

  private static WorkloadStep withWarnings(WorkloadStep step, Hardening h) {
    return step instanceof WorkloadStep.Done done && !h.warnings().isEmpty()
        ? WorkloadStep.done(done.outcome().withWarnings(h.warnings())) : step;
  }

  /**
   * Undoes what the revert record says was done and drops Rootlock's annotations. Used when a
   * workload is excluded, no longer selected, or its policy is deleted.
   */
  public WorkloadStep release(Reconcile r, Workload w, WorkloadState state, String why) {
    RevertRecord prior;
    try {
      prior = r.answers().revert(w.annotation(Annotations.REVERT));
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return WorkloadStep.done(WorkloadOutcome.invalidRecord(w, e));
    }
    Hardening h = hardener.revert(w.template(), prior);
    var ops = writer.patcher().diff(w, h.template(), RootlockAnnotations.desired(w, h.record(), null, null));
    if (ops.isEmpty()) {
      return WorkloadStep.done(WorkloadOutcome.of(w, state, state.name(), why));
    }
    WorkloadWriter.Attempt a = writer.write(r.policy(), w, ops, RootlockMetrics.PatchAction.revert,
        h.changed() ? why : null);
    if (a.failed() != null) {
      return a.failed();
    }
    String leftAlone = String.join(", ", h.findings(Finding.Kind.CHANGED_BY_OTHERS).stream()
        .map(Finding::describe).toList());
    LOG.info("reverted namespace={} policy={} kind={} workload={} reason=\"{}\"{}", w.namespace(), r.name(), w.kind(),
        w.name(), why, leftAlone.isEmpty() ? "" : " kept=\"" + leftAlone + "\"");
    return WorkloadStep.done(WorkloadOutcome.of(w, state, state.name(), why)
        .withAction(WorkloadOutcome.Action.REVERTED));
  }
}
