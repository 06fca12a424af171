package dev.rootlock.reconciler.sources;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.Ownership;
import dev.rootlock.reconciler.observing.PassedTests;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.workload.Workload;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which policies a workload event concerns: every policy in its namespace that selects its kind
 * and whose selector matches it, plus the one recorded as its owner (which must hear about a
 * workload that stopped matching, to undo its hardening), plus the ones it concerned last time (a
 * relabelled workload must leave their status too). Policies own nothing, so ownerReferences
 * cannot be used. One mapper serves every kind's informer.
 */
public final class WorkloadEventMapper {
  private final IndexerResourceCache<ReadOnlyPolicy> policies;
  /** The answer given for each workload (by {@link Workload#key()}) last time: a few IDs each. */
  private final Map<String, Set<ResourceID>> previous = new ConcurrentHashMap<>();

  private volatile Predicate<Workload> stillCached;
  private final Consumer<Workload> gone;

  /** @param gone told of each workload its informer no longer holds (a delete event) */
  public WorkloadEventMapper(IndexerResourceCache<ReadOnlyPolicy> policies, Consumer<Workload> gone) {
    this.policies = policies;
    this.gone = gone;
  }

  /** Lets the mapper forget a workload once its informer no longer holds it (a delete event). */
  void forgetWhenNotIn(Predicate<Workload> cached) {
    this.stillCached = cached;
  }

  public Set<ResourceID> toPrimaryResourceIDs(Workload w) {
    if (w.kind().yieldsToOwner() && w.controller().isPresent()) {
      return Set.of(); // a Job a CronJob started: its CronJob is what policies see
    }
    String owner = Ownership.recordedOwner(w.object());
    Set<ResourceID> now = policies.list(w.namespace())
        .filter(WorkloadEventMapper::started)
        .filter(p -> p.getMetadata().getName().equals(owner) || selects(p, w))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
    boolean deleted = stillCached != null && !stillCached.test(w);
    if (deleted) {
      gone.accept(w);
    }
    Set<ResourceID> before = now.isEmpty() || deleted ? previous.remove(w.key()) : previous.put(w.key(), now);
    if (before == null || now.containsAll(before)) {
      return now;
    }
    Set<ResourceID> both = new HashSet<>(now);
    both.addAll(before);
    return both;
  }

  /**
   * Whether the policy carries Rootlock's finalizer. Until it does, JOSDK's reconcile only adds it,
   * and the update that adds it triggers the policy's first real reconcile, which reads every
   * workload anyway. An event for a policy without it would make JOSDK, reading the cached copy
   * from before its own write, add the finalizer again: a refused write and a GET per policy, at
   * start-up, when every workload sends an event.
   */
  static boolean started(ReadOnlyPolicy p) {
    return p.hasFinalizer(Annotations.FINALIZER);
  }

  private static boolean selects(ReadOnlyPolicy p, Workload w) {
    if (p.getSpec() == null) {
      return true;
    }
    List<String> kinds = p.getSpec().getKinds();
    String selectedBy = w.kind().selectedBy() == null ? null : w.kind().selectedBy().name();
    if (kinds != null && selectedBy != null && !kinds.isEmpty() && !kinds.contains(selectedBy)) {
      return false; // (an invalid kinds list re-checks: the policy reports InvalidSpec whatever happens)
    }
    try {
      return LabelSelectors.matches(p.getSpec().getSelector(), w.object().getMetadata().getLabels());
    } catch (RuntimeException malformedSelector) {
      return true; // an invalid policy reports InvalidSpec whatever happens; let it re-check
    }
  }

  /**
   * Only changes that can alter a decision: the spec (generation), labels or annotations, whether
   * the operator looks at it at all (a Job that finished), and the status of a change Rootlock
   * follows until it is complete (or seen to pass: a DaemonSet's counts dip again when a node
   * joins). Other status-only updates (replica counts moving in a rollout that is not Rootlock's)
   * cannot change anything.
   */
  static boolean relevantChange(Workload now, Workload before, PassedTests passes) {
    return !Objects.equals(now.object().getMetadata().getGeneration(), before.object().getMetadata().getGeneration())
        || !Objects.equals(now.object().getMetadata().getLabels(), before.object().getMetadata().getLabels())
        || !Objects.equals(now.object().getMetadata().getAnnotations(),
            before.object().getMetadata().getAnnotations())
        || now.kind().isInScope(now.object()) != before.kind().isInScope(before.object())
        || (now.kind().isHardened() && followedAndUnfinished(now, before) && !passes.has(now));
  }

  private static boolean followedAndUnfinished(Workload now, Workload before) {
    RolloutRecord r = RolloutRecord.parse(now.annotation(Annotations.ROLLOUT));
    return r.follows(now.object().getMetadata().getGeneration()) && !before.isComplete(r.startedAt());
  }
}
