package dev.rootlock.decision;

import java.util.List;

/**
 * What happens to one workload under one policy: the {@link DecisionLadder}'s answer, the same
 * on every path. The first seven come from {@link DecisionLadder#decide}; {@link Harden},
 * {@link Audit} and {@link ReportOnly} ask the engine, and {@link DecisionLadder#answer} turns its
 * answer into one of the last four. Each path words them and acts on them its own way: the
 * reconcile writes and reports, the webhook patches the request, {@code plan} rewrites manifests.
 */
public sealed interface Decision {

  /** The policy does not select it and has nothing on it to undo: not its business. */
  record NotSelected() implements Decision {}

  /**
   * Left alone whatever the policy says (docs/policy.md, "Exclusion").
   *
   * @param reason in words: "annotated rootlock.dev/exclude=true", "runs on Windows (...)"
   */
  record Excluded(String reason, Undo undo) implements Decision {}

  /** What becomes of the hardening on an excluded workload: this policy's, or an orphan's. */
  enum Undo {
    /** There is none, or another (live) policy owns it. */
    NOTHING,
    /** It is reverted. */
    REVERT,
    /** It would be reverted, but the policy is in Audit mode and writes nothing. */
    WOULD_REVERT
  }

  /**
   * This policy's hardening is undone: the policy no longer selects the workload, or was deleted.
   *
   * @param why in words: "no longer selected by policy web", "policy web deleted"
   */
  record Release(String why) implements Decision {}

  /**
   * Another policy owns it.
   *
   * @param namespace the owner's namespace (they differ only for a manifest without one in {@code plan})
   * @param ownerUnsettled the owner is invalid or being deleted, and keeps what it hardened
   */
  record Conflict(String owner, String namespace, boolean ownerUnsettled) implements Decision {}

  /** The policy owns it and enforces: the engine's answer is written. */
  record Harden() implements Decision {}

  /**
   * The policy is in Audit mode: the engine's answer is reported, never written.
   *
   * @param ownRecord the workload's revert record is this policy's (otherwise it is none of its business)
   */
  record Audit(boolean ownRecord) implements Decision {}

  /** A kind this path only reports (a running Job, whose template cannot change): never written. */
  record ReportOnly() implements Decision {}

  /** The engine changes nothing: compliant as it stands. */
  record Compliant() implements Decision {}

  /** The engine's change, to be written. */
  record Change() implements Decision {}

  /**
   * The engine would change it; nothing is written.
   *
   * @param reportOnly for a kind only reported (else: Audit mode)
   */
  record WouldChange(boolean reportOnly) implements Decision {}

  /**
   * Not hardened while a memory risk stands ({@code spec.onMemoryRisk: Skip}): never compliant.
   *
   * @param warnings the risks, one per container
   * @param undo an earlier hardening is still on the workload and is undone (only when enforcing)
   */
  record SkippedForMemoryRisk(List<String> warnings, boolean undo) implements Decision {
    public SkippedForMemoryRisk {
      warnings = List.copyOf(warnings);
    }

    /** "not hardened: tmpfs may use up to 192Mi of app's 256Mi limit (spec.onMemoryRisk: Skip)". */
    public String message() {
      return "not hardened: " + String.join("; ", warnings) + " (spec.onMemoryRisk: Skip)";
    }
  }
}
