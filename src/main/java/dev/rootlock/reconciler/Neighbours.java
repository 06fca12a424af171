package dev.rootlock.reconciler;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.Mode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.Ownership;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.workload.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The policies of a namespace as one reconcile sees them, and who owns a workload among them. Each
 * neighbour's spec is validated once per reconcile, not once per workload.
 */
public final class Neighbours {
  private final String me;
  /** Valid, live, enforcing policies: the ones that claim what they select. */
  private final Map<ReadOnlyPolicy, PolicyRules> enforcing = new HashMap<>();
  /** Policies that exist but are invalid or being deleted: a recorded owner among them keeps its workloads. */
  private final Set<String> unsettled = new HashSet<>();
  private final Set<String> existing;
  private final Predicate<String> existsOnServer;

  /**
   * @param others the namespace's other policies, as the sibling informer holds them
   * @param existsOnServer asks the API server about a policy the cache does not know
   */
  public Neighbours(ReadOnlyPolicy policy, List<ReadOnlyPolicy> others, Predicate<String> existsOnServer) {
    this.me = policy.getMetadata().getName();
    List<ReadOnlyPolicy> all = new ArrayList<>(others);
    all.add(policy);
    for (ReadOnlyPolicy p : all) {
      PolicyRules.Validation v = PolicyRules.from(p.getSpec());
      if (p.getMetadata().getDeletionTimestamp() != null || !v.isValid()) {
        unsettled.add(p.getMetadata().getName());
      } else if (v.rules().mode() == Mode.Enforce) {
        enforcing.put(p, v.rules());
      }
    }
    this.existing = all.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
    // A recorded owner this cache does not know may be a policy created a moment ago (the cache
    // lags) or one long gone: ask the API server once per reconcile rather than guess.
    Map<String, Boolean> asked = new HashMap<>();
    this.existsOnServer = name -> asked.computeIfAbsent(name, existsOnServer::test);
  }

  String me() {
    return me;
  }

  /** A recorded owner that is neither this policy nor one the cache knows. */
  boolean isUnknown(String recorded) {
    return recorded != null && !recorded.equals(me) && !existing.contains(recorded);
  }

  /** A recorded owner that no longer exists anywhere: its workload is an orphan anyone may adopt or undo. */
  boolean isGone(String recorded) {
    return isUnknown(recorded) && !existsOnServer.test(recorded);
  }

  /** The policy that owns {@code w}; this one when nobody else claims it. */
  public String ownerOf(Workload w) {
    List<ReadOnlyPolicy> claimants = enforcing.entrySet().stream()
        .filter(e -> w.kind().isSelectedBy(e.getValue()) && LabelSelectors.matches(e.getValue().selector(), w.labels()))
        .map(Map.Entry::getKey)
        .toList();
    String recorded = Ownership.recordedOwner(w.object());
    Set<String> keepers = unsettled;
    if (isUnknown(recorded) && !isGone(recorded)) {
      keepers = new HashSet<>(keepers);
      keepers.add(recorded); // a policy newer than this cache: it keeps what it just hardened
    }
    return Ownership.owner(w.object(), claimants, keepers).orElse(me);
  }

  /** The Conflict message when {@code owner} (not this policy) owns {@code w}. */
  Optional<String> conflict(Workload w, String owner) {
    if (owner.equals(me)) {
      return Optional.empty();
    }
    String why = unsettled.contains(owner) ? " (it is invalid or being deleted and keeps what it hardened)" : "";
    return Optional.of("also selected by policy " + owner + ", which owns it" + why + "; narrow one of the "
        + "selectors or annotate the " + w.kind() + " " + Annotations.EXCLUDE + "=true");
  }
}
