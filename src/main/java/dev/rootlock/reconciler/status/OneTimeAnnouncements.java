package dev.rootlock.reconciler.status;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.api.WorkloadStatus;
import dev.rootlock.events.EventRecorder;
import dev.rootlock.events.Gathering;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.observing.DriftFights;
import dev.rootlock.reconciler.round.WorkloadOutcome;
import dev.rootlock.workload.Workload;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Announces what a reconcile found that a person should hear about once: drift-fight Warning
 * Events on workloads (and the drift-fight count), memory risks gathered into one Warning Event on
 * the policy, and Events on the policy when its Ready or Degraded condition changes. Remembers per
 * policy what was announced, so that each is announced once and not once per reconcile.
 *
 * <p>The stored status cannot be the memory: its writes are paced mid-rollout (so it lags behind
 * what was announced), and it keeps at most {@link ReadOnlyPolicyStatus#MAX_WORKLOADS} entries
 * (so a workload past the cap has no entry to compare with, and its warnings would repeat at every
 * reconcile: docs/benchmarks.md, "Measurements behind the code").
 * The stored status is used only for a policy's first reconcile in this process, after a restart:
 * a workload past the cap, or one whose status write was still paced, is then announced once more.
 */
public final class OneTimeAnnouncements {
  private final Map<ResourceID, Map<String, Set<String>>> warnings = new ConcurrentHashMap<>();
  private final Map<ResourceID, Set<String>> fights = new ConcurrentHashMap<>();
  /** Memory warnings found but not announced yet. */
  private final Gathering memoryRisks;
  private final Map<ResourceID, ReadOnlyPolicyStatus> statuses = new ConcurrentHashMap<>();
  private final EventRecorder events;
  private final RootlockMetrics metrics;

  public OneTimeAnnouncements(EventRecorder events, RootlockMetrics metrics, Clock clock) {
    this.memoryRisks = new Gathering(clock);
    this.events = events;
    this.metrics = metrics;
  }

  /**
   * Memory warnings not announced before, gathered ({@link Gathering}) into one Warning Event on
   * the policy ({@code MemoryRisk}, naming each workload and its warning). Each workload's warnings
   * stay in its status entry.
   */
  public void memoryRisks(ReadOnlyPolicy policy, List<WorkloadOutcome> outcomes) {
    ResourceID id = ResourceID.fromResource(policy);
    newWarnings(id, policy.getStatus(), outcomes).forEach((o, w) -> {
      String line = o.kind() + " " + o.name() + ": " + String.join("; ", w);
      memoryRisks.add(id, line, line);
    });
    List<String> due = memoryRisks.takeIfDue(id, WorkloadOutcome.settled(outcomes));
    if (!due.isEmpty()) {
      events.warning(policy, "Harden", "MemoryRisk", Gathering.workloads(due) + " may run short of memory "
          + "(spec.memoryShareWarning, spec.onMemoryRisk): " + String.join(", ", due));
    }
  }

  /** A Warning Event and a count for each workload that has just become a drift fight. */
  public void driftFights(ReadOnlyPolicy policy, List<WorkloadOutcome> outcomes,
      Supplier<Map<String, Workload>> workloads) {
    List<WorkloadOutcome> fresh = newFights(ResourceID.fromResource(policy), policy.getStatus(), outcomes,
        DriftFights.REASON);
    if (fresh.isEmpty()) {
      return;
    }
    Map<String, Workload> byKey = workloads.get();
    for (WorkloadOutcome o : fresh) {
      metrics.driftFight(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
      Workload workload = byKey.get(key(o.kind(), o.name()));
      if (workload != null) {
        events.warning(workload.object(), "Harden", DriftFights.REASON, o.message());
      }
    }
  }

  /** An Event on the policy for each of Ready and Degraded whose status or reason changed. */
  public void conditionChanges(ReadOnlyPolicy policy, ReadOnlyPolicyStatus after) {
    ResourceID id = ResourceID.fromResource(policy);
    ReadOnlyPolicyStatus before = statuses.getOrDefault(id, policy.getStatus());
    statuses.put(id, after);
    for (Condition now : after.getConditions()) {
      Condition was = before == null || before.getConditions() == null ? null : before.getConditions().stream()
          .filter(c -> now.getType().equals(c.getType())).findFirst().orElse(null);
      if (was != null && Objects.equals(was.getStatus(), now.getStatus())
          && Objects.equals(was.getReason(), now.getReason())) {
        continue;
      }
      boolean bad = StatusAssembler.READY.equals(now.getType()) != "True".equals(now.getStatus());
      events.record(policy, "Reconcile", now.getReason(), now.getType() + "=" + now.getStatus() + ": "
          + now.getMessage(), bad);
    }
  }

  /**
   * Each outcome's memory warnings not announced before, in outcome order (outcomes without new
   * ones left out); remembers them as announced for as long as the workload is selected.
   */
  private Map<WorkloadOutcome, List<String>> newWarnings(ResourceID policy, ReadOnlyPolicyStatus stored,
      List<WorkloadOutcome> outcomes) {
    Map<String, Set<String>> before = warnings.get(policy);
    Map<String, String> storedMessages = before == null ? messages(stored) : Map.of();
    Map<String, Set<String>> now = new HashMap<>();
    Map<WorkloadOutcome, List<String>> fresh = new LinkedHashMap<>();
    for (WorkloadOutcome o : outcomes) {
      String key = key(o.kind(), o.name());
      Set<String> known = before == null ? Set.of() : before.getOrDefault(key, Set.of());
      if (o.warnings().isEmpty()) {
        if (!known.isEmpty()) {
          now.put(key, known); // an outcome that does not carry them (a rollback) does not forget them
        }
        continue;
      }
      String message = storedMessages.getOrDefault(key, "");
      List<String> unseen = o.warnings().stream()
          .filter(w -> before == null ? !message.contains(w) : !known.contains(w)).toList();
      if (!unseen.isEmpty()) {
        fresh.put(o, unseen);
      }
      Set<String> all = new HashSet<>(known);
      all.addAll(o.warnings());
      now.put(key, all);
    }
    warnings.put(policy, now);
    return fresh;
  }

  /**
   * The outcomes that are drift fights not announced before; remembers the current ones.
   *
   * @param reason the outcome reason that marks a fight (its entry message starts with it)
   */
  private List<WorkloadOutcome> newFights(ResourceID policy, ReadOnlyPolicyStatus stored,
      List<WorkloadOutcome> outcomes, String reason) {
    Set<String> before = fights.get(policy);
    Map<String, String> storedMessages = before == null ? messages(stored) : Map.of();
    Set<String> now = new HashSet<>();
    List<WorkloadOutcome> fresh = new java.util.ArrayList<>();
    for (WorkloadOutcome o : outcomes) {
      if (!reason.equals(o.reason())) {
        continue;
      }
      String key = key(o.kind(), o.name());
      boolean known = before == null ? storedMessages.getOrDefault(key, "").startsWith(reason) : before.contains(key);
      if (!known) {
        fresh.add(o);
      }
      now.add(key);
    }
    fights.put(policy, now);
    return fresh;
  }

  /** Forgets a deleted policy. */
  public void forget(ResourceID policy) {
    warnings.remove(policy);
    fights.remove(policy);
    statuses.remove(policy);
  }

  private static Map<String, String> messages(ReadOnlyPolicyStatus s) {
    Map<String, String> out = new HashMap<>();
    if (s != null && s.getWorkloads() != null) {
      for (WorkloadStatus w : s.getWorkloads()) {
        if (w.getMessage() != null) {
          out.put(key(w.getKind(), w.getName()), w.getMessage());
        }
      }
    }
    return out;
  }

  private static String key(String kind, String name) {
    return kind + "/" + name;
  }
}
