package dev.rootlock.bench;

import dev.rootlock.e2e.AuditLog;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One run of the control-plane benchmark, the operator's or the floor's, as the API server's audit
 * log and /proc saw it.
 *
 * @param role {@code operator} or {@code floor}
 * @param pair which pair of the run (1-based)
 * @param requests the process's requests during the harden phase, by {@code verb resource[/sub]}
 *     (its user only, in the benchmark's namespaces or cluster-scoped), every answer counted
 * @param workloads N, the Deployments the policies select
 * @param hardened the Deployments whose template needed a change (the floor's patches)
 * @param conflicts PATCHes of Deployments answered 409 (the resourceVersion pin met a newer write)
 * @param cpuSeconds user + system CPU of the process from start to the end of the phase
 * @param peakRssKb the process's peak resident set (VmHWM), kB
 * @param firstPatchMillis from the process's start to the API server receiving its first Deployment PATCH
 * @param convergenceMillis from the process's start to every workload Compliant (operator) or
 *     every rollout complete (floor)
 */
record ControlPlaneRun(String role, int pair, Map<String, Integer> requests, int workloads, int hardened,
    int conflicts, double cpuSeconds, long peakRssKb, long firstPatchMillis, long convergenceMillis) {
  /** Leader-election renewals: a cost of time, not of workloads, so not in the per-workload figures. */
  static final String LEASES = "coordination.k8s.io leases";

  /**
   * A run from its requests (as the audit log has them) and its process figures.
   *
   * @param startedMillis the wall-clock time the process was started (the audit log's clock: same machine)
   */
  static ControlPlaneRun of(String role, int pair, List<AuditLog.Request> requests, int workloads, int hardened,
      ProcFigures proc, long startedMillis, long convergenceMillis) {
    List<AuditLog.Request> patches = requests.stream()
        .filter(r -> r.verb().equals("patch") && r.target().equals("deployments")).toList();
    if (patches.isEmpty()) {
      throw new IllegalStateException(role + " run " + pair + " sent no Deployment PATCH");
    }
    long first = patches.stream().mapToLong(r -> r.received().toEpochMilli()).min().orElseThrow();
    Map<String, Integer> byTarget = new TreeMap<>();
    requests.forEach(r -> byTarget.merge(r.verb() + " " + (r.resource().equals("leases") ? LEASES : r.target()), 1,
        Integer::sum));
    int conflicts = (int) patches.stream().filter(r -> r.code() == 409).count();
    return new ControlPlaneRun(role, pair, byTarget, workloads, hardened, conflicts, proc.cpuSeconds(),
        proc.peakRssKb(), first - startedMillis, convergenceMillis);
  }

  /** Every request but the Lease renewals. */
  int requestsForWorkloads() {
    return requests.entrySet().stream().filter(e -> !e.getKey().endsWith(LEASES)).mapToInt(Map.Entry::getValue).sum();
  }

  double perWorkload() {
    return requestsForWorkloads() / (double) workloads;
  }

  double perHardened() {
    return requestsForWorkloads() / (double) hardened;
  }
}
