package dev.rootlock.reconciler.status;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.reconciler.observing.DriftFights;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns workload outcomes into a policy status following Kubernetes condition conventions.
 * lastTransitionTime only moves when a condition's status flips, so an unchanged outcome yields an
 * equal status object and the reconciler can skip the write.
 */
public final class StatusAssembler {
  static final String READY = "Ready";
  static final String DEGRADED = "Degraded";

  private final Clock clock;

  public StatusAssembler(Clock clock) {
    this.clock = clock;
  }

  public ReadOnlyPolicyStatus invalid(ReadOnlyPolicy policy, PolicyRules.Validation validation) {
    String message = "spec is invalid, no workload was changed: " + validation.describeErrors();
    ReadOnlyPolicyStatus status = base(policy);
    ReadOnlyPolicyStatus previous = policy.getStatus();
    // Keep the last known counts: they still describe the cluster, which was left as it was.
    if (previous != null) {
      status.setMatched(previous.getMatched());
      status.setCompliant(previous.getCompliant());
      status.setWorkloads(previous.getWorkloads());
    }
    status.setConditions(List.of(
        condition(policy, READY, false, "InvalidSpec", message),
        condition(policy, DEGRADED, true, "InvalidSpec", message)));
    return status;
  }

  /**
   * @param outcomes one per selected workload
   * @param unreleased workloads this policy hardened, no longer selects, and failed to revert
   */
  public ReadOnlyPolicyStatus of(ReadOnlyPolicy policy, List<WorkloadOutcome> outcomes,
      List<WorkloadOutcome> unreleased) {
    Map<WorkloadState, List<String>> byState = new EnumMap<>(WorkloadState.class);
    boolean rolloutFailed = outcomes.stream().anyMatch(o -> o.state() == WorkloadState.RolledBack
        || WorkloadOutcome.ROLLOUT_FAILED.equals(o.reason()));
    outcomes.forEach(o -> byState.computeIfAbsent(o.state(), s -> new ArrayList<>()).add(label(o)));
    int matched = outcomes.size();
    int compliant = count(byState, WorkloadState.Compliant);
    int excluded = count(byState, WorkloadState.Excluded);

    ReadOnlyPolicyStatus status = base(policy);
    status.setMatched(matched);
    status.setCompliant(compliant);
    status.setRolledBack(count(byState, WorkloadState.RolledBack));
    status.setWarnings((int) outcomes.stream().filter(o -> !o.warnings().isEmpty()).count());
    status.setKinds(outcomes.stream().collect(Collectors.groupingBy(WorkloadOutcome::kind, java.util.TreeMap::new,
        Collectors.counting())).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
        .collect(Collectors.joining(" ")));
    // Past the cap, the entries that need attention (or carry learned paths) are the ones kept.
    status.setWorkloads(outcomes.stream()
        .sorted(Comparator.comparing((WorkloadOutcome o) -> !needsAttention(o)).thenComparing(BY_NAME))
        .limit(ReadOnlyPolicyStatus.MAX_WORKLOADS)
        .sorted(BY_NAME)
        // a Failed entry starts with its reason word (RevertRecordInvalid, PatchRejected...) to grep for
        .map(o -> new WorkloadStatus(o.kind(), o.name(), o.state(), message(o), o.learned()))
        .collect(Collectors.toList()));

    Condition ready;
    if (compliant + excluded == matched) {
      ready = matched == 0
          ? condition(policy, READY, true, "NothingSelected",
              "the policy selects no workload in namespace " + policy.getMetadata().getNamespace()
                  + " (kinds and selector)")
          : condition(policy, READY, true, "AllCompliant",
              compliant + " of " + matched + " selected workloads compliant"
                  + (excluded > 0 ? ", " + excluded + " excluded" : ""));
    } else {
      String reason = rolloutFailed ? WorkloadOutcome.ROLLOUT_FAILED
          : byState.containsKey(WorkloadState.Failed) ? "WorkloadFailed"
          : byState.containsKey(WorkloadState.Conflict) ? "WorkloadConflict"
          : byState.containsKey(WorkloadState.RollingOut) || byState.containsKey(WorkloadState.Pending) ? "RollingOut"
          : "NonCompliant";
      ready = condition(policy, READY, false, reason, (matched - compliant - excluded) + " of " + matched
          + " selected workloads not compliant: " + summary(byState) + "; see status.workloads");
    }
    Condition degraded;
    if (!unreleased.isEmpty() && !byState.containsKey(WorkloadState.Failed)) {
      degraded = condition(policy, DEGRADED, true, "RevertFailed", "could not revert workloads no longer "
          + "selected: " + unreleased.stream().sorted(BY_NAME)
              .map(o -> label(o) + " (" + o.message() + ")").collect(Collectors.joining("; ")));
    } else if (byState.containsKey(WorkloadState.Failed) || byState.containsKey(WorkloadState.Conflict)
        || byState.containsKey(WorkloadState.RolledBack)) {
      String reason = rolloutFailed ? WorkloadOutcome.ROLLOUT_FAILED
          : byState.containsKey(WorkloadState.Failed) ? "WorkloadFailed" : "WorkloadConflict";
      degraded = condition(policy, DEGRADED, true, reason, summary(Map.of(
          WorkloadState.Failed, byState.getOrDefault(WorkloadState.Failed, List.of()),
          WorkloadState.Conflict, byState.getOrDefault(WorkloadState.Conflict, List.of()),
          WorkloadState.RolledBack, byState.getOrDefault(WorkloadState.RolledBack, List.of())))
          + "; see status.workloads for what to do");
    } else {
      degraded = condition(policy, DEGRADED, false, "Healthy", "no workload in Conflict, Failed or RolledBack");
    }
    status.setConditions(List.of(ready, degraded));
    return status;
  }

