package dev.rootlock.reconciler;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.Ownership;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.rollout.RolloutVerdict;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which policies a Deployment event concerns: every policy in its namespace whose selector matches
 * it, plus the one recorded as its owner (which must hear about a Deployment that stopped matching,
 * to undo its hardening), plus the ones it concerned last time (a relabelled Deployment must leave
 * their status too). Policies own nothing, so ownerReferences cannot be used.
 */
final class DeploymentToPolicies implements SecondaryToPrimaryMapper<Deployment> {
  private final IndexerResourceCache<ReadOnlyPolicy> policies;
  /** The answer given for each Deployment last time: a few IDs per Deployment. */
  private final Map<ResourceID, Set<ResourceID>> previous = new ConcurrentHashMap<>();

  private volatile Predicate<ResourceID> stillCached;

  DeploymentToPolicies(IndexerResourceCache<ReadOnlyPolicy> policies) {
    this.policies = policies;
  }

  /** Lets the mapper forget a Deployment once its informer no longer holds it (a delete event). */
  void forgetWhenNotIn(Predicate<ResourceID> cached) {
    this.stillCached = cached;
  }

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(Deployment d) {
    String namespace = d.getMetadata().getNamespace();
    String owner = Ownership.recordedOwner(d);
    Set<ResourceID> now = policies.list(namespace)
        .filter(DeploymentToPolicies::started)
        .filter(p -> p.getMetadata().getName().equals(owner) || selects(p, d))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
    ResourceID id = ResourceID.fromResource(d);
    boolean gone = stillCached != null && !stillCached.test(id);
    Set<ResourceID> before = now.isEmpty() || gone ? previous.remove(id) : previous.put(id, now);
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
   * Deployment anyway. An event for a policy without it would make JOSDK, reading the cached copy
   * from before its own write, add the finalizer again: a refused write and a GET per policy, at
   * start-up, when every Deployment sends an event.
   */
  static boolean started(ReadOnlyPolicy p) {
    return p.hasFinalizer(Annotations.FINALIZER);
  }

  private static boolean selects(ReadOnlyPolicy p, Deployment d) {
    var selector = p.getSpec() == null ? null : p.getSpec().getSelector();
    try {
      return LabelSelectors.matches(selector, d.getMetadata().getLabels());
    } catch (RuntimeException malformedSelector) {
      return true; // an invalid policy reports InvalidSpec whatever happens; let it re-check
    }
  }

  /**
   * Only changes that can alter a decision: the spec (generation), labels or annotations, and the
   * status of a rollout Rootlock follows until it completes. Other status-only updates (replica
   * counts moving in a rollout that is not Rootlock's) cannot change anything.
   */
  static boolean relevantChange(Deployment now, Deployment before) {
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(now.getMetadata().getLabels(), before.getMetadata().getLabels())
        || !Objects.equals(now.getMetadata().getAnnotations(), before.getMetadata().getAnnotations())
        || (!Objects.equals(now.getStatus(), before.getStatus()) && followedAndUnfinished(now, before));
  }

  private static boolean followedAndUnfinished(Deployment now, Deployment before) {
    RolloutRecord r = RolloutRecord.parse(WorkloadSync.annotation(now, Annotations.ROLLOUT));
    return r.follows(now.getMetadata().getGeneration()) && !RolloutVerdict.isComplete(before, r.startedAt());
  }
}
