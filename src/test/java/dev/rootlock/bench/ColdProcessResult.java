package dev.rootlock.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One cold-process run's figures: the operator's and the floor's, every time in milliseconds after
 * their process was started.
 */
public record ColdProcessResult(int n, int needingChange, String jvm, Run operator, Floor floor) {

  /**
   * @param patches first and last Deployment patch
   * @param lastRollout when the stand-in controller reported the last of the operator's rollouts complete
   * @param load its requests until it was quiet after convergence (Events come last), and their cost
   */
  public record Run(long pid, long ready, long convergence, long firstRequest, long[] patches, long lastRollout,
      long rollouts, ServerLoad load, long steadyStateRequests, Duration steadyWindow, long reactionP50,
      long reactionP99, int reactionSamples, double cpuSeconds, String cpuLimit, Map<String, Double> cpuByThread,
      Map<String, Double> counters, long heapAfterGcBytes, Path log, String roundTrips) {}

  /**
   * @param complete when the floor's watch saw the last rollout complete
   * @param lastRollout when the stand-in controller reported it complete
   */
  public record Floor(long complete, long firstRequest, long firstPatch, long lastPatch, long lastRollout,
      double cpuSeconds, String cpuLimit, ServerLoad load) {}

  public double ratio() {
    return (double) operator.convergence() / Math.max(1, floor.complete());
  }

  public String report() {
    Run o = operator;
    String threads = o.cpuByThread().entrySet().stream().filter(e -> e.getValue() >= 0.05)
        .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
        .map(e -> String.format("%s %.2f", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
    String counters = o.counters().entrySet().stream().map(e -> e.getKey() + " " + (e.getValue() % 1 == 0
        ? String.valueOf(e.getValue().longValue()) : String.format("%.2f", e.getValue())))
        .collect(Collectors.joining(", "));
    return String.format("""
        Cold process: N=%d (%d needing a change), 50 namespaces, policy %s; the mock %s the operator's Events
        JVM (operator and floor): %s
        operator (pid %d, log %s):
          first API request:     %d ms after the process started
          ready (/readyz 200):   %d ms
          Deployment patches:    first at %d ms, last at %d ms
          last rollout complete: %d ms (%d rollouts)
          convergence:           %d ms   floor: %d ms   operator/floor: %.2f
          steady state (%ds):    %d requests
          reaction p50 / p99:    %d ms / %d ms (%d samples)
          CPU at convergence:    %.2f s (%s); by thread: %s
          API round trips:       %s (the operator's own timer, to response headers, until convergence)
          JVM at convergence:    %s
          heap after full GC:    %.1f MiB (after the steady state and the reaction samples)
        %sfloor (plain client, own JVM, same pacing):
          first API request at %d ms, patches from %d to %d ms, last rollout complete at %d ms (stand-in),
          seen complete at %d ms
          CPU at completion:     %.2f s (%s)
        %s""", n, needingChange, ScaleBenchmark.POLICY, ColdProcessBenchmark.RETAIN_EVENTS ? "keeps" : "answers, without keeping,", jvm, o.pid(), o.log(), o.firstRequest(), o.ready(),
        o.patches()[0], o.patches()[1], o.lastRollout(), o.rollouts(), o.convergence(), floor.complete(), ratio(),
        o.steadyWindow().toSeconds(), o.steadyStateRequests(), o.reactionP50(), o.reactionP99(), o.reactionSamples(),
        o.cpuSeconds(), o.cpuLimit(), threads, o.roundTrips(), counters, o.heapAfterGcBytes() / 1048576.0,
        o.load().describe(),
        floor.firstRequest(), floor.firstPatch(), floor.lastPatch(), floor.lastRollout(), floor.complete(),
        floor.cpuSeconds(), floor.cpuLimit(), floor.load().describe());
  }
}