  /**
   * The entry's message: a Failed one starts with its reason word (RevertRecordInvalid,
   * PatchRejected...) to grep for; memory warnings the message does not carry yet are appended
   * where the hardening is in place, under way or would be (not to a refusal or a rollback).
   */
  public static String message(WorkloadOutcome o) {
    String m = o.state() == WorkloadState.Failed || DriftFights.REASON.equals(o.reason())
        ? o.reason() + ": " + o.message() : o.message();
    if (!WARNED.contains(o.state())) {
      return m;
    }
    for (String w : o.warnings()) {
      if (!m.contains(w)) {
        m = m + "; warning: " + w;
      }
    }
    return m;
  }

  private static final java.util.Set<WorkloadState> WARNED = java.util.EnumSet.of(WorkloadState.Compliant,
      WorkloadState.RollingOut, WorkloadState.Pending, WorkloadState.NonCompliant);

  /** By name, then kind: one status entry per workload, kinds of one name side by side. */
  private static final Comparator<WorkloadOutcome> BY_NAME =
      Comparator.comparing(WorkloadOutcome::name).thenComparing(WorkloadOutcome::kind);

  /** "StatefulSet db" in condition messages, which name workloads of several kinds. */
  private static String label(WorkloadOutcome o) {
    return o.kind() + " " + o.name();
  }

  private static boolean needsAttention(WorkloadOutcome o) {
    return (o.state() != WorkloadState.Compliant && o.state() != WorkloadState.Excluded) || !o.learned().isEmpty();
  }

  public static boolean isReady(ReadOnlyPolicyStatus status) {
    return status.getConditions().stream().anyMatch(c -> READY.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static int count(Map<WorkloadState, List<String>> byState, WorkloadState s) {
    return byState.getOrDefault(s, List.of()).size();
  }

  /** "Conflict: a, b; Failed: c" with at most five names per state. */
  private static String summary(Map<WorkloadState, List<String>> byState) {
    return byState.entrySet().stream()
        .filter(e -> !e.getValue().isEmpty())
        .filter(e -> e.getKey() != WorkloadState.Compliant && e.getKey() != WorkloadState.Excluded)
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + ": " + e.getValue().stream().sorted().limit(5).collect(Collectors.joining(", "))
            + (e.getValue().size() > 5 ? " and " + (e.getValue().size() - 5) + " more" : ""))
        .collect(Collectors.joining("; "));
  }

  private ReadOnlyPolicyStatus base(ReadOnlyPolicy policy) {
    ReadOnlyPolicyStatus status = new ReadOnlyPolicyStatus();
    status.setObservedGeneration(policy.getMetadata().getGeneration());
    return status;
  }

  private Condition condition(ReadOnlyPolicy policy, String type, boolean value, String reason, String message) {
    String status = value ? "True" : "False";
    String since = previous(policy, type)
        .filter(c -> status.equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(Condition::getLastTransitionTime)
        .orElseGet(() -> Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastTransitionTime(since).withObservedGeneration(policy.getMetadata().getGeneration()).build();
  }

  private static Optional<Condition> previous(ReadOnlyPolicy policy, String type) {
    if (policy.getStatus() == null || policy.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return policy.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
