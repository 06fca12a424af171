package dev.rootlock.bench;

import dev.rootlock.testing.MockApiServer.Exchange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How soon a paced client uses a rollout slot once it frees: in each namespace, the i-th
 * Deployment patch (i at least maxInProgress) had to wait for the (i - maxInProgress + 1)-th rollout
 * there to complete (the stand-in controller's status write); the difference is the client's
 * reaction. The waves of a paced run are as long as these waits plus the rollouts themselves.
 * (The reaction test's Deployments, created after convergence, are left out.)
 */
final class SlotReuse {
  private SlotReuse() {}

  /**
   * Milliseconds from a slot freeing to its reuse, sorted; each one is also written to {@code raw}
   * (namespace, freed and reused in ms after {@code fromNanos}) for a timeline.
   */
  static List<Long> waits(Collection<Exchange> rolloutsCompleted, Collection<Exchange> patches, int maxInProgress,
      long fromNanos, java.nio.file.Path raw) throws java.io.IOException {
    Map<String, List<Long>> completed = byNamespace(rolloutsCompleted, true, fromNanos);
    Map<String, List<Long>> patched = byNamespace(patches, false, fromNanos);
    List<Long> waits = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    patched.forEach((namespace, times) -> {
      List<Long> freed = completed.getOrDefault(namespace, List.of());
      for (int i = maxInProgress; i < times.size() && i - maxInProgress < freed.size(); i++) {
        long at = freed.get(i - maxInProgress);
        waits.add((times.get(i) - at) / 1_000_000);
        lines.add(namespace + "\t" + (at - fromNanos) / 1_000_000 + "\t" + (times.get(i) - fromNanos) / 1_000_000);
      }
    });
    java.nio.file.Files.write(raw, lines);
    Collections.sort(waits);
    return waits;
  }

  private static Map<String, List<Long>> byNamespace(Collection<Exchange> exchanges, boolean status, long fromNanos) {
    Map<String, List<Long>> out = new TreeMap<>();
    for (Exchange e : exchanges) {
      String path = e.path().replaceAll("\\?.*", "");
      if (!e.method().equals("PATCH") || !path.contains("/deployments/") || path.endsWith("/status") != status
          || e.status() >= 300 || e.nanos() < fromNanos || path.contains("/deployments/late-")) {
        continue;
      }
      String namespace = path.replaceAll(".*/namespaces/([^/]+)/.*", "$1");
      out.computeIfAbsent(namespace, k -> new ArrayList<>()).add(e.nanos());
    }
    out.values().forEach(Collections::sort);
    return out;
  }

  static String describe(List<Long> waits) {
    if (waits.isEmpty()) {
      return "none";
    }
    double mean = waits.stream().mapToLong(Long::longValue).average().orElse(0);
    return String.format("p50 %d ms, p90 %d ms, p99 %d ms, mean %.0f ms over %d slots",
        Reaction.percentile(waits, 50), Reaction.percentile(waits, 90),
        Reaction.percentile(waits, 99), mean, waits.size());
  }
}
