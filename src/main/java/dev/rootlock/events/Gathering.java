package dev.rootlock.events;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lines about a policy's workloads, gathered to be told in one Event on the policy once its wave
 * of rollouts has settled, or {@link #WITHIN} after the first line if the wave goes on: an Event per
 * workload, or per paced round, costs the API server as much as the changes themselves
 * (docs/metrics.md, docs/benchmarks.md).
 */
public final class Gathering {
  /** How long gathered lines wait for the policy's rollouts to settle. */
  public static final Duration WITHIN = Duration.ofMinutes(1);

  private final Clock clock;
  private final Map<ResourceID, Gathered> byPolicy = new ConcurrentHashMap<>();

  private record Gathered(Instant since, List<String> lines) {}

  public Gathering(Clock clock) {
    this.clock = clock;
  }

  /** Adds {@code first} when nothing is gathered for the policy yet, else {@code later}. */
  public void add(ResourceID policy, String first, String later) {
    byPolicy.compute(policy, (k, g) -> {
      if (g == null) {
        return new Gathered(clock.instant(), new ArrayList<>(List.of(first)));
      }
      g.lines().add(later);
      return g;
    });
  }

  /**
   * The lines gathered for the policy, forgotten, when they are due: {@code settled} (no workload
   * of the policy rolling out or waiting for a slot) or {@link #WITHIN} after the first; else none.
   */
  public List<String> takeIfDue(ResourceID policy, boolean settled) {
    Gathered g = byPolicy.get(policy);
    if (g == null || !settled && clock.instant().isBefore(g.since().plus(WITHIN))) {
      return List.of();
    }
    byPolicy.remove(policy);
    return g.lines();
  }

  /** "1 workload", "3 workloads". */
  public static String workloads(List<String> lines) {
    return lines.size() == 1 ? "1 workload" : lines.size() + " workloads";
  }
}
