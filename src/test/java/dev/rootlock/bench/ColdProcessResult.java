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
public record ColdProcessResult(int n, int needingChange, String jvm, Run operator, Floor floor,
    String operatorSlotReuse, String floorSlotReuse) {

  /**
   * @param patches first and last Deployment patch
   * @param lastRollout when the stand-in controller reported the last of the operator's rollouts complete
   * @param standIn how long its rollouts queued for a stand-in worker and took to write, in ms (means)
   */
  public record Run(long pid, long ready, long convergence, long firstRequest, long[] patches, long lastRollout,
      long rollouts, Map<String, Long> requestsByVerb, long steadyStateRequests, Duration steadyWindow,
      long reactionP50, long reactionP99, int reactionSamples, double cpuSeconds, Map<String, Double> cpuByThread,
      Map<String, Double> counters, long heapAfterGcBytes, Map<String, Double> benchmarkCpu, double[] standIn,
      Path log) {

    public long deploymentWrites() {
      return requestsByVerb.getOrDefault("patch deployment", 0L);
    }
  }

  /** @param complete when the floor's watch saw the last rollout complete */
  public record Floor(long complete, long firstRequest, long firstPatch, long lastPatch, long lastRollout,
      Map<String, Long> requestsByVerb, Map<String, Double> benchmarkCpu, double cpuSeconds, double[] standIn) {}

  public double ratio() {
    return (double) operator.convergence() / Math.max(1, floor.complete());
  }

  private static String rollouts(double[] queueAndWrite) {
    return String.format("%.0f ms queued for a worker, %.1f ms writing the status (means)", queueAndWrite[0],
        queueAndWrite[1]);
  }

  private static String seconds(Map<String, Double> cpu) {
    return cpu.entrySet().stream().filter(e -> e.getValue() >= 0.05)
        .map(e -> String.format("%s %.2f s", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
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
        Cold process: N=%d (%d needing a change), 50 namespaces, policy %s
        JVM (operator and floor): %s
        operator (pid %d, log %s):
          first API request:     %d ms after the process started
          ready (/readyz 200):   %d ms
          Deployment patches:    first at %d ms, last at %d ms
          last rollout complete: %d ms (%d rollouts)
          convergence:           %d ms   floor: %d ms   operator/floor: %.2f
          requests by verb:      %s
          steady state (%ds):    %d requests
          reaction p50 / p99:    %d ms / %d ms (%d samples)
          CPU at convergence:    %.2f s; by thread: %s
          JVM at convergence:    %s
          heap after full GC:    %.1f MiB (after the steady state and the reaction samples)
          benchmark JVM CPU:     %s (until convergence)
          slot freed to reused:  %s
          stand-in rollouts:     %s
        floor (plain client, own JVM, same pacing):
          first API request at %d ms, patches from %d to %d ms, last rollout complete at %d ms (stand-in),
          seen complete at %d ms; requests by verb: %s
          CPU at completion:     %.2f s
          benchmark JVM CPU:     %s
          slot freed to reused:  %s
          stand-in rollouts:     %s
        """, n, needingChange, ScaleBenchmark.POLICY, jvm, o.pid(), o.log(), o.firstRequest(), o.ready(),
        o.patches()[0], o.patches()[1], o.lastRollout(), o.rollouts(), o.convergence(), floor.complete(), ratio(),
        o.requestsByVerb(), o.steadyWindow().toSeconds(), o.steadyStateRequests(), o.reactionP50(), o.reactionP99(),
        o.reactionSamples(), o.cpuSeconds(), threads, counters, o.heapAfterGcBytes() / 1048576.0,
        seconds(o.benchmarkCpu()), operatorSlotReuse, rollouts(o.standIn()), floor.firstRequest(), floor.firstPatch(), floor.lastPatch(), floor.lastRollout(),
        floor.complete(), floor.requestsByVerb(), floor.cpuSeconds(), seconds(floor.benchmarkCpu()),
        floorSlotReuse, rollouts(floor.standIn()));
  }
}
