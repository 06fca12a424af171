package dev.rootlock.reconciler.status;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.reports.PolicyReports;
import dev.rootlock.reports.ReportEntry;
import dev.rootlock.reports.ReportWriter;
import dev.rootlock.workload.Workload;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one reconcile's outcomes as the policy's policy report ({@code --reports}), a copy of
 * its status: one entry per selected workload, in the status's words.
 */
public final class ReportPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(ReportPublisher.class);

  private final ReportWriter reports;

  public ReportPublisher(ReportWriter reports) {
    this.reports = reports;
  }

  /**
   * @param byKey the namespace's workloads by "kind/name", for their apiVersion and uid
   */
  public void publish(ReadOnlyPolicy policy, List<WorkloadOutcome> selected, Map<String, Workload> byKey) {
    String namespace = policy.getMetadata().getNamespace();
    List<ReportEntry> entries = selected.stream().map(o -> {
      Workload w = byKey.get(o.kind() + "/" + o.name());
      return new ReportEntry(w == null ? "" : w.kind().apiVersion(), o.kind(), namespace, o.name(),
          w == null ? null : w.object().getMetadata().getUid(), o.state(), StatusAssembler.message(o));
    }).toList();
    try {
      reports.publish(new PolicyReports.Policy(namespace, policy.getMetadata().getName(),
          policy.getMetadata().getUid()), entries);
    } catch (KubernetesClientException e) {
      // a report is a copy of the status: it is tried again at the next reconcile, nothing else waits on it
      LOG.warn("policy report not written namespace={} policy={} code={} message=\"{}\"", namespace,
          policy.getMetadata().getName(), e.getCode(), e.getMessage());
    }
  }

  /** Forgets a deleted policy (its reports go with it, by owner reference). */
  public void forget(String namespace, String policy) {
    reports.forget(namespace, policy);
  }
}
