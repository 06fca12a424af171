package dev.rootlock.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The control-plane benchmark's text report: every run, then the medians of each side and the
 * convergence ratio operator/floor as the median of the pairs' ratios (each pair ran back to back,
 * so a pair's ratio cancels what drifts between pairs; a ratio of medians would not).
 *
 * @param setup N, namespaces, pairs, JVM flags, CPU limit: how the runs were made
 */
record ControlPlaneReport(String setup, List<ControlPlaneRun> runs) {
  /** The target for the convergence ratio (issue 24 §3). */
  static final double TARGET_RATIO = 1.3;

  List<ControlPlaneRun> of(String role) {
    return runs.stream().filter(r -> r.role().equals(role)).toList();
  }

  /** Operator convergence over floor convergence, per pair that has both, in pair order. */
  List<Double> pairRatios() {
    List<Double> out = new ArrayList<>();
    for (ControlPlaneRun op : of("operator")) {
      of("floor").stream().filter(f -> f.pair() == op.pair()).findFirst()
          .ifPresent(f -> out.add(op.convergenceMillis() / (double) f.convergenceMillis()));
    }
    return out;
  }

  /** The median; of an even count, the mean of the middle two. NaN when empty. */
  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }

  double median(String role, ToDoubleFunction<ControlPlaneRun> figure) {
    return median(of(role).stream().map(figure::applyAsDouble).toList());
  }

  /** Median count per {@code verb resource} over the role's runs. */
  Map<String, Double> medianRequests(String role) {
    TreeSet<String> keys = new TreeSet<>();
    of(role).forEach(r -> keys.addAll(r.requests().keySet()));
    Map<String, Double> out = new TreeMap<>();
    keys.forEach(k -> out.put(k, median(of(role).stream().map(r -> (double) r.requests().getOrDefault(k, 0)).toList())));
    return out;
  }

  String text() {
    StringBuilder b = new StringBuilder("Rootlock on a real control plane: operator vs plain-client floor\n")
        .append(setup).append("\n\n");
    b.append(String.format("%-9s %4s %9s %8s %8s %9s %8s %9s %9s %12s%n", "run", "pair", "requests", "per wl",
        "per hard", "409s", "CPU s", "RSS MiB", "1st patch", "convergence"));
    for (ControlPlaneRun r : runs) {
      b.append(String.format("%-9s %4d %9d %8.2f %8.2f %9d %8.1f %9.0f %8.1fs %11.1fs%n", r.role(), r.pair(),
          r.requestsForWorkloads(), r.perWorkload(), r.perHardened(), r.conflicts(), r.cpuSeconds(),
          r.peakRssKb() / 1024.0, r.firstPatchMillis() / 1000.0, r.convergenceMillis() / 1000.0));
    }
    for (String role : List.of("operator", "floor")) {
      if (of(role).isEmpty()) {
        continue;
      }
      b.append(String.format("%nmedian %s: %.2f requests per workload (%.2f per hardened one), CPU %.1f s, "
              + "peak RSS %.0f MiB, first patch %.1f s, convergence %.1f s%n", role,
          median(role, ControlPlaneRun::perWorkload), median(role, ControlPlaneRun::perHardened),
          median(role, ControlPlaneRun::cpuSeconds), median(role, r -> r.peakRssKb() / 1024.0),
          median(role, r -> r.firstPatchMillis() / 1000.0), median(role, r -> r.convergenceMillis() / 1000.0)));
      b.append("  median requests by verb and resource (Lease renewals not counted per workload):\n");
      medianRequests(role).forEach((k, v) -> b.append(String.format("    %-50s %8.1f%n", k, v)));
    }
    List<Double> ratios = pairRatios();
    if (!ratios.isEmpty()) {
      double ratio = median(ratios);
      b.append(String.format("%nconvergence ratio operator/floor: %.2fx (median of %d pairs: %s); target <= %.1fx: %s%n",
          ratio, ratios.size(), ratios.stream().map(x -> String.format("%.2f", x)).toList(), TARGET_RATIO,
          ratio <= TARGET_RATIO ? "met" : "not met"));
    }
    return b.toString();
  }
}
