package dev.rootlock.reconciler;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.rollout.Uptake;
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
 * {@link RolloutFollower}. A write that loses a race returns {@link Step.Retry} with a fresh read,
 * so the caller decides everything again (exclusion, ownership, selection) before trying once more.
 */
final class WorkloadSync {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadSync.class);

  private final Hardener hardener;
  private final HardeningMemo memo;
  private final WorkloadWriter writer;
  private final RolloutFollower follower;
  private final Clock clock;
  private final DriftFights fights;

  /** The policy doing the work: its name, and its generation (a rollback holds until it changes). */
  record Policy(String name, long generation) {}

  WorkloadSync(HardeningMemo memo, WorkloadWriter writer, RolloutFollower follower, Clock clock, DriftFights fights) {
    this.hardener = memo.hardener();
    this.memo = memo;
    this.writer = writer;
    this.follower = follower;
    this.clock = clock;
    this.fights = fights;
  }

  /**
   * Hardens a workload {@code policy} owns, continuing from its revert record, and follows what the
   * hardening starts, as the kind's {@link Uptake} says: a rollout (paced), nothing (OnDelete, a
   * paused Deployment), or a CronJob's next Job.
   */
  Step harden(Policy policy, PolicyRules rules, Workload w, Pacer pacer) {
    String revert = w.annotation(Annotations.REVERT);
    RevertRecord prior;
    try {
      prior = memo.revert(revert);
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return Step.done(RootlockAnnotations.invalidRecord(w, e));
    }
    RolloutRecord rollout = memo.rollout(w);
    RolloutRecord.RolledBack rb = rollout.rolledBack();
    if (rb != null && rb.holds(policy.name(), policy.generation(), w.object().getMetadata().getGeneration(),
        w.template())) {
      // Same spec, same app: hardening would fail the same way. Wait for either to change.
      return Step.done(Outcome.of(w, WorkloadState.RolledBack, "RolledBack", rb.message()
          + RootlockAnnotations.notRetried(w)).withLearned(rollout.learned()));
    }
    if (w.uptake().takesSlot() && pacer.isFull()) {
      HardeningMemo.Due due = memo.pendingChange(w, rules, rollout.learned(), revert);
      if (due != null) {
        // still waiting for a slot, with nothing changed since: no need to harden it again
        return Step.done(pending(w, due.change(), pacer, rollout).withWarnings(due.warnings()));
      }
    }
    Hardening h = memo.harden(w, rules, rollout.learned(), rollout.seeded(), prior, revert);
    if (h.skipped()) {
      // spec.onMemoryRisk: Skip: not hardened while the risk stands, an earlier hardening undone
      return h.changed() ? withWarnings(release(policy.name(), w, WorkloadState.NonCompliant, skipped(h)), h)
          : Step.done(Outcome.of(w, WorkloadState.NonCompliant, "MemoryRisk", skipped(h)).withWarnings(h.warnings()));
    }
    return withWarnings(harden(policy, rules, w, pacer, h, prior, rollout), h);
  }

  private Step harden(Policy policy, PolicyRules rules, Workload w, Pacer pacer, Hardening h, RevertRecord prior,
      RolloutRecord rollout) {
    RolloutRecord.RolledBack rb = rollout.rolledBack();
    Uptake uptake = w.uptake();
    if (h.changed()) {
      if (DriftFights.isCorrection(h, prior)) {
        // someone reverted what Rootlock did: correct it, unless this has become a fight
        DriftFights.Decision d = fights.decide(w, rollout, policy.generation());
        if (d instanceof DriftFights.Decision.Stop stop) {
          return Step.done(Outcome.of(w, WorkloadState.Conflict, DriftFights.REASON, stop.message())
              .withLearned(rollout.learned()));
        }
        rollout = ((DriftFights.Decision.Correct) d).record();
      }
      if (uptake.takesSlot() && !pacer.tryStart()) {
        memo.rememberPending(w, rollout.learned(), w.annotation(Annotations.REVERT), h);
        return Step.done(pending(w, h.changeSummary(), pacer, rollout));
      }
      // A new hardening (first, after a spec or template change, after drift): learning starts over.
      RolloutRecord next = uptake.isFollowed()
          ? rollout.started(w.generation() + 1, clock.instant(), 0, rollout.learned())
          : new RolloutRecord(null, null, 0, rollout.learned(), null, rollout.corrections());
      Step step = follower.start(policy.name(), w, h, next, rules, h.changeSummary(), uptake);
      if (uptake.takesSlot() && !(step instanceof Step.Done done && done.outcome().state() == WorkloadState.RollingOut)) {
        pacer.release(); // the write failed or lost a race: no rollout started
      }
      return step;
    }
    Workload current = w;
    RolloutRecord keep = rb == null ? rollout : rollout.rolledBack(null);
    // The template is as wanted, so only annotations can differ: compare those, cheaply, before
    // diffing (this runs for every selected workload on every reconcile).
    Map<String, String> wanted = RootlockAnnotations.desired(w, h.record(), policy.name(), keep);
    if (!wanted.equals(w.annotations())) {
      var ops = writer.patcher().diff(w, h.template(), wanted);
      if (!ops.isEmpty()) {
        // Only annotations differ (a record lost or edited, a stale rollback): metadata, so no rollout.
        WorkloadWriter.Attempt a = writer.write(w, ops, RootlockMetrics.Action.harden, null);
        if (a.failed() != null) {
          return a.failed();
        }
        current = a.written();
      }
    }
    String deferred = uptake.isFollowed() ? "" : uptake.note();
    Outcome compliant = Outcome.of(w, WorkloadState.Compliant, "Compliant", RootlockAnnotations.compliant(h)
        + deferred).withLearned(rollout.learned());
    if (!uptake.isFollowed() || !rollout.follows(current.object().getMetadata().getGeneration())) {
      return Step.done(compliant);
    }
    return follower.follow(policy, rules, current, prior, rollout, pacer, compliant, uptake);
  }

  private static Outcome pending(Workload w, String change, Pacer pacer, RolloutRecord rollout) {
    return Outcome.of(w, WorkloadState.Pending, "Pending", "hardening due (" + change + "); waiting for a rollout slot: "
        + pacer.describe()).withLearned(rollout.learned());
  }

  /**
   * What hardening would do, written nowhere: Audit, and kinds Rootlock only reports.
   *
   * @param ownRecord whether the workload's revert record is this policy's (else it is ignored)
   * @param advice appended to a NonCompliant message: what to do about it
   */
  Outcome evaluate(PolicyRules rules, Workload w, boolean ownRecord, String advice) {
    String revert = ownRecord ? w.annotation(Annotations.REVERT) : null;
    RevertRecord prior;
    try {
      prior = memo.revert(revert);
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return RootlockAnnotations.invalidRecord(w, e);
    }
    Hardening h = memo.harden(w, rules, List.of(), List.of(), prior, revert);
    if (h.skipped()) {
      return Outcome.of(w, WorkloadState.NonCompliant, "MemoryRisk", skipped(h)).withWarnings(h.warnings());
    }
    if (!h.changed()) {
      return Outcome.of(w, WorkloadState.Compliant, "Compliant", RootlockAnnotations.compliant(h))
          .withWarnings(h.warnings());
    }
    return Outcome.of(w, WorkloadState.NonCompliant, "NonCompliant", "would change: " + h.changeSummary() + advice)
        .withWarnings(h.warnings());
  }

  /** "not hardened: tmpfs may use up to 192Mi of app's 256Mi limit (spec.onMemoryRisk: Skip)". */
  private static String skipped(Hardening h) {
    return "not hardened: " + String.join("; ", h.warnings()) + " (spec.onMemoryRisk: Skip)";
  }

  private static Step withWarnings(Step step, Hardening h) {
    return step instanceof Step.Done done && !h.warnings().isEmpty()
        ? Step.done(done.outcome().withWarnings(h.warnings())) : step;
  }

  /**
   * Undoes what the revert record says was done and drops Rootlock's annotations. Used when a
   * workload is excluded, no longer selected, or its policy is deleted.
   */
  Step release(String policy, Workload w, WorkloadState state, String why) {
    RevertRecord prior;
    try {
      prior = memo.revert(w.annotation(Annotations.REVERT));
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return Step.done(RootlockAnnotations.invalidRecord(w, e));
    }
    Hardening h = hardener.revert(w.template(), prior);
    var ops = writer.patcher().diff(w, h.template(), RootlockAnnotations.desired(w, h.record(), null, null));
    if (ops.isEmpty()) {
      return Step.done(Outcome.of(w, state, state.name(), why));
    }
    WorkloadWriter.Attempt a = writer.write(w, ops, RootlockMetrics.Action.revert, h.changed() ? why : null);
    if (a.failed() != null) {
      return a.failed();
    }
    String leftAlone = String.join(", ", h.findings(Finding.Kind.CHANGED_BY_OTHERS).stream()
        .map(Finding::describe).toList());
    LOG.info("reverted namespace={} policy={} kind={} workload={} reason=\"{}\"{}", w.namespace(), policy, w.kind(),
        w.name(), why, leftAlone.isEmpty() ? "" : " kept=\"" + leftAlone + "\"");
    return Step.done(Outcome.of(w, state, state.name(), why).withAction(Outcome.Action.REVERTED));
  }
}
