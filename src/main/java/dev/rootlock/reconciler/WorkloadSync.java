package dev.rootlock.reconciler;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.OnFailure;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.rollout.RolloutVerdict;
import dev.rootlock.rollout.RolloutWatches;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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

  private final Hardener hardener;
  private final HardeningMemo memo;
  private final DeploymentPatcher patcher;
  private final Listener listener;
  private final Clock clock;
  private final Function<Deployment, RolloutWatches.Observed> observe;

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

  WorkloadSync(HardeningMemo memo, DeploymentPatcher patcher, Listener listener, Clock clock,
      Function<Deployment, RolloutWatches.Observed> observe) {
    this.hardener = memo.hardener();
    this.memo = memo;
    this.patcher = patcher;
    this.listener = listener;
    this.clock = clock;
    this.observe = observe;
  }

  /** The policy doing the work: its name, and its generation (a rollback holds until it changes). */
  record Policy(String name, long generation) {}

  /**
   * Hardens a Deployment {@code policy} owns, continuing from its revert record, and follows the
   * rollout the hardening starts: complete, still going (within the pace), or failed, which rolls
   * back, learns a path and retries, or is kept, as spec.rollout says.
   */
  Step harden(Policy policy, PolicyRules rules, Deployment d, Pacer pacer) {
    String name = d.getMetadata().getName();
    String revert = annotation(d, Annotations.REVERT);
    RevertRecord prior;
    try {
      prior = memo.revert(revert);
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return new Step.Done(invalidRecord(name, e));
    }
    RolloutRecord rollout = memo.rollout(d);
    RolloutRecord.RolledBack rb = rollout.rolledBack();
    if (rb != null && rb.holds(policy.name(), policy.generation(), d.getMetadata().getGeneration(),
        d.getSpec().getTemplate())) {
      // Same spec, same app: hardening would fail the same way. Wait for either to change.
      return done(Outcome.of(name, WorkloadState.RolledBack, "RolledBack", rb.message()
          + "; not retried until the policy spec or the Deployment's pod template changes").withLearned(rollout.learned()));
    }
    Hardening h = memo.harden(d, rules, rollout.learned(), prior, revert);
    boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
    if (h.changed()) {
      if (!paused && !pacer.tryStart()) {
        return done(Outcome.of(name, WorkloadState.Pending, "Pending", "hardening due (" + h.changeSummary()
            + "); waiting for a rollout slot: " + pacer.describe()).withLearned(rollout.learned()));
      }
      // A new hardening (first, after a spec or template change, after drift): learning starts over.
      RolloutRecord next = paused ? new RolloutRecord(null, null, 0, rollout.learned(), null)
          : rollout.started(generation(d) + 1, clock.instant(), 0, rollout.learned());
      Step step = startRollout(policy.name(), d, h, next, rules, h.changeSummary(), Outcome.Action.HARDENED, paused);
      if (!paused && !(step instanceof Step.Done done && done.outcome().state() == WorkloadState.RollingOut)) {
        pacer.release(); // the write failed or lost a race: no rollout started
      }
      return step;
    }
    Deployment current = d;
    RolloutRecord keep = rb == null ? rollout : rollout.rolledBack(null);
    // The template is as wanted, so only annotations can differ: compare those, cheaply, before
    // building and diffing whole objects (this runs for every selected Deployment on every reconcile).
    boolean annotationsDiffer = !desiredAnnotations(d, h, policy.name(), keep).equals(currentAnnotations(d));
    ArrayNode ops = annotationsDiffer ? patcher.diff(d, withResult(d, h, policy.name(), keep)) : null;
    if (ops != null && !ops.isEmpty()) {
      // Only annotations differ (a record lost or edited, a stale rollback): metadata, so no rollout.
      Attempt a = write(d, ops, RootlockMetrics.Action.harden, null);
      if (a.failed() != null) {
        return a.failed();
      }
      current = a.written();
    }
    Outcome compliant = Outcome.of(name, WorkloadState.Compliant, "Compliant", compliantMessage(h)
        + (paused ? PAUSED_NOTE : "")).withLearned(rollout.learned());
    if (paused || !rollout.follows(current.getMetadata().getGeneration())) {
      return done(compliant);
    }
    return follow(policy, rules, current, prior, rollout, pacer, compliant);
  }

  /** Looks at the rollout Rootlock started and acts on what it sees. */
  private Step follow(Policy policy, PolicyRules rules, Deployment d, RevertRecord prior, RolloutRecord rollout,
      Pacer pacer, Outcome compliant) {
    String name = d.getMetadata().getName();
    PolicyRules.Rollout how = rules.rollout();
    Instant recorded = rollout.startedAt();
    Instant started = recorded == null ? clock.instant() : recorded;
    // Pods are watched only once the controller has acted on the change (it creates the new
    // ReplicaSet as it records observedGeneration) and until the rollout completes.
    RolloutWatches.Observed seen = RolloutVerdict.isComplete(d, started) || !RolloutVerdict.isObserved(d)
        ? new RolloutWatches.Observed(null, null) : observe.apply(d);
    RolloutVerdict.Verdict verdict = RolloutVerdict.judge(d, seen.replicaSets(), seen.pods(), started,
        clock.instant(), how.timeout());
    if (verdict instanceof RolloutVerdict.Verdict.Complete) {
      return done(compliant);
    }
    if (verdict instanceof RolloutVerdict.Verdict.InProgress p) {
      pacer.holding();
      return done(Outcome.of(name, WorkloadState.RollingOut, "RollingOut", "hardened; rollout in progress: "
          + p.detail()).withLearned(rollout.learned())
          .withRecheck(RolloutVerdict.remaining(started, clock.instant(), how.timeout()).plusSeconds(1)));
    }
    RolloutVerdict.Verdict.Failed failed = (RolloutVerdict.Verdict.Failed) verdict;
    // Every safe directory the crash names is learned in one retry; unsafe ones only in the message.
    List<String> fresh = failed.diagnosis().learnable().stream()
        .filter(x -> !rollout.learned().contains(x)).toList();
    if (how.learn() && !fresh.isEmpty() && rollout.attempts() < PolicyRules.MAX_LEARN_ATTEMPTS) {
      List<String> learned = new ArrayList<>(rollout.learned());
      learned.addAll(fresh);
      String directory = String.join(", ", fresh);
      Hardening retry = hardener.harden(d.getSpec().getTemplate(), rules.withLearnedPaths(learned), prior);
      if (retry.changed()) {
        pacer.holding();
        RolloutRecord next = rollout.started(generation(d) + 1, clock.instant(), rollout.attempts() + 1, learned);
        LOG.info("learned namespace={} policy={} workload={} path={} attempt={}", d.getMetadata().getNamespace(),
            policy.name(), name, directory, rollout.attempts() + 1);
        return startRollout(policy.name(), d, retry, next, rules, "learned " + directory + " from: "
            + failed.message() + "; retrying with it writable (attempt " + (rollout.attempts() + 1) + " of "
            + PolicyRules.MAX_LEARN_ATTEMPTS + ")", Outcome.Action.HARDENED, false);
      }
    }
    String gaveUp = how.learn() && rollout.attempts() >= PolicyRules.MAX_LEARN_ATTEMPTS
        ? "; gave up learning after " + rollout.attempts() + " retries" : "";
    if (how.onFailure() == OnFailure.Keep) {
      pacer.holding();
      return done(Outcome.of(name, WorkloadState.Failed, Outcome.ROLLOUT_FAILED, failed.message() + gaveUp
          + "; the hardening is kept (spec.rollout.onFailure: Keep)").withLearned(rollout.learned()));
    }
    return rollBack(policy, d, prior, rollout, failed.message() + gaveUp);
  }

  /** Restores the pre-hardening template and remembers why, so the same hardening is not tried again. */
  private Step rollBack(Policy policy, Deployment d, RevertRecord prior, RolloutRecord rollout, String why) {
    String name = d.getMetadata().getName();
    Hardening undo = hardener.revert(d.getSpec().getTemplate(), prior);
    String message = "rollout failed: " + why + "; rolled back to the pre-hardening template";
    RolloutRecord next = rollout.rolledBack(new RolloutRecord.RolledBack(policy.name(), policy.generation(),
        undo.changed() ? generation(d) + 1 : generation(d), RolloutRecord.digest(undo.template()), message));
    Deployment desired = withResult(d, undo, policy.name(), next);
    Attempt a = write(d, patcher.diff(d, desired), RootlockMetrics.Action.rollback, message);
    if (a.failed() != null) {
      return a.failed();
    }
    LOG.warn("rolled back namespace={} policy={} workload={} reason=\"{}\"", d.getMetadata().getNamespace(),
        policy.name(), name, why);
    return done(Outcome.of(name, WorkloadState.RolledBack, "RolledBack", message
        + "; not retried until the policy spec or the Deployment's pod template changes")
        .withLearned(rollout.learned()).withAction(Outcome.Action.ROLLED_BACK));
  }

  /** Writes a template change and reports the rollout it starts. */
  private Step startRollout(String policy, Deployment d, Hardening h, RolloutRecord next, PolicyRules rules,
      String summary, Outcome.Action action, boolean paused) {
    String name = d.getMetadata().getName();
    Attempt a = write(d, patcher.diff(d, withResult(d, h, policy, next)), RootlockMetrics.Action.harden, summary);
    if (a.failed() != null) {
      return a.failed();
    }
    LOG.info("hardened namespace={} policy={} workload={} changes=\"{}\"", d.getMetadata().getNamespace(),
        policy, name, summary);
    Long predicted = next.generation();
    if (predicted != null && !predicted.equals(a.written().getMetadata().getGeneration())) {
      // The server did not count the template change as a spec change (a mutating webhook undid
      // it?): the record names a generation that is not this rollout's, so nothing is judged.
      LOG.warn("unexpected generation namespace={} policy={} workload={} expected={} got={}",
          d.getMetadata().getNamespace(), policy, name, predicted, a.written().getMetadata().getGeneration());
    }
    if (paused) {
      return done(Outcome.of(name, WorkloadState.Compliant, "Compliant", compliantMessage(h) + PAUSED_NOTE)
          .withAction(action)
          .withLearned(next.learned()));
    }
    return done(Outcome.of(name, WorkloadState.RollingOut, "RollingOut", "hardened (" + summary
        + "); following the rollout").withAction(action).withLearned(next.learned())
        .withRecheck(rules.rollout().timeout().plusSeconds(1)));
  }

  /** Audit: what hardening would do, written nowhere. {@code prior} is this policy's own record or empty. */
  Outcome evaluate(PolicyRules rules, Deployment d, boolean ownRecord) {
    String name = d.getMetadata().getName();
    String revert = ownRecord ? annotation(d, Annotations.REVERT) : null;
    RevertRecord prior;
    try {
      prior = memo.revert(revert);
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return invalidRecord(name, e);
    }
    Hardening h = memo.harden(d, rules, List.of(), prior, revert);
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
      prior = memo.revert(annotation(d, Annotations.REVERT));
    } catch (RevertRecord.InvalidRevertRecordException e) {
      return new Step.Done(invalidRecord(name, e));
    }
    Hardening h = hardener.revert(d.getSpec().getTemplate(), prior);
    ArrayNode ops = patcher.diff(d, withResult(d, h, null, null));
    if (ops.isEmpty()) {
      return new Step.Done(Outcome.of(name, state, state.name(), why));
    }
    Attempt a = write(d, ops, RootlockMetrics.Action.revert, h.changed() ? why : null);
    if (a.failed() != null) {
      return a.failed();
    }
    String leftAlone = String.join(", ", h.findings(Finding.Kind.CHANGED_BY_OTHERS).stream()
        .map(Finding::describe).toList());
    LOG.info("reverted namespace={} policy={} workload={} reason=\"{}\"{}", d.getMetadata().getNamespace(),
        policy, name, why, leftAlone.isEmpty() ? "" : " kept=\"" + leftAlone + "\"");
    return new Step.Done(Outcome.of(name, state, state.name(), why).withAction(Outcome.Action.REVERTED));
  }

  /** Either the Deployment as written, or the step to take instead (a retry, a failure to report). */
  private record Attempt(Deployment written, Step failed) {}

  private Attempt write(Deployment d, ArrayNode ops, RootlockMetrics.Action action, String summary) {
    try {
      Deployment after = patcher.patch(d, ops);
      listener.written(d, after, action, summary);
      return new Attempt(after, null);
    } catch (KubernetesClientException e) {
      return new Attempt(null, refused(d, e, action));
    }
  }

  private Step refused(Deployment d, KubernetesClientException e, RootlockMetrics.Action action) {
    String namespace = d.getMetadata().getNamespace();
    String name = d.getMetadata().getName();
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

  private static final String PAUSED_NOTE = "; the Deployment is paused, so changes roll out when it is resumed";

  private static Step done(Outcome o) {
    return new Step.Done(o);
  }

  private static long generation(Deployment d) {
    return d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
  }

  static Outcome invalidRecord(String name, RevertRecord.InvalidRevertRecordException e) {
    return Outcome.of(name, WorkloadState.Failed, "RevertRecordInvalid",
        "annotation " + Annotations.REVERT + " cannot be trusted (" + e.getMessage()
            + "); Rootlock leaves this Deployment alone. Restore the annotation, or remove it and the "
            + Annotations.OWNER + " annotation after checking the pod template by hand");
  }

  /**
   * The Deployment with the hardener's template and Rootlock's annotations set (or removed). The
   * owner stays while there is a revert record or a rollout record (a rolled-back workload is still
   * its policy's: no other policy should harden it into the same crash).
   */
  private static Deployment withResult(Deployment d, Hardening h, String owner, RolloutRecord rollout) {
    Deployment desired = new DeploymentBuilder(d).build();
    desired.getSpec().setTemplate(h.template());
    desired.getMetadata().setAnnotations(desiredAnnotations(d, h, owner, rollout));
    return desired;
  }

  private static Map<String, String> currentAnnotations(Deployment d) {
    return d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
  }

  private static Map<String, String> desiredAnnotations(Deployment d, Hardening h, String owner,
      RolloutRecord rollout) {
    Map<String, String> annotations = new HashMap<>(currentAnnotations(d));
    boolean hasRollout = owner != null && rollout != null && !rollout.isEmpty();
    if (owner == null || (h.record().isEmpty() && !hasRollout)) {
      annotations.remove(Annotations.OWNER);
    } else {
      annotations.put(Annotations.OWNER, owner);
    }
    if (owner == null || h.record().isEmpty()) {
      annotations.remove(Annotations.REVERT);
    } else {
      annotations.put(Annotations.REVERT, h.record().toJson());
    }
    if (hasRollout) {
      annotations.put(Annotations.ROLLOUT, rollout.toJson());
    } else {
      annotations.remove(Annotations.ROLLOUT);
    }
    return annotations;
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
