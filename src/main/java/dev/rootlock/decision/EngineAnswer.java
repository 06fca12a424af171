package dev.rootlock.decision;

import dev.rootlock.engine.Hardening;
import java.util.List;

/**
 * What the engine answered for one workload, as far as the {@link DecisionLadder} needs it.
 *
 * @param changes whether the hardened template differs from the one read
 * @param skipped whether the rules were not applied because of a memory risk ({@code spec.onMemoryRisk: Skip})
 * @param warnings the memory risks, one per container ("tmpfs may use up to 64Mi and app has no memory limit")
 */
public record EngineAnswer(boolean changes, boolean skipped, List<String> warnings) {
  public EngineAnswer {
    warnings = List.copyOf(warnings);
  }

  public static EngineAnswer of(Hardening h) {
    return new EngineAnswer(h.changed(), h.skipped(), h.warnings());
  }
}
