package dev.rootlock.reconciler.status;

import dev.rootlock.api.Mode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.events.EventRecorder;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.reports.ReportWriter;
import dev.rootlock.workload.Workload;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Everything a reconcile reports, in one place: the status (assembled, then written when it
 * differs and its throttle allows), the policy's metrics, the Events announced once, and the
 * policy report, which follows the status (written when the status is, not for mid-rollout progress).
 */
public final class PolicyReporter {
  private final StatusAssembler statuses;
  private final StatusWriter writer;
  private final OneTimeAnnouncements announcements;
  private final ReportPublisher reports;
  private final RootlockMetrics metrics;

  public PolicyReporter(Clock clock, RootlockMetrics metrics, EventRecorder events, ReportWriter reports) {
    this.statuses = new StatusAssembler(clock);
    this.writer = new StatusWriter(new StatusThrottle(clock, StatusThrottle.INTERVAL));
    this.announcements = new OneTimeAnnouncements(events, metrics, clock);
    this.reports = new ReportPublisher(reports);
    this.metrics = metrics;
  }

  /**
   * Reports one reconcile of a valid policy.
   *
   * @param selected one outcome per workload the policy selects
   * @param unreleased workloads it hardened, no longer selects, and failed to revert
   * @param workloads the namespace's workloads by "kind/name", asked for only when an Event or report needs them
   * @return what became of the status: stored, or deferred (and for how long)
   */
  public StatusWriter.Update reconciled(ReadOnlyPolicy policy, Mode mode, List<WorkloadOutcome> selected,
      List<WorkloadOutcome> unreleased, Context<ReadOnlyPolicy> context, Supplier<Map<String, Workload>> workloads) {
    ReadOnlyPolicyStatus status = statuses.of(policy, selected, unreleased);
    Map<WorkloadState, Integer> counts = new EnumMap<>(WorkloadState.class);
    selected.forEach(o -> counts.merge(o.state(), 1, Integer::sum));
    metrics.observed(policy.getMetadata().getNamespace(), policy.getMetadata().getName(), mode, counts,
        StatusAssembler.isReady(status), status.getWarnings());
    announcements.memoryRisks(policy, selected);
    announcements.driftFights(policy, selected, workloads);
    StatusWriter.Update update = write(policy, status, context);
    if (update.stored()) {
      reports.publish(policy, selected, workloads.get());
    }
    return update;
  }

  /** Reports a policy whose spec is invalid: InvalidSpec, naming each field. */
  public StatusWriter.Update invalid(ReadOnlyPolicy policy, PolicyRules.Validation validation,
      Context<ReadOnlyPolicy> context) {
    metrics.invalid(policy.getMetadata().getNamespace(), policy.getMetadata().getName(),
        policy.getSpec() == null ? null : policy.getSpec().getMode());
    return write(policy, statuses.invalid(policy, validation), context);
  }

  /** Forgets a deleted policy: its throttle, announcements, report and metrics. */
  public void forget(ResourceID policy) {
    String namespace = policy.getNamespace().orElseThrow();
    writer.forget(policy);
    announcements.forget(policy);
    reports.forget(namespace, policy.getName());
    metrics.deleted(namespace, policy.getName());
  }

  private StatusWriter.Update write(ReadOnlyPolicy policy, ReadOnlyPolicyStatus status,
      Context<ReadOnlyPolicy> context) {
    announcements.conditionChanges(policy, status);
    return writer.update(context, policy, status);
  }
}
