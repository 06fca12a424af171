package dev.rootlock.reconciler.observing;

import dev.rootlock.api.OnFailure;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.acting.WorkloadWriter;
import dev.rootlock.reconciler.round.Reconcile;
import dev.rootlock.reconciler.round.RolloutSlots;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.reconciler.round.WorkloadStep;
import dev.rootlock.rollout.Related;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.rollout.Uptake;
import dev.rootlock.rollout.Verdict;
import dev.rootlock.workload.RootlockAnnotations;
import dev.rootlock.workload.Workload;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes template changes and follows what they start, for every kind alike: the kind's reader
 * says how the change reaches the pods ({@link Uptake}) and judges it ({@link Verdict}); this class
 * acts on the answer: waits (within the pace), learns a path and retries, keeps a failure, or
 * rolls back, as spec.rollout says.
 */
public final class RolloutFollower {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutFollower.class);

  private final Hardener hardener;
  private final WorkloadWriter writer;
  private final Clock clock;
  private final BiFunction<ResourceID, Workload, Related> related;
  private final PassedTests passes;

  /**
   * @param related what a followed workload's change created, watched for the policy while it is followed
   * @param passes the changes this process has seen pass, of every policy
   */
  public RolloutFollower(Hardener hardener, WorkloadWriter writer, Clock clock,
      BiFunction<ResourceID, Workload, Related> related,
      PassedTests passes) {
    this.hardener = hardener;
    this.writer = writer;
    this.clock = clock;
    this.related = related;
    this.passes = passes;
  }

  /** Writes a template change (with its rollout record, in the same patch) and reports what it starts. */
  public WorkloadStep start(Reconcile r, Workload w, Hardening h, RolloutRecord next, String summary, Uptake uptake) {
    String policy = r.name();
    var ops = writer.patcher().diff(w, h.template(), RootlockAnnotations.desired(w, h.record(), policy, next));
    WorkloadWriter.Attempt a = writer.write(r.policy(), w, ops, RootlockMetrics.PatchAction.harden, summary);
    if (a.failed() != null) {
      return a.failed();
    }
    LOG.info("hardened namespace={} policy={} kind={} workload={} changes=\"{}\"", w.namespace(), policy, w.kind(),
        w.name(), summary);
    Long predicted = next.generation();
    if (predicted != null && predicted != a.written().generation()) {
      // The server did not count the template change as a spec change (a mutating webhook undid
      // it?): the record names a generation that is not this rollout's, so nothing is judged.
      LOG.warn("unexpected generation namespace={} policy={} workload={} expected={} got={}", w.namespace(), policy,
          w.name(), predicted, a.written().generation());
    }
    if (!uptake.takesSlot()) {
      // Nothing restarts now: hardened at once, with when the pods pick it up.
      WorkloadOutcome o = WorkloadOutcome.of(w, WorkloadState.Compliant, "Compliant",
          WorkloadOutcome.compliant(h) + uptake.note())
          .withAction(WorkloadOutcome.Action.HARDENED).withLearned(next.learned());
      return WorkloadStep.done(uptake.isFollowed() ? o.followed() : o);
    }
    return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.RollingOut, "RollingOut", "hardened (" + summary
        + "); following the rollout").withAction(WorkloadOutcome.Action.HARDENED).withLearned(next.learned())
        .withRecheck(r.rules().rollout().timeout().plusSeconds(1)).followed());
  }

  /** Looks at what Rootlock's change started and acts on what it sees. */
  public WorkloadStep follow(Reconcile r, Workload w, RevertRecord prior, RolloutRecord rollout,
      WorkloadOutcome compliant, Uptake uptake) {
    PolicyRules rules = r.rules();
    RolloutSlots slots = r.slots();
    if (passes.has(w)) {
      return WorkloadStep.done(compliant);
    }
    PolicyRules.Rollout how = rules.rollout();
    Instant started = rollout.startedAt() == null ? clock.instant() : rollout.startedAt();
    Related objects = related.apply(r.policy(), w);
    Verdict verdict = w.judge(objects, started, clock.instant(), how.timeout());
    boolean unwatched = passes.windowEndedUnwatched(rollout.startedAt(), how.timeout());
    if (verdict instanceof Verdict.Complete) {
      return passed(r.name(), w, compliant, unwatched ? "" : null);
    }
    if (unwatched && !w.completionLasts() && verdict instanceof Verdict.Failed f && !f.isReadOnlyCrash()) {
      // No process saw how this went (its window ended before this one began), and this kind's
      // counts drop after a pass: a timeout, or a crash that is not a read-only-filesystem error,
      // does not yet say the change failed.
      if (!w.relatedKnown(objects)) {
        // the watch the restart opened nudges the policy once it has synced
        verdict = new Verdict.InProgress("looking at its pods after an operator restart");
      } else if (w.couldHavePassed()) {
        // what a pass lowered by a later node or a lost pod looks like, not a stalled rollout
        return passed(r.name(), w, compliant, f.evidence());
      } else if (clock.instant().isBefore(passes.began().plus(how.timeout()))) {
        // a window of its own from this process's start: pods down after a restart come back
        verdict = new Verdict.InProgress("judged again after an operator restart, now: " + f.evidence());
      }
    }
    if (verdict instanceof Verdict.InProgress p) {
      if (!uptake.takesSlot()) {
        // Waiting for a CronJob's next Job, or following it: compliant all along, no slot held.
        return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.Compliant, "Compliant",
            compliant.message() + "; " + p.detail()).withLearned(rollout.learned()).followed());
      }
      slots.holding();
      return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.RollingOut, "RollingOut",
          "hardened; rollout in progress: " + p.detail()).withLearned(rollout.learned()).followed()
          .withRecheck(nextLook(p, started, how.timeout()).plusSeconds(1)));
    }
    Verdict.Failed failed = (Verdict.Failed) verdict;
    // Every safe directory the crash names is learned in one retry, as a plain path or, when it
    // holds the image's files, as a seeded one; unsafe ones only in the message.
    List<String> freshPlain = failed.diagnosis().learnable().stream()
        .filter(x -> !rollout.learned().contains(x)).toList();
    List<String> freshSeeded = failed.diagnosis().seedable().stream()
        .filter(x -> !rollout.learned().contains(x)).toList();
    if (how.learn() && (!freshPlain.isEmpty() || !freshSeeded.isEmpty())
        && rollout.attempts() < PolicyRules.MAX_LEARN_ATTEMPTS) {
      List<String> learned = new ArrayList<>(rollout.learned());
      learned.addAll(freshPlain);
      RolloutRecord next = rollout.started(w.generation() + 1, clock.instant(), rollout.attempts() + 1, learned)
          .withSeeded(freshSeeded);
      Hardening retry = hardener.harden(w.template(), rules.withLearnedPaths(next.learned(), next.seeded()), prior);
      if (retry.changed()) {
        if (uptake.takesSlot()) {
          slots.holding(); // the retry keeps the failed rollout's slot
        }
        List<String> what = new ArrayList<>();
        if (!freshPlain.isEmpty()) {
          what.add("learned " + String.join(", ", freshPlain));
        }
        if (!freshSeeded.isEmpty()) {
          what.add("seeded " + String.join(", ", freshSeeded) + " from the image");
        }
        LOG.info("learned namespace={} policy={} workload={} path={} seeded={} attempt={}", w.namespace(), r.name(),
            w.name(), String.join(",", freshPlain), String.join(",", freshSeeded), rollout.attempts() + 1);
        return start(r, w, retry, next, String.join("; ", what) + " from: " + failed.message()
            + "; retrying with " + (freshPlain.size() + freshSeeded.size() == 1 ? "it" : "them") + " writable (attempt "
            + (rollout.attempts() + 1) + " of " + PolicyRules.MAX_LEARN_ATTEMPTS + ")", uptake);
      }
    }
    String gaveUp = how.learn() && rollout.attempts() >= PolicyRules.MAX_LEARN_ATTEMPTS
        ? "; gave up learning after " + rollout.attempts() + " retries" : "";
    if (how.onFailure() == OnFailure.Keep) {
      if (uptake.takesSlot()) {
        slots.holding();
      }
      return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.Failed, WorkloadOutcome.ROLLOUT_FAILED,
          failed.message() + gaveUp + "; the hardening is kept (spec.rollout.onFailure: Keep)")
          .withLearned(rollout.learned()).followed());
    }
    return rollBack(r, w, prior, rollout, failed.message() + gaveUp);
  }

  /**
   * Remembers a passed test and stops following (nothing is written: see {@link PassedTests}).
   *
   * @param unwatched null when this process saw the change's window; otherwise what the workload
   *     falls short of complete now ("" for nothing), logged when it is taken as passed
   */
  private WorkloadStep passed(String policy, Workload w, WorkloadOutcome compliant, String unwatched) {
    passes.add(w);
    if (unwatched == null) {
      LOG.info("change passed its test namespace={} policy={} kind={} workload={}", w.namespace(), policy, w.kind(),
          w.name());
    } else if (!unwatched.isEmpty()) {
      LOG.info("rollout window ended before this operator began; taken as passed namespace={} policy={} kind={} "
          + "workload={} now=\"{}\"", w.namespace(), policy, w.kind(), w.name(), unwatched);
    }
    return WorkloadStep.done(compliant);
  }

  /** Restores the pre-hardening template and remembers why, so the same hardening is not tried again. */
  private WorkloadStep rollBack(Reconcile r, Workload w, RevertRecord prior, RolloutRecord rollout, String why) {
    Hardening undo = hardener.revert(w.template(), prior);
    String message = "rollout failed: " + why + "; rolled back to the pre-hardening template";
    RolloutRecord next = rollout.rolledBack(new RolloutRecord.RolledBack(r.name(), r.generation(),
        undo.changed() ? w.generation() + 1 : w.generation(), RolloutRecord.digest(undo.template()), message));
    var ops = writer.patcher().diff(w, undo.template(),
        RootlockAnnotations.desired(w, undo.record(), r.name(), next));
    WorkloadWriter.Attempt a = writer.write(r.policy(), w, ops, RootlockMetrics.PatchAction.rollback, message);
    if (a.failed() != null) {
      return a.failed();
    }
    LOG.warn("rolled back namespace={} policy={} kind={} workload={} reason=\"{}\"", w.namespace(), r.name(),
        w.kind(), w.name(), why);
    return WorkloadStep.done(WorkloadOutcome.of(w, WorkloadState.RolledBack, "RolledBack", message
        + WorkloadOutcome.notRetried(w)).withLearned(rollout.learned()).withAction(WorkloadOutcome.Action.ROLLED_BACK));
  }

  /** The reader's next look at its pods, or the timeout, whichever is sooner. */
  private Duration nextLook(Verdict.InProgress p, Instant started, Duration timeout) {
    Duration left = remaining(started, timeout);
    if (p.lookAt() == null) {
      return left;
    }
    Duration look = Duration.between(clock.instant(), p.lookAt());
    return look.isNegative() ? Duration.ZERO : look.compareTo(left) < 0 ? look : left;
  }

  /** When a rollout still in progress times out, for scheduling the next look. */
  private Duration remaining(Instant started, Duration timeout) {
    Duration left = timeout.minus(Duration.between(started, clock.instant()));
    return left.isNegative() ? Duration.ZERO : left;
  }
}
