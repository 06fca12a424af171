package dev.rootlock.decision;

import dev.rootlock.api.Mode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.Exclusion;
import dev.rootlock.engine.PolicyRules;

/**
 * The one decision "what happens to this workload under this policy", shared by the reconcile,
 * the admission webhook and {@code plan}, which differ only in how they read the workload and the
 * policies and in what they do with the answer. Pure: no client, no clock, no I/O.
 *
 * <p>The rungs, in order: selection (kind and labels); exclusion (annotation or label
 * {@code rootlock.dev/exclude: "true"}, Windows), which undoes this policy's hardening or an
 * orphan's; the kinds a path only reports; Audit; ownership among the enforcing policies; and
 * then the engine's answer: unchanged, a change, or skipped for a memory risk.
 */
public final class DecisionLadder {
  private DecisionLadder() {}

  /**
   * The decision for {@code w} under {@code policy}, before the engine is asked.
   *
   * @param policy a policy of {@code policies} that {@link PolicySet#acts acts}
   * @return {@link Decision.NotSelected}, {@link Decision.Excluded}, {@link Decision.Release},
   *     {@link Decision.Conflict}, or one that asks the engine: {@link Decision.Harden},
   *     {@link Decision.Audit}, {@link Decision.ReportOnly}
   */
  public static Decision decide(Subject w, ReadOnlyPolicy policy, PolicySet policies) {
    PolicyRules rules = policies.rulesOf(policy);
    String name = policy.getMetadata().getName();
    String recorded = w.recordedOwner();
    boolean enforcing = rules.mode() == Mode.Enforce;
    if (!w.isSelectedBy(rules)) {
      return enforcing && w.writable() && name.equals(recorded)
          ? new Decision.Release("no longer selected by policy " + name) : new Decision.NotSelected();
    }
    String exclusion = Exclusion.reason(w.labels(), w.annotations(), w.template());
    if (exclusion != null) {
      // Ours to undo, or an orphan whose owner is gone and can never undo it.
      boolean undo = w.writable() && recorded != null && (recorded.equals(name) || policies.isGone(recorded));
      return new Decision.Excluded(exclusion, !undo ? Decision.Undo.NOTHING
          : enforcing ? Decision.Undo.REVERT : Decision.Undo.WOULD_REVERT);
    }
    if (!w.writable()) {
      return new Decision.ReportOnly();
    }
    if (!enforcing) {
      return new Decision.Audit(name.equals(recorded));
    }
    PolicySet.Owner owner = policies.ownerOf(w).orElse(null);
    if (owner != null && !owner.is(policy)) {
      return new Decision.Conflict(owner.name(), owner.policy() == null
          ? policy.getMetadata().getNamespace() : owner.policy().getMetadata().getNamespace(), owner.unsettled());
    }
    return new Decision.Harden();
  }

  /** The decision for {@code w} once {@code policy} is deleted: whatever it hardened is undone, in any mode. */
  public static Decision whenDeleted(Subject w, ReadOnlyPolicy policy) {
    String name = policy.getMetadata().getName();
    return w.writable() && name.equals(w.recordedOwner())
        ? new Decision.Release("policy " + name + " deleted") : new Decision.NotSelected();
  }

  /**
   * What the engine's answer means for a decision that asked it.
   *
   * @param asked {@link Decision.Harden}, {@link Decision.Audit} or {@link Decision.ReportOnly}
   * @return {@link Decision.SkippedForMemoryRisk}, {@link Decision.Compliant},
   *     {@link Decision.Change} (only for Harden) or {@link Decision.WouldChange}
   * @throws IllegalArgumentException for a decision that does not ask the engine
   */
  public static Decision answer(Decision asked, EngineAnswer engine) {
    boolean harden = asked instanceof Decision.Harden;
    if (!harden && !(asked instanceof Decision.Audit) && !(asked instanceof Decision.ReportOnly)) {
      throw new IllegalArgumentException(asked + " does not ask the engine");
    }
    if (engine.skipped()) {
      // onMemoryRisk: Skip: not hardened while the risk stands; an earlier hardening is undone
      return new Decision.SkippedForMemoryRisk(engine.warnings(), harden && engine.changes());
    }
    if (!engine.changes()) {
      return new Decision.Compliant();
    }
    return harden ? new Decision.Change() : new Decision.WouldChange(asked instanceof Decision.ReportOnly);
  }
}
