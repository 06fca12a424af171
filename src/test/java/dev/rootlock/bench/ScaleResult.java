package dev.rootlock.bench;

import java.time.Duration;
import java.util.Map;

/**
 * One in-process round's figures.
 *
 * @param workloads what was created: "Deployments", or the mix of kinds
 * @param jobs Jobs created for the CronJobs (as their controller leaves them), 0 without CronJobs
 * @param heapPerCachedJob what the operator's Jobs informer holds per Job, bytes; -1 when not measured
 */
public record ScaleResult(int n, String workloads, int needingChange, Duration startToReady, Duration convergence,
    Duration quiet, Duration firstPatch, Duration lastPatch, Duration floorPatches, Duration floor,
    Map<String, Long> requestsByVerb, long workloadWrites, long steadyStateRequests, Duration steadyWindow,
    long reactionP50Ms, long reactionP99Ms, int reactionSamples, long peakHeapAfterGcBytes,
    long heapPerCachedWorkloadBytes, int jobs, long heapPerCachedJob, double processCpuSeconds) {

  public double ratio() {
    return (double) convergence.toMillis() / Math.max(1, floor.toMillis());
  }

  public String report() {
    long fromReady = convergence.minus(startToReady).toMillis();
    long patching = lastPatch.minus(firstPatch).toMillis();
    return String.format("""
        N=%d %s (%d needing a change), 50 namespaces, policy %s
          start to ready:        %d ms
          convergence:           %d ms   %s
          from ready:            %d ms   %s
          patching only:         %d ms (first to last patch)   %s
          last request (events): %d ms after start
          workload patches:      first at %d ms, last at %d ms after start
          requests by verb:      %s
          workload writes:       %d
          steady state (%ds):    %d requests
          reaction p50 / p99:    %d ms / %d ms (%d samples)
          peak heap after GC:    %.1f MiB
          heap per workload:     %d bytes (heap after GC with an operator synced, minus without, / N)
          heap per cached Job:   %s
          process CPU:           %.1f s (operator and mock server together)
        """, n, workloads, needingChange, ScaleBenchmark.POLICY, startToReady.toMillis(),
        convergence.toMillis(), againstFloor(convergence.toMillis(), floor, true),
        fromReady, againstFloor(fromReady, floor, false),
        patching, againstFloor(patching, floorPatches, true),
        quiet.toMillis(), firstPatch.toMillis(), lastPatch.toMillis(),
        requestsByVerb, workloadWrites, steadyWindow.toSeconds(), steadyStateRequests, reactionP50Ms, reactionP99Ms,
        reactionSamples, peakHeapAfterGcBytes / 1048576.0, heapPerCachedWorkloadBytes,
        heapPerCachedJob < 0 ? "not measured (no CronJobs)" : heapPerCachedJob + " bytes (" + jobs
            + " Jobs of the CronJobs: heap with them cached, minus without, / Jobs)", processCpuSeconds);
  }

  /** "floor: F ms   operator/floor: R", without the floor's own time if asked; no floor run: none. */
  private static String againstFloor(long operatorMillis, Duration floor, boolean showFloor) {
    if (floor.isZero()) {
      return "(floor not run)";
    }
    return (showFloor ? "floor: " + floor.toMillis() + " ms   " : "")
        + String.format("operator/floor: %.2f", (double) operatorMillis / floor.toMillis());
  }
}
